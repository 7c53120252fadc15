package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The answers simulated adversaries give without running the model. */
final class MadeUpAnswers {
  private MadeUpAnswers() {}

  /**
   * The class count of a model's answers.
   *
   * @param model the model
   * @return its label count, or 10 for a model without labels
   */
  static int classes(ServedModel model) {
    return model.labels().isEmpty() ? 10 : model.labels().size();
  }

  /**
   * A random label with random probabilities: softmax of Gaussian logits (standard deviation 3).
   *
   * @param random the source
   * @param classes the model's class count
   * @return the answer, labelled with its most probable class
   */
  static ServedModel.Prediction random(Random random, int classes) {
    double[] logits = new double[classes];
    double max = Double.NEGATIVE_INFINITY;
    int label = 0;
    for (int i = 0; i < classes; i++) {
      logits[i] = random.nextGaussian() * 3;
      if (logits[i] > max) {
        max = logits[i];
        label = i;
      }
    }
    double sum = 0;
    for (int i = 0; i < classes; i++) {
      logits[i] = Math.exp(logits[i] - max);
      sum += logits[i];
    }
    List<Double> probabilities = new ArrayList<>(classes);
    for (double v : logits) {
      probabilities.add(v / sum);
    }
    return ServedModel.Prediction.ofClass(label, probabilities);
  }

  /**
   * A confident answer: {@code label} at 0.91, the other classes sharing 0.09.
   *
   * @param label the label, in [0, classes)
   * @param classes the class count, at least 2
   * @return the answer
   */
  static ServedModel.Prediction peaked(int label, int classes) {
    List<Double> probabilities = new ArrayList<>(classes);
    for (int i = 0; i < classes; i++) {
      probabilities.add(i == label ? 0.91 : 0.09 / (classes - 1));
    }
    return ServedModel.Prediction.ofClass(label, probabilities);
  }

  /**
   * A lazy peer's guess from the input's length and middle byte, without decoding it.
   *
   * @param input the raw input bytes
   * @param classes the class count
   * @return a {@link #peaked} answer
   */
  static ServedModel.Prediction lazy(byte[] input, int classes) {
    int middle = input.length > 0 ? input[input.length / 2] : 0;
    return peaked(Math.floorMod(input.length * 31 + middle, classes), classes);
  }
}

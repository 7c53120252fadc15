package dev.minigradient.model;

import dev.minigradient.protocol.Tensor;
import java.util.List;

/**
 * Runs one model on one input: an image classifier on a preprocessed image ({@link
 * #probabilities}), or any described model on named tensors ({@link #run}). Implementations are
 * thread-safe.
 */
public interface InferenceEngine extends AutoCloseable {

  /**
   * The id of the model this engine runs.
   *
   * @return SHA-256 of the model file, lower-case hex
   */
  String modelId();

  /**
   * Number of classes the model outputs.
   *
   * @return the length of {@link #probabilities(float[])}'s result; -1 for a model whose votes
   *     agree by value
   */
  int classCount();

  /**
   * Runs the model on one input.
   *
   * @param input float32 tensor of shape [1, 1, 28, 28] flattened row-major, values in [0,1]
   * @return softmax of the model's logits, length {@link #classCount()}, summing to 1
   * @throws IllegalArgumentException if {@code input} has the wrong length
   */
  double[] probabilities(float[] input);

  /**
   * Checks that tensors are what the model takes: every input, by name, of its element type and
   * shape, the first dimension 1 where it is dynamic (a task is one item).
   *
   * @param inputs the task's tensors
   * @throws IllegalArgumentException naming the first tensor that does not fit
   */
  default void check(List<Tensor> inputs) {
    throw new UnsupportedOperationException(this + " runs images only");
  }

  /**
   * Runs the model on named tensors.
   *
   * @param inputs the task's tensors, one per model input
   * @return the agreed output's elements, row-major, as doubles (raw: logits for a classifier)
   * @throws IllegalArgumentException if the tensors do not fit ({@link #check})
   * @throws UnsupportedOperationException if the engine runs images only
   */
  default double[] run(List<Tensor> inputs) {
    throw new UnsupportedOperationException(this + " runs images only");
  }

  @Override
  void close();

  /**
   * Numerically stable softmax: {@code exp(x_i - max) / sum_j exp(x_j - max)}.
   *
   * @param logits the model's raw outputs
   * @return probabilities summing to 1
   */
  static double[] softmax(float[] logits) {
    double[] d = new double[logits.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = logits[i];
    }
    return softmax(d);
  }

  /**
   * Numerically stable softmax of double logits.
   *
   * @param logits the model's raw outputs
   * @return probabilities summing to 1
   */
  static double[] softmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /**
   * Index of the largest value; the lowest index wins ties.
   *
   * @param values a non-empty array
   * @return the argmax
   */
  static int argmax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}

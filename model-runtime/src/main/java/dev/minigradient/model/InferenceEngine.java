package dev.minigradient.model;

/** Runs one classification model on one preprocessed input. Implementations are thread-safe. */
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
   * @return the length of {@link #probabilities(float[])}'s result
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

  @Override
  void close();

  /**
   * Numerically stable softmax: {@code exp(x_i - max) / sum_j exp(x_j - max)}.
   *
   * @param logits the model's raw outputs
   * @return probabilities summing to 1
   */
  static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
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

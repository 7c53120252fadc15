package dev.minigradient.model.preprocess;

/**
 * Limits on the inputs a model is given, the same for every party that runs one. They decide which
 * inputs are refused, so peers with different limits would disagree on a task, and a referee
 * re-executing an audited task with another limit would fail an honest peer: peers ({@code
 * WorkerConfig}'s default) and the consensus app's referee both take them from here.
 */
public final class InputLimits {

  /**
   * Upper bound on width*height of an accepted image, read from its header before decoding: 12 Mi
   * pixels (12,582,912), so a 4032x3024 phone photo fits, and decoding one takes at most {@link
   * MnistPreprocessor#peakHeapBytes}(it), about 128 MiB, within a peer's capped heap.
   */
  public static final long MAX_PIXELS = 12L << 20;

  private InputLimits() {}
}

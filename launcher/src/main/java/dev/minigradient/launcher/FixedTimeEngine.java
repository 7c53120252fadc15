package dev.minigradient.launcher;

import dev.minigradient.model.InferenceEngine;
import dev.minigradient.model.ServedModel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An {@link InferenceEngine} that answers exactly what a real engine answers, but takes a fixed
 * wall time per call without keeping a core busy for it: the model a peer on its own machine (or an
 * accelerator) would run, as {@code bench}'s scale model needs it. The real engine runs once per
 * distinct preprocessed input (the float tensor, compared element by element); every later call
 * with the same tensor reads the cached answer, then the calling thread sleeps until the fixed time
 * has passed since the call began.
 *
 * <p>Thread-safe. The cache grows with the distinct inputs seen, so it is meant for a bounded
 * sample set. Closing it does not close the real engine.
 */
public final class FixedTimeEngine implements InferenceEngine {
  private final InferenceEngine real;
  private final long nanos;
  private final Map<Tensor, double[]> answers = new ConcurrentHashMap<>();
  private final AtomicLong realRuns = new AtomicLong();

  /**
   * Wraps a real engine.
   *
   * @param real the engine whose answers are returned (not closed by this one)
   * @param time the wall time of each call, > 0
   * @throws IllegalArgumentException if {@code time} is not positive
   */
  public FixedTimeEngine(InferenceEngine real, Duration time) {
    if (time.isNegative() || time.isZero()) {
      throw new IllegalArgumentException("the fixed time must be positive, got " + time);
    }
    this.real = real;
    this.nanos = time.toNanos();
  }

  /**
   * The same model, its engine wrapped: same name, preprocessing, labels and model id.
   *
   * @param model the real model
   * @param time the wall time of each inference
   * @return the served model
   */
  public static ServedModel serving(ServedModel model, Duration time) {
    return new ServedModel(
        model.name(),
        new FixedTimeEngine(model.engine(), time),
        model.preprocessing(),
        model.labels(),
        model.spec());
  }

  @Override
  public String modelId() {
    return real.modelId();
  }

  @Override
  public int classCount() {
    return real.classCount();
  }

  /**
   * The real engine's answer for this input, after the fixed time (less only when the thread is
   * interrupted, whose flag stays set).
   *
   * @param input the preprocessed tensor
   * @return the real engine's probabilities (a copy)
   * @throws IllegalArgumentException as the real engine does, for a wrong length
   */
  @Override
  public double[] probabilities(float[] input) {
    long until = System.nanoTime() + nanos;
    double[] p =
        answers.computeIfAbsent(
            new Tensor(input.clone()),
            t -> {
              realRuns.incrementAndGet();
              return real.probabilities(t.values());
            });
    long left;
    while ((left = until - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
      LockSupport.parkNanos(left); // the fixed time, on no core
    }
    return p.clone();
  }

  /**
   * How many times the real engine ran: once per distinct input so far.
   *
   * @return the count
   */
  public long realRuns() {
    return realRuns.get();
  }

  /** Forgets the cached answers; the real engine stays open. */
  @Override
  public void close() {
    answers.clear();
  }

  /** A tensor as a map key: equal when every element is. */
  private record Tensor(float[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Tensor t && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "Tensor[" + values.length + "]";
    }
  }
}

package dev.minigradient.consensus;

import static dev.minigradient.consensus.CommitteeTrial.CONSTANT_LABEL;
import static dev.minigradient.consensus.CommitteeTrial.LABELS;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@link CommitteeTrial}'s stand-in model and how each {@link CommitteeTrial.Behavior} answers
 * it: a task is a true label in 0..9 and a softmax vector peaked on it; an honest peer and the
 * referee answer exactly that (a perfect, deterministic model), and the adversaries answer with
 * made-up probabilities (or, a copycat, not at all). Each behaviour is one line of {@link #answer},
 * so the honest path and the adversaries it is measured against read side by side.
 */
final class TrialModel {
  private TrialModel() {}

  /**
   * A stand-in task.
   *
   * @param truth the honest model's label
   * @param probabilities the honest model's probabilities, peaked on {@code truth}
   * @param input a stand-in for the input bytes (what a lazy peer hashes)
   */
  record Sample(int truth, List<Double> probabilities, long input) {}

  /**
   * A vote's content.
   *
   * @param label the label
   * @param probabilities its probabilities
   */
  record Answer(int label, List<Double> probabilities) {
    /** Probabilities no model computed: 0.91 on the label, 0.01 elsewhere. */
    static Answer madeUp(int label) {
      Double[] p = new Double[LABELS];
      for (int i = 0; i < LABELS; i++) {
        p[i] = i == label ? 0.91 : 0.01;
      }
      return new Answer(label, List.of(p));
    }
  }

  /**
   * The next stand-in task: a label, and softmax probabilities peaked on it.
   *
   * @param tasks the run's source of tasks
   * @return the task
   */
  static Sample sample(SplittableRandom tasks) {
    int truth = tasks.nextInt(LABELS);
    double[] logits = new double[LABELS];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < LABELS; c++) {
      logits[c] = tasks.nextDouble() * 2 + (c == truth ? 4 : 0);
      max = Math.max(max, logits[c]);
    }
    double sum = 0;
    for (int c = 0; c < LABELS; c++) {
      logits[c] = Math.exp(logits[c] - max);
      sum += logits[c];
    }
    Double[] p = new Double[LABELS];
    for (int c = 0; c < LABELS; c++) {
      p[c] = logits[c] / sum;
    }
    return new Sample(truth, List.of(p), tasks.nextLong());
  }

  /**
   * The vote of a peer with a behaviour on a task.
   *
   * @param behavior how the peer answers
   * @param task the task
   * @param own the peer's own source of randomness
   * @return its answer, or null for none (a silent seat)
   */
  static Answer answer(CommitteeTrial.Behavior behavior, Sample task, SplittableRandom own) {
    return switch (behavior) {
      case HONEST -> new Answer(task.truth(), task.probabilities());
      case CONSTANT -> Answer.madeUp(CONSTANT_LABEL);
      case RANDOM -> Answer.madeUp(own.nextInt(LABELS));
      case COLLUDING -> Answer.madeUp((task.truth() + 1) % LABELS);
      case COPYCAT -> null;
      case LAZY -> Answer.madeUp(Math.floorMod(mix(task.input()), LABELS));
    };
  }

  /** SplitMix64's finaliser: the lazy peers' "hash of the input". */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}

package dev.minigradient.protocol;

/**
 * The outcome of re-executing a task's model to check a peer's vote (proof of inference by
 * re-execution, after Truebit, Teutsch and Reitwießner 2017, and Gensyn's Verde, Arun et al. 2025):
 * the referee recomputes the label and the probabilities and compares.
 */
public enum AuditResult {
  /** The vote's label equals the referee's and every probability is within the tolerance. */
  PASSED,
  /**
   * The vote's label or probabilities differ from the referee's: the peer did not run the model.
   */
  FAILED
}

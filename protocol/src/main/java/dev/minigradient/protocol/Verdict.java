package dev.minigradient.protocol;

/** What one eligible peer's vote amounted to in a consensus. */
public enum Verdict {
  /** Voted the decided label in time. */
  AGREED,
  /** Voted another label than the decided one. */
  DISAGREED,
  /** Voted, but the task was not decided (no quorum), so agreement is undefined. */
  UNDECIDED,
  /** Sent no vote before the task was settled (by its deadline). */
  MISSED,
  /**
   * Had not voted yet when the task was decided early, before its deadline. Only in a {@code
   * Consensus} record: the ledger gets the peer's final verdict when it votes or the deadline
   * passes (AGREED, LATE, DISAGREED, INVALID or MISSED).
   */
  PENDING,
  /**
   * Voted the decided label, but more than the late-vote grace period after the decision: the vote
   * could not have helped decide.
   */
  LATE,
  /**
   * Sent a signed vote that does not count: wrong model, wrong input hash, or two different votes
   * for one task (equivocation). Each is provable misbehaviour and is slashed.
   */
  INVALID,
  /**
   * Voted another label than the decided one, but with probabilities within the audit tolerance of
   * the referee's re-execution: a near-tie flipped by other hardware (CPU features, execution
   * provider, ONNX Runtime version), not a lie. Escalated, never slashed; moves no score.
   */
  DRIFTED
}

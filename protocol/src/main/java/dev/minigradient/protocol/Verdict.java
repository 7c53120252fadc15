package dev.minigradient.protocol;

/** What one eligible peer's vote amounted to in a consensus. */
public enum Verdict {
  /** Voted the decided label. */
  AGREED,
  /** Voted another label than the decided one. */
  DISAGREED,
  /** Voted, but the task was not decided (no quorum), so agreement is undefined. */
  UNDECIDED,
  /** Sent no vote before the decision. */
  MISSED,
  /** Sent a vote that did not count: bad signature, wrong model or wrong input hash. */
  INVALID
}

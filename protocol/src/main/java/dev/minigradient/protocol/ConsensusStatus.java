package dev.minigradient.protocol;

/** How a task's consensus was reached. */
public enum ConsensusStatus {
  /** One label held more than 2/3 of the eligible peers' weight. */
  DECIDED,
  /** More than 2/3 of the weight refused the input as invalid (not an image, too large...). */
  REJECTED,
  /** Every eligible peer voted (or the deadline passed) and no label reached the quorum. */
  NO_QUORUM,
  /** The deadline passed before any counted vote arrived. */
  TIMED_OUT,
  /** No active peer serves the task's model: decided as soon as the task arrives. */
  UNSUPPORTED_MODEL
}

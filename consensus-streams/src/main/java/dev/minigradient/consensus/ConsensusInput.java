package dev.minigradient.consensus;

import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Vote;

/**
 * What the consensus processor reads: a task or a vote, merged into one stream keyed by task id
 * (the two topics are co-partitioned, so no repartition is needed).
 *
 * @param task the task, or null
 * @param vote the vote, or null
 */
record ConsensusInput(Task task, Vote vote) {
  static ConsensusInput of(Task task) {
    return new ConsensusInput(task, null);
  }

  static ConsensusInput of(Vote vote) {
    return new ConsensusInput(null, vote);
  }
}

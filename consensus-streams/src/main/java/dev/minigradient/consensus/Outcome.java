package dev.minigradient.consensus;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import java.util.List;

/**
 * What the consensus processor emits for a task: first its decision (to {@code
 * inference.consensus}), then its settlement (the final per-peer verdicts, to the reputation
 * ledger); a vote or task for the dead-letter topic; a roster; or a silent seat's replacement.
 * Exactly one field is set.
 *
 * @param decision the consensus, or null
 * @param settled the final verdicts, or null
 * @param settledAt when the verdicts were settled, epoch ms
 * @param taskPartition for a settlement, the task record's partition of {@code inference.tasks}, or
 *     -1 if unknown
 * @param taskOffset for a settlement, the task record's offset, or -1 if unknown
 * @param rejected a record for the dead-letter topic, as received, or null
 * @param roster a roster, or null
 * @param replacement a seat's replacement for {@code inference.replacements}, or null
 */
record Outcome(
    Consensus decision,
    List<PeerVerdict> settled,
    long settledAt,
    int taskPartition,
    long taskOffset,
    byte[] rejected,
    Roster roster,
    SeatReplacement replacement) {
  /** A roster to publish on {@code network.rosters}. */
  static Outcome roster(Roster r) {
    return new Outcome(null, null, 0, -1, -1, null, r, null);
  }

  static Outcome decision(Consensus c) {
    return new Outcome(c, null, 0, -1, -1, null, null, null);
  }

  /**
   * A task's final verdicts.
   *
   * @param verdicts one per peer
   * @param at when they were settled, epoch ms
   * @param partition the task record's partition, or -1 if unknown
   * @param offset the task record's offset, or -1 if unknown
   */
  static Outcome settlement(List<PeerVerdict> verdicts, long at, int partition, long offset) {
    return new Outcome(null, List.copyOf(verdicts), at, partition, offset, null, null, null);
  }

  /**
   * The settlement of one peer's verdict in this outcome's task.
   *
   * @param taskId the task
   * @param verdict the peer's verdict, one of {@link #settled()}
   * @return the settlement, its declared stake NaN until the registry is joined
   */
  Settlement settlementOf(String taskId, PeerVerdict verdict) {
    boolean known = taskPartition >= 0 && taskOffset >= 0;
    return new Settlement(
        Settlement.SCHEMA_VERSION,
        taskId,
        verdict,
        settledAt,
        Double.NaN,
        known ? taskPartition : null,
        known ? taskOffset : null);
  }

  /** A silent seat's replacement to announce on {@code inference.replacements}. */
  static Outcome replacement(SeatReplacement r) {
    return new Outcome(null, null, 0, -1, -1, null, null, r);
  }

  /** A vote that is not its peer's (or cannot be read), for the dead-letter topic as received. */
  static Outcome rejected(Vote asReceived) {
    // as JSON, whatever the votes topic's encoding: a dead letter is read by people
    return new Outcome(
        null,
        null,
        0,
        -1,
        -1,
        new JsonSerde<>(Vote.class).serializer().serialize(Topics.VOTES.name(), asReceived),
        null,
        null);
  }

  /** A task that cannot be processed, for the dead-letter topic. */
  static Outcome rejected(Task task) {
    return new Outcome(
        null,
        null,
        0,
        -1,
        -1,
        Topics.TASKS.valueSerde().serializer().serialize(Topics.TASKS.name(), task),
        null,
        null);
  }
}

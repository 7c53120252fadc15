package dev.minigradient.consensus;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
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
 * @param rejected a record for the dead-letter topic, as received, or null
 * @param roster a roster, or null
 * @param replacement a seat's replacement for {@code inference.replacements}, or null
 */
record Outcome(
    Consensus decision,
    List<PeerVerdict> settled,
    long settledAt,
    byte[] rejected,
    Roster roster,
    SeatReplacement replacement) {
  /** A roster to publish on {@code network.rosters}. */
  static Outcome roster(Roster r) {
    return new Outcome(null, null, 0, null, r, null);
  }

  static Outcome decision(Consensus c) {
    return new Outcome(c, null, 0, null, null, null);
  }

  static Outcome settlement(List<PeerVerdict> verdicts, long at) {
    return new Outcome(null, List.copyOf(verdicts), at, null, null, null);
  }

  /** A silent seat's replacement to announce on {@code inference.replacements}. */
  static Outcome replacement(SeatReplacement r) {
    return new Outcome(null, null, 0, null, null, r);
  }

  /** A vote that is not its peer's (or cannot be read), for the dead-letter topic as received. */
  static Outcome rejected(Vote asReceived) {
    // as JSON, whatever the votes topic's encoding: a dead letter is read by people
    return new Outcome(
        null,
        null,
        0,
        new dev.minigradient.protocol.JsonSerde<>(Vote.class)
            .serializer()
            .serialize(Topics.VOTES.name(), asReceived),
        null,
        null);
  }

  /** A task that cannot be processed, for the dead-letter topic. */
  static Outcome rejected(Task task) {
    return new Outcome(
        null,
        null,
        0,
        Topics.TASKS.valueSerde().serializer().serialize(Topics.TASKS.name(), task),
        null,
        null);
  }
}

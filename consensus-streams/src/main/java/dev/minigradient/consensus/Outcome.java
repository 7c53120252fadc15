package dev.minigradient.consensus;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.PeerVerdict;
import java.util.List;

/**
 * What the consensus processor emits for a task: first its decision (to {@code
 * inference.consensus}), then its settlement (the final per-peer verdicts, to the reputation
 * ledger). Exactly one of the two fields is set.
 *
 * @param decision the consensus, or null
 * @param settled the final verdicts, or null
 * @param settledAt when the verdicts were settled, epoch ms
 */
record Outcome(Consensus decision, List<PeerVerdict> settled, long settledAt) {
  static Outcome decision(Consensus c) {
    return new Outcome(c, null, 0);
  }

  static Outcome settlement(List<PeerVerdict> verdicts, long at) {
    return new Outcome(null, List.copyOf(verdicts), at);
  }
}

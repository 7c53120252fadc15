package dev.minigradient.consensus;

import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The weight of each eligible peer's vote on a task, fixed when the task arrives. */
@FunctionalInterface
public interface WeightRule {

  /**
   * Weights of the peers eligible for one task.
   *
   * @param peers the eligible peers' registry records, by peer id
   * @param ledger a peer's ledger entry by peer id, or null for a peer never settled
   * @return a finite weight >= 0 per peer id of {@code peers}
   */
  Map<String, Double> weights(Map<String, Peer> peers, Function<String, Reputation> ledger);

  /**
   * One peer, one vote: the quorum is then a plain 2/3 majority of the eligible peers.
   *
   * @return the rule
   */
  static WeightRule equal() {
    return (peers, ledger) -> {
      Map<String, Double> w = new LinkedHashMap<>();
      peers.keySet().forEach(id -> w.put(id, 1.0));
      return w;
    };
  }

  /**
   * Stake times reputation, with newcomers capped: see {@link StakeWeights}.
   *
   * @return the rule
   */
  static WeightRule stakeTimesReputation() {
    return new StakeWeights();
  }
}

package dev.minigradient.consensus;

import dev.minigradient.protocol.Peer;

/** The weight of a peer's vote. */
@FunctionalInterface
public interface WeightRule {

  /**
   * Weight of {@code peer}'s vote on a task.
   *
   * @param peer the registered peer
   * @return a finite weight >= 0
   */
  double weight(Peer peer);

  /**
   * One peer, one vote: the quorum is then a plain 2/3 majority of the eligible peers.
   *
   * @return the rule
   */
  static WeightRule equal() {
    return peer -> 1.0;
  }
}

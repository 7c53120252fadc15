package dev.minigradient.consensus;

import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The roster of an epoch (docs/committees.md): the candidates committees are drawn from, each with
 * its draw weight from the ledger ({@link WeightRule}) and its models, and the epoch's beacon,
 * published one epoch ahead so nobody knows the beacon before the peers are fixed (the roster and
 * seed of Algorand's sortition, Gilad et al., SOSP 2017). One implementation, applied by {@link
 * ConsensusProcessor} to publish rosters and by {@link CommitteeTrial} to simulated ones.
 */
final class Rosters {
  private Rosters() {}

  /**
   * The start of the epoch after the one holding {@code now}: the roster built now takes effect
   * then.
   *
   * @param now a time, epoch ms
   * @param interval the length of an epoch, ms (positive)
   * @return the next epoch's start, epoch ms
   */
  static long nextEpoch(long now, long interval) {
    return (now / interval + 1) * interval;
  }

  /**
   * The roster of an epoch.
   *
   * @param from the epoch's start, epoch ms
   * @param secret the consensus app's secret, keying the beacon ({@link Roster#beacon})
   * @param redundancy the network's default seats per task
   * @param peers the candidates, by peer id, in the order they are listed
   * @param weights the weight rule
   * @param ledger a peer's ledger entry, or null for a peer never settled
   * @return the roster
   */
  static Roster of(
      long from,
      byte[] secret,
      int redundancy,
      Map<String, Peer> peers,
      WeightRule weights,
      Function<String, Reputation> ledger) {
    Map<String, Double> w = weights.weights(peers, ledger);
    List<Roster.Member> members = new ArrayList<>();
    peers.forEach(
        (id, peer) -> members.add(new Roster.Member(id, w.getOrDefault(id, 0.0), peer.models())));
    return new Roster(
        Roster.SCHEMA_VERSION, from, Roster.beacon(secret, from), redundancy, members);
  }
}

package dev.minigradient.consensus;

import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Vote weight = stake x reputation, with a cap on the combined weight of newcomers.
 *
 * <ul>
 *   <li>{@code stake} is the peer's ledger stake (bond + rewards - slashed); a peer not yet in the
 *       ledger counts with the stake it declares in {@code peers.registry}, up to {@link
 *       ReputationRules#MAX_BOND} (a declaration cannot be checked, so one peer cannot buy the
 *       network's decisions by declaring a large stake).
 *   <li>{@code reputation} is the ledger score in [0,1]; a peer not yet in the ledger counts with
 *       {@link ReputationRules#INITIAL_SCORE}. Weighting votes by trust earned from agreement is
 *       EigenTrust's idea (Kamvar, Schlosser and Garcia-Molina, WWW 2003); weighting by stake is
 *       proof of stake's, as in Bittensor's Yuma consensus, where validators' weights count in
 *       proportion to their stake.
 *   <li>Sybil resistance: a newcomer is a peer judged on fewer than {@link #PROBATION_VERDICTS}
 *       tasks. While any established peer has weight, the newcomers together hold at most {@link
 *       #NEWCOMER_SHARE} of the established weight (their weights are scaled down together), so any
 *       number of fresh identities hold at most 1/5 of the total: never the 1/3 that blocks a 2/3
 *       quorum (PBFT's n >= 3f+1, Castro and Liskov 1999; CometBFT's > 2/3 of voting power).
 * </ul>
 */
public final class StakeWeights implements WeightRule {
  /** Tasks a peer is judged on before it stops being a newcomer. */
  public static final int PROBATION_VERDICTS = 20;

  /** Most combined weight of the newcomers, as a fraction of the established peers' weight. */
  public static final double NEWCOMER_SHARE = 0.25;

  @Override
  public Map<String, Double> weights(Map<String, Peer> peers, Function<String, Reputation> ledger) {
    Map<String, Double> weights = new LinkedHashMap<>();
    Map<String, Boolean> newcomer = new LinkedHashMap<>();
    double established = 0;
    double newcomers = 0;
    for (Map.Entry<String, Peer> e : peers.entrySet()) {
      Reputation r = ledger.apply(e.getKey());
      double stake = r != null ? r.stake() : ReputationRules.bond(e.getValue().stake());
      double score = r != null ? r.score() : ReputationRules.INITIAL_SCORE;
      double w = finiteOrZero(Math.max(0, stake) * Math.max(0, score));
      boolean isNew = isNewcomer(r);
      weights.put(e.getKey(), w);
      newcomer.put(e.getKey(), isNew);
      if (isNew) {
        newcomers += w;
      } else {
        established += w;
      }
    }
    double cap = NEWCOMER_SHARE * established;
    if (established > 0 && newcomers > cap) {
      double scale = cap / newcomers;
      newcomer.forEach(
          (id, isNew) -> {
            if (isNew) {
              weights.put(id, weights.get(id) * scale);
            }
          });
    }
    return weights;
  }

  /**
   * Whether a peer is a newcomer: not in the ledger yet, or judged on fewer than {@link
   * #PROBATION_VERDICTS} tasks.
   *
   * @param entry the peer's ledger entry, or null for a peer never settled
   * @return true for a newcomer
   */
  public static boolean isNewcomer(Reputation entry) {
    return entry == null || entry.judged() < PROBATION_VERDICTS;
  }

  private static double finiteOrZero(double v) {
    return Double.isFinite(v) ? v : 0;
  }
}

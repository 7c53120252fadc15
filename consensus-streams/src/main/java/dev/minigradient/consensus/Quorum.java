package dev.minigradient.consensus;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weighted tally of a task's votes and the 2/3 quorum it is measured against: which label holds
 * how much of the eligible weight, which label leads (the most weight, ties going to the lowest
 * label, so nothing depends on arrival order), and whether a weight is more than 2/3 of a total
 * (PBFT's quorum, Castro and Liskov, OSDI 1999: with n >= 3f + 1, more than 2/3 of the weight
 * always holds an honest majority of it). One implementation, applied by {@link DecisionRule}, by
 * the consensus processor to a refereed decision and by {@link LedgerReplay} to every published
 * decision.
 */
final class Quorum {
  private Quorum() {}

  /**
   * A task's votes, tallied.
   *
   * @param weights the weight of the valid votes for each label, by label in ascending order
   * @param judged how many eligible peers' votes were counted, valid or not
   * @param anyInvalid whether an eligible peer's vote is invalid
   */
  record Tally(Map<Integer, Double> weights, int judged, boolean anyInvalid) {
    /** Copies the weights, keeping their label order. */
    Tally {
      weights = Collections.unmodifiableMap(new TreeMap<>(weights));
    }

    /**
     * The leading label: the one with the most weight, ties going to the lowest label.
     *
     * @return the label, or null without valid votes
     */
    Integer leader() {
      Integer leader = null;
      double leaderWeight = 0;
      for (Map.Entry<Integer, Double> e : weights.entrySet()) {
        if (leader == null || e.getValue() > leaderWeight) { // label order: the lowest wins ties
          leader = e.getKey();
          leaderWeight = e.getValue();
        }
      }
      return leader;
    }

    /**
     * The weight of the valid votes for a label.
     *
     * @param label a label, or null
     * @return its weight, 0 when nobody voted it (or for null)
     */
    double weightOf(Integer label) {
      return label == null ? 0 : weights.getOrDefault(label, 0.0);
    }

    /**
     * How many labels the valid votes name.
     *
     * @return the number of distinct labels
     */
    int labels() {
      return weights.size();
    }
  }

  /**
   * Tallies the votes of the eligible peers; votes of other peers are ignored.
   *
   * @param eligible eligible peers and their weights
   * @param votes each peer's judged vote, at most one per peer, summed in this map's order
   * @return the tally
   */
  static Tally tally(Map<String, Double> eligible, Map<String, DecisionRule.Ballot> votes) {
    Map<Integer, Double> weights = new TreeMap<>();
    int judged = 0;
    boolean anyInvalid = false;
    for (Map.Entry<String, DecisionRule.Ballot> e : votes.entrySet()) {
      Double w = eligible.get(e.getKey());
      if (w == null) {
        continue;
      }
      judged++;
      if (e.getValue().valid()) {
        weights.merge(e.getValue().label(), w, Double::sum);
      } else {
        anyInvalid = true;
      }
    }
    return new Tally(weights, judged, anyInvalid);
  }

  /**
   * Whether a weight is a quorum of a total: more than 2/3 of it, and the total positive.
   *
   * @param weight the weight of the votes for one label
   * @param total the weight of every eligible peer
   * @return true when {@code weight} holds more than 2/3 of {@code total}
   */
  static boolean holds(double weight, double total) {
    return total > 0 && weight * 3 > total * 2;
  }
}

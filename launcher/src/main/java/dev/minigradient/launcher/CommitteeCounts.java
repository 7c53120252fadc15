package dev.minigradient.launcher;

import dev.minigradient.protocol.Consensus;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the committees of a run's answers did: model runs per task, escalations, and how evenly the
 * draw spread the seats.
 *
 * @param answers the answers counted
 * @param inferencesPerTask mean {@link Consensus#inferences()}: seated peers plus the referee's run
 *     when it audited or decided an escalation
 * @param escalationsPerTask escalated answers over answers
 * @param escalations escalated answers by reason
 * @param busiestShare the largest share of all seats one peer held (of all verdicts, for tasks
 *     without a committee list)
 * @param busiest that peer, or null without answers
 */
record CommitteeCounts(
    int answers,
    double inferencesPerTask,
    double escalationsPerTask,
    Map<String, Integer> escalations,
    double busiestShare,
    String busiest) {

  /**
   * Counts a run's answers.
   *
   * @param answers the {@code Consensus} records
   * @return the counts (NaN for means over no answer)
   */
  static CommitteeCounts of(List<Consensus> answers) {
    Map<String, Integer> reasons = new TreeMap<>();
    Map<String, Integer> seats = new TreeMap<>();
    long inferences = 0;
    int escalated = 0;
    for (Consensus c : answers) {
      inferences += c.inferences();
      if (c.escalated()) {
        escalated++;
        reasons.merge(c.escalation(), 1, Integer::sum);
      }
      if (!c.committee().isEmpty()) {
        c.committee().forEach(p -> seats.merge(p, 1, Integer::sum));
      } else {
        c.verdicts().forEach(v -> seats.merge(v.peerId(), 1, Integer::sum));
      }
    }
    int total = seats.values().stream().mapToInt(Integer::intValue).sum();
    Map.Entry<String, Integer> top =
        seats.entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
    int n = answers.size();
    return new CommitteeCounts(
        n,
        n == 0 ? Double.NaN : inferences / (double) n,
        n == 0 ? Double.NaN : escalated / (double) n,
        Collections.unmodifiableMap(reasons),
        top == null ? Double.NaN : top.getValue() / (double) total,
        top == null ? null : top.getKey());
  }
}

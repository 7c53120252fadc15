package dev.minigradient.consensus;

import dev.minigradient.protocol.Agreement;
import dev.minigradient.protocol.Vote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consensus on values: the votes of a model whose outputs are numbers agree when they lie within
 * the model's tolerance ({@link Agreement.Tolerance}), not when they are equal.
 *
 * <p>The votes are partitioned into clusters, deterministically, whatever their arrival order: of
 * the valid answering votes not yet placed, the one whose agreeing votes weigh most (ties to the
 * lowest peer id) is a centre, and it and every vote agreeing with it form the next cluster. Each
 * vote's label is its cluster's index, 0 the heaviest, so the {@link DecisionRule} decides on
 * clusters exactly as on classes: a cluster holding the quorum (or a unanimous committee) decides.
 * The decided output is the element-wise median of the cluster's values (the mean of the middle two
 * for an even count). The referee's answer joins the first cluster whose median it agrees with,
 * else a cluster of its own, so audits and escalations compare with the same tolerance.
 */
final class ValueAgreement {
  /** The tolerance of value votes on a model the consensus app does not know: equal only. */
  static final Agreement.Tolerance EXACT =
      new Agreement.Tolerance(Agreement.Tolerance.Kind.ABSOLUTE, 0);

  private ValueAgreement() {}

  /**
   * Whether a task's votes agree by value: its model says so, or a valid vote carries values.
   *
   * @param p the task
   * @return true for a value task
   */
  static boolean applies(PendingTask p) {
    if (p.tolerance != null) {
      return true;
    }
    for (PendingTask.CountedVote v : p.votes.values()) {
      if (v.valid() && !v.values().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Re-labels a value task's valid answering votes by cluster, and its referee answer likewise;
   * leaves a class task as it is. Once decided, the votes agreeing with the decided values keep the
   * decided label, so a vote arriving after the decision is judged against the decision.
   *
   * @param p the task; its votes' labels (and {@link PendingTask#reference}) are rewritten
   */
  static void relabel(PendingTask p) {
    if (!applies(p)) {
      return;
    }
    Agreement.Tolerance tol = p.tolerance != null ? p.tolerance : EXACT;
    Map<String, PendingTask.CountedVote> open = new TreeMap<>();
    p.votes.forEach(
        (peer, v) -> {
          if (v.valid() && v.rejection() == null && v.label() != Vote.REJECTED) {
            open.put(peer, v);
          }
        });
    Map<String, Integer> labels = new LinkedHashMap<>();
    List<List<Double>> medians = new ArrayList<>();
    int decidedLabel = -1;
    if (p.decided && p.values != null && p.leader != null && p.leader >= 0) {
      // after the decision, its cluster is what agrees with the decided values, under its label
      decidedLabel = p.leader;
      for (String peer : List.copyOf(open.keySet())) {
        if (tol.agrees(p.values, open.get(peer).values())) {
          labels.put(peer, decidedLabel);
          open.remove(peer);
        }
      }
    }
    while (!open.isEmpty()) {
      if (medians.size() == decidedLabel) {
        medians.add(p.values);
      }
      List<String> best = null;
      double bestWeight = -1;
      for (Map.Entry<String, PendingTask.CountedVote> centre : open.entrySet()) {
        List<String> members = new ArrayList<>();
        double weight = 0;
        for (Map.Entry<String, PendingTask.CountedVote> o : open.entrySet()) {
          if (o.getKey().equals(centre.getKey())
              || tol.agrees(centre.getValue().values(), o.getValue().values())) {
            members.add(o.getKey());
            weight += p.eligible.getOrDefault(o.getKey(), 0.0);
          }
        }
        if (weight > bestWeight) {
          best = members;
          bestWeight = weight;
        }
      }
      List<List<Double>> values = new ArrayList<>();
      for (String peer : best) {
        labels.put(peer, medians.size());
        values.add(open.remove(peer).values());
      }
      medians.add(median(values));
    }
    while (medians.size() <= decidedLabel) {
      medians.add(medians.size() == decidedLabel ? p.values : List.of());
    }
    labels.forEach((peer, label) -> p.votes.put(peer, p.votes.get(peer).withLabel(label)));
    if (p.reference != null && p.reference.label() != Vote.REJECTED) {
      int label = medians.size();
      for (int i = 0; i < medians.size(); i++) {
        if (tol.agrees(medians.get(i), p.reference.values())) {
          label = i;
          break;
        }
      }
      p.reference = p.reference.withLabel(label);
    }
  }

  /**
   * A value task's decided output: the median of the votes of the decided cluster, or the referee's
   * values when it decided for a cluster of its own.
   *
   * @param p the task, re-labelled
   * @param label the decided cluster
   * @return the values, or null for a class task or a refusal
   */
  static List<Double> decided(PendingTask p, Integer label) {
    if (label == null || label == Vote.REJECTED || !applies(p)) {
      return null;
    }
    List<List<Double>> values = new ArrayList<>();
    p.votes.values().stream()
        .filter(v -> v.valid() && v.label() == label)
        .forEach(v -> values.add(v.values()));
    if (values.isEmpty()) {
      return p.reference != null && p.reference.label() == label ? p.reference.values() : null;
    }
    return median(values);
  }

  /**
   * The element-wise median of equally long vectors (for an even count, the mean of the middle
   * two), the longest vector's length when lengths differ (a shorter one has no say there).
   *
   * @param vectors at least one vector
   * @return the median vector
   */
  static List<Double> median(List<List<Double>> vectors) {
    int n = vectors.stream().mapToInt(List::size).max().orElse(0);
    List<Double> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      final int at = i;
      double[] column =
          vectors.stream().filter(v -> v.size() > at).mapToDouble(v -> v.get(at)).toArray();
      Arrays.sort(column);
      int m = column.length;
      out.add(m % 2 == 1 ? column[m / 2] : (column[m / 2 - 1] + column[m / 2]) / 2);
    }
    return out;
  }
}

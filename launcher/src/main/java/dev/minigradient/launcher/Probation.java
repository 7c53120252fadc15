package dev.minigradient.launcher;

import dev.minigradient.consensus.StakeWeights;
import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Rosters;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.TopicSnapshot;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Untimed tasks until every peer of a network has served its probation: judged on at least {@link
 * StakeWeights#PROBATION_VERDICTS} tasks, so none is a newcomer (newcomers are capped in draw
 * weight and their tasks audited at 20%, which would skew a measurement), and listed in the roster
 * in effect. {@code bench} runs it before it times a network that peers have just joined.
 */
final class Probation {
  private Probation() {}

  /**
   * What the warm-up took.
   *
   * @param peers the peers it waited for
   * @param tasks untimed tasks submitted
   * @param seconds how long it took, s
   * @param leastJudged the fewest tasks any of the peers had been judged on at the end
   * @param inRoster whether the roster in effect at the end listed every peer (at the weight
   *     balance asked for)
   * @param weights the peers' draw weights in the roster in effect at the end (absent: not listed)
   */
  record Served(
      int peers,
      int tasks,
      double seconds,
      long leastJudged,
      boolean inRoster,
      Map<String, Double> weights) {
    /** Whether every peer is established and in the roster. */
    boolean complete() {
      return leastJudged >= StakeWeights.PROBATION_VERDICTS && inRoster;
    }

    /** A sentence for the report's notes. */
    String note() {
      return String.format(
          Locale.ROOT,
          "%d untimed tasks (%.0f s) until each of the %d peers had been judged on %d tasks or more "
              + "(the fewest: %d; newcomers are capped in draw weight and audited at 20%%) and the roster in effect listed them all%s",
          tasks,
          seconds,
          peers,
          StakeWeights.PROBATION_VERDICTS,
          leastJudged,
          complete() ? "" : " - NOT reached within the time limit");
    }
  }

  /**
   * Submits untimed tasks, batch after batch, until every peer has been judged on {@link
   * StakeWeights#PROBATION_VERDICTS} tasks (read from the ledger's changelog), then waits until the
   * roster in effect lists them all. The first batch is {@code peers x 20 / k} tasks, enough if the
   * draw spread the seats evenly; later ones are half as many (the least-served peer lags the
   * mean).
   *
   * @param kafka the cluster
   * @param modelId the model the tasks name
   * @param inputs inputs, used in turn
   * @param peerIds the peers
   * @param k seats per task
   * @param inFlight tasks in flight
   * @param limit the longest the warm-up may take; it stops after the batch that passes it
   * @param balance the least weight a peer may have in the roster, as a fraction of the largest
   *     among {@code peerIds} (0 to check membership only)
   * @return what it took
   */
  static Served serve(
      KafkaSettings kafka,
      String modelId,
      List<Input> inputs,
      Set<String> peerIds,
      int k,
      int inFlight,
      Duration limit,
      double balance) {
    long t0 = System.nanoTime();
    long until = t0 + limit.toNanos();
    int first =
        Math.max(k, (int) Math.ceil(peerIds.size() * (double) StakeWeights.PROBATION_VERDICTS / k));
    int tasks = 0;
    long least = leastJudged(kafka, peerIds);
    try (Submitter s = new Submitter(kafka, "bench-warm-up", Duration.ofSeconds(10))) {
      while (least < StakeWeights.PROBATION_VERDICTS && System.nanoTime() < until) {
        int batch = tasks == 0 ? first : Math.max(k, first / 2);
        s.submitAndAwait(
            cycle(inputs, tasks, batch), modelId, inFlight, Duration.ofSeconds(60), r -> {});
        tasks += batch;
        least = leastJudged(kafka, peerIds);
      }
    }
    Map<String, Double> weights = Map.of();
    long rosterUntil = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!balanced(weights = weights(kafka, peerIds), peerIds, balance)
        && System.nanoTime() < rosterUntil) {
      Bench.pause(200);
    }
    return new Served(
        peerIds.size(),
        tasks,
        (System.nanoTime() - t0) / 1e9,
        least,
        balanced(weights, peerIds, balance),
        weights);
  }

  /**
   * {@code n} inputs taken in turn from {@code from} on.
   *
   * @param inputs the inputs
   * @param from the index of the first
   * @param n how many
   * @return the list
   */
  static List<Input> cycle(List<Input> inputs, int from, int n) {
    List<Input> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(inputs.get((from + i) % inputs.size()));
    }
    return out;
  }

  /**
   * The fewest tasks any of the peers has been judged on, by the ledger's changelog (0 if absent).
   */
  private static long leastJudged(KafkaSettings kafka, Set<String> peerIds) {
    Map<String, Long> judged = new HashMap<>();
    readValues(
        kafka, Topics.REPUTATION, peerIds::contains, (peer, r) -> judged.put(peer, r.judged()));
    return peerIds.stream().mapToLong(p -> judged.getOrDefault(p, 0L)).min().orElse(0);
  }

  /**
   * Whether the weights list every peer, each with at least {@code balance} of the largest weight
   * among them.
   */
  private static boolean balanced(
      Map<String, Double> weights, Set<String> peerIds, double balance) {
    if (!weights.keySet().containsAll(peerIds)) {
      return false;
    }
    double max = peerIds.stream().mapToDouble(weights::get).max().orElse(0);
    return max > 0 && peerIds.stream().allMatch(p -> weights.get(p) >= balance * max);
  }

  /** The draw weights of the peers in the roster in effect now; empty without a roster. */
  private static Map<String, Double> weights(KafkaSettings kafka, Set<String> peerIds) {
    Rosters rosters = new Rosters();
    readValues(kafka, Topics.ROSTERS, key -> true, (key, roster) -> rosters.add(roster));
    Roster roster = rosters.at(System.currentTimeMillis());
    Map<String, Double> weights = new HashMap<>();
    if (roster != null) {
      roster.members().stream()
          .filter(m -> peerIds.contains(m.peerId()))
          .forEach(m -> weights.put(m.peerId(), m.weight()));
    }
    return weights;
  }

  /**
   * Hands the value of every record of {@code topic} whose key {@code keys} accepts to {@code
   * each}, with its key, in offset order; tombstones are skipped.
   */
  private static <V> void readValues(
      KafkaSettings kafka, Topic<V> topic, Predicate<String> keys, BiConsumer<String, V> each) {
    var deserializer = topic.valueSerde().deserializer();
    TopicSnapshot.read(
        kafka,
        topic.name(),
        Duration.ofSeconds(30),
        r -> {
          if (r.value() != null && keys.test(r.key())) {
            each.accept(r.key(), deserializer.deserialize(r.topic(), r.value()));
          }
        });
  }
}

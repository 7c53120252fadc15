package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figures of the whole network, computed from the views and the live feed: what {@code
 * /api/summary} answers, the SSE {@code summary} event carries every second and the Prometheus
 * gauges read.
 */
public final class NetworkStats {
  /** Upper bounds, ms, of the latency histogram's buckets; the last bucket is open. */
  static final long[] LATENCY_BOUNDS_MS = {10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000};

  /** Decisions the latency distribution is computed over: the newest this many. */
  static final int LATENCY_WINDOW = 1_000;

  /** Seconds of per-second throughput in {@link Summary#throughput}. */
  static final int THROUGHPUT_SECONDS = 60;

  /**
   * The latency distribution of the newest decisions.
   *
   * @param count decisions it covers
   * @param p50Ms median, ms (nearest rank), null when none
   * @param p90Ms 90th percentile, ms, null when none
   * @param p99Ms 99th percentile, ms, null when none
   * @param maxMs largest, ms, null when none
   * @param meanMs mean, ms, null when none
   * @param histogram one bucket per bound in {@link #LATENCY_BOUNDS_MS} plus an open last one
   */
  public record Latency(
      int count, Long p50Ms, Long p90Ms, Long p99Ms, Long maxMs, Double meanMs, List<Bucket> histogram) {}

  /**
   * One histogram bucket.
   *
   * @param leMs its upper bound, ms; null for the open last bucket
   * @param count decisions in it (not cumulative)
   */
  public record Bucket(Long leMs, long count) {}

  /**
   * Decisions in one second.
   *
   * @param t the second's start, epoch ms
   * @param decisions decisions made in it
   */
  public record Second(long t, long decisions) {}

  /**
   * The network at a glance.
   *
   * @param tasksSubmitted tasks read from {@code inference.tasks} (retained history and live)
   * @param tasksCompleted decisions with status {@code DECIDED} (as {@code /metrics} counts them)
   * @param decisions all decisions
   * @param byStatus decisions by status (every status, zeros included)
   * @param verdicts peer verdicts by kind over all decisions (every kind)
   * @param throughputPerSecond decisions per second over the last 10 s
   * @param throughput decisions per second over the last {@link #THROUGHPUT_SECONDS} s, oldest
   *     first
   * @param latency latency distribution of the newest {@link #LATENCY_WINDOW} decisions
   * @param activePeers ids of the active peers
   * @param peersKnown peers with a reputation record
   * @param deadLetters dead-letter records read
   * @param generatedAt when computed, epoch ms
   */
  public record Summary(
      long tasksSubmitted,
      long tasksCompleted,
      long decisions,
      Map<String, Long> byStatus,
      Map<String, Long> verdicts,
      double throughputPerSecond,
      List<Second> throughput,
      Latency latency,
      List<String> activePeers,
      int peersKnown,
      long deadLetters,
      long generatedAt) {}

  /**
   * A summary with the reputation ledger it was computed with (for the Prometheus gauges).
   *
   * @param summary the summary
   * @param reputation the ledger, by peer id
   * @param deadByReason dead letters by reason
   */
  record Snapshot(Summary summary, Map<String, Reputation> reputation, Map<String, Long> deadByReason) {}

  private NetworkStats() {}

  /**
   * Computes the snapshot now.
   *
   * @param views the views
   * @param feed the live feed
   * @param nowMs wall-clock time, epoch ms
   * @return the snapshot
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the views are not
   *     queryable
   */
  static Snapshot compute(NetworkViews views, LiveFeed feed, long nowMs) {
    List<Consensus> history = views.consensusHistory();
    Map<String, Reputation> reputation = views.reputation();
    List<String> active = views.activePeers();
    LiveFeed.DeadLetterSummary dead = feed.deadLetters();
    Summary s =
        summarize(history, nowMs, feed.tasksSeen(), active, reputation.size(), dead.total());
    return new Snapshot(s, reputation, dead.byReason());
  }

  /**
   * Computes a summary from decisions; a pure function.
   *
   * @param history decisions, oldest first (by decision time)
   * @param nowMs wall-clock time, epoch ms
   * @param tasksSubmitted tasks seen
   * @param activePeers active peer ids
   * @param peersKnown peers with a reputation record
   * @param deadLetters dead letters seen
   * @return the summary
   */
  static Summary summarize(
      List<Consensus> history, long nowMs, long tasksSubmitted, List<String> activePeers, int peersKnown, long deadLetters) {
    Map<String, Long> byStatus = new LinkedHashMap<>();
    for (ConsensusStatus st : ConsensusStatus.values()) {
      byStatus.put(st.name(), 0L);
    }
    Map<String, Long> verdicts = new LinkedHashMap<>();
    for (Verdict v : Verdict.values()) {
      verdicts.put(v.name(), 0L);
    }
    long secondNow = nowMs / 1000 * 1000;
    long firstSecond = secondNow - (THROUGHPUT_SECONDS - 1) * 1000L;
    long[] perSecond = new long[THROUGHPUT_SECONDS];
    long last10s = 0;
    for (Consensus c : history) {
      if (c.status() != null) {
        byStatus.merge(c.status().name(), 1L, Long::sum);
      }
      for (PeerVerdict v : c.verdicts()) {
        if (v.verdict() != null) {
          verdicts.merge(v.verdict().name(), 1L, Long::sum);
        }
      }
      if (c.decidedAt() >= firstSecond && c.decidedAt() < secondNow + 1000) {
        perSecond[(int) ((c.decidedAt() - firstSecond) / 1000)]++;
      }
      if (c.decidedAt() > nowMs - 10_000 && c.decidedAt() <= nowMs) {
        last10s++;
      }
    }
    List<Second> series = new ArrayList<>();
    for (int i = 0; i < THROUGHPUT_SECONDS; i++) {
      series.add(new Second(firstSecond + i * 1000L, perSecond[i]));
    }
    List<Consensus> window = history.subList(Math.max(0, history.size() - LATENCY_WINDOW), history.size());
    return new Summary(
        tasksSubmitted,
        byStatus.get(ConsensusStatus.DECIDED.name()),
        history.size(),
        byStatus,
        verdicts,
        last10s / 10.0,
        series,
        latency(window),
        activePeers,
        peersKnown,
        deadLetters,
        nowMs);
  }

  static Latency latency(List<Consensus> decisions) {
    long[] ms = decisions.stream().mapToLong(c -> Math.max(0, c.latencyMs())).sorted().toArray();
    long[] counts = new long[LATENCY_BOUNDS_MS.length + 1];
    for (long v : ms) {
      int i = 0;
      while (i < LATENCY_BOUNDS_MS.length && v > LATENCY_BOUNDS_MS[i]) {
        i++;
      }
      counts[i]++;
    }
    List<Bucket> buckets = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) {
      buckets.add(new Bucket(i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : null, counts[i]));
    }
    if (ms.length == 0) {
      return new Latency(0, null, null, null, null, null, buckets);
    }
    return new Latency(
        ms.length,
        rank(ms, 0.50),
        rank(ms, 0.90),
        rank(ms, 0.99),
        ms[ms.length - 1],
        Arrays.stream(ms).average().orElse(0),
        buckets);
  }

  /** Nearest-rank percentile of sorted values. */
  private static long rank(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}

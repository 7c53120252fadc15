package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
      int count,
      Long p50Ms,
      Long p90Ms,
      Long p99Ms,
      Long maxMs,
      Double meanMs,
      List<Bucket> histogram) {}

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
   * What the committees cost and how often the referee decided.
   *
   * @param bySeats decisions by the seats of their committee: the number drawn, or {@code all} when
   *     every eligible peer served the task (one seat each); decisions no peer served are left out.
   *     Numbers ascending, {@code all} last
   * @param meanSeats mean seats per decision some peer served (an {@code all} committee counts its
   *     eligible peers), null when none
   * @param escalations decisions the referee's re-execution made, by reason ({@code disagreement},
   *     {@code invalid-vote}, {@code missing-seat}, {@code no-quorum}, {@code audit}), sorted by
   *     reason; only reasons seen
   * @param inferences model runs all decisions cost (votes plus the referee's re-executions)
   * @param inferencesPerDecision {@code inferences} over all decisions, null when none
   */
  public record Committees(
      Map<String, Long> bySeats,
      Double meanSeats,
      Map<String, Long> escalations,
      long inferences,
      Double inferencesPerDecision) {}

  /** The {@link Committees#bySeats} key of a committee of every eligible peer. */
  static final String ALL_SEATS = "all";

  /**
   * The seats of a decision's committee.
   *
   * @param c the decision
   * @return the seats drawn; for a committee of every eligible peer, one per eligible peer; 0 when
   *     no peer served the task
   */
  static int seats(Consensus c) {
    return c.committee().isEmpty() ? c.verdicts().size() : c.committee().size();
  }

  /**
   * The network at a glance.
   *
   * @param tasksSubmitted tasks read from {@code inference.tasks} (retained history and live)
   * @param tasksCompleted decisions with status {@code DECIDED} (as {@code /metrics} counts them)
   * @param decisions all decisions
   * @param byStatus decisions by status (every status, zeros included)
   * @param verdicts peer verdicts by kind over all decisions (every kind)
   * @param committees committee sizes, escalations and model runs over all decisions
   * @param throughputPerSecond decisions per second over the last 10 whole seconds (the current one
   *     included)
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
      Committees committees,
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
  record Snapshot(
      Summary summary, Map<String, Reputation> reputation, Map<String, Long> deadByReason) {}

  private NetworkStats() {}

  /**
   * Running figures over every decision added, in bounded memory: counts by status, verdict,
   * committee size and escalation reason, model runs, the newest {@link #LATENCY_WINDOW} latencies,
   * and decisions per second over the last two minutes. The live feed adds each decision it reads
   * from {@code inference.consensus}, so a summary costs the same after a million decisions as
   * after ten. Thread-safe.
   */
  public static final class Tally {
    private long total;
    private final Map<String, Long> byStatus = new LinkedHashMap<>();
    private final Map<String, Long> verdicts = new LinkedHashMap<>();
    private final Map<String, Long> bySeats =
        new TreeMap<>(
            Comparator.comparingInt(
                (String k) -> k.equals(ALL_SEATS) ? Integer.MAX_VALUE : Integer.parseInt(k)));
    private long seatsServed;
    private long seatsTotal;
    private final Map<String, Long> escalations = new TreeMap<>();
    private long inferences;
    private final ArrayDeque<Long> latencies = new ArrayDeque<>();
    private final TreeMap<Long, Long> perSecond = new TreeMap<>();

    /** An empty tally. */
    public Tally() {
      for (ConsensusStatus st : ConsensusStatus.values()) {
        byStatus.put(st.name(), 0L);
      }
      for (Verdict v : Verdict.values()) {
        verdicts.put(v.name(), 0L);
      }
    }

    /**
     * Adds one decision.
     *
     * @param c the decision
     * @param nowMs wall-clock time, epoch ms; decisions older than two minutes count in totals only
     */
    public synchronized void add(Consensus c, long nowMs) {
      total++;
      if (c.status() != null) {
        byStatus.merge(c.status().name(), 1L, Long::sum);
      }
      for (PeerVerdict v : c.verdicts()) {
        if (v.verdict() != null) {
          verdicts.merge(v.verdict().name(), 1L, Long::sum);
        }
      }
      int seats = seats(c);
      if (seats > 0) {
        bySeats.merge(c.committee().isEmpty() ? ALL_SEATS : Integer.toString(seats), 1L, Long::sum);
        seatsServed++;
        seatsTotal += seats;
      }
      if (c.escalated()) {
        escalations.merge(c.escalation(), 1L, Long::sum);
      }
      inferences += Math.max(0, c.inferences());
      latencies.addLast(Math.max(0, c.latencyMs()));
      while (latencies.size() > LATENCY_WINDOW) {
        latencies.removeFirst();
      }
      long oldest = second(nowMs) - 2L * THROUGHPUT_SECONDS * 1000;
      if (c.decidedAt() >= oldest) {
        perSecond.merge(second(c.decidedAt()), 1L, Long::sum);
      }
      perSecond.headMap(oldest).clear();
    }

    /**
     * The summary of what was added.
     *
     * @param nowMs wall-clock time, epoch ms
     * @param tasksSubmitted tasks seen
     * @param activePeers active peer ids
     * @param peersKnown peers with a reputation record
     * @param deadLetters dead letters seen
     * @return the summary
     */
    public synchronized Summary summary(
        long nowMs,
        long tasksSubmitted,
        List<String> activePeers,
        int peersKnown,
        long deadLetters) {
      long secondNow = second(nowMs);
      long firstSecond = secondNow - (THROUGHPUT_SECONDS - 1) * 1000L;
      List<Second> series = new ArrayList<>();
      long last10s = 0;
      for (int i = 0; i < THROUGHPUT_SECONDS; i++) {
        long t = firstSecond + i * 1000L;
        long n = perSecond.getOrDefault(t, 0L);
        series.add(new Second(t, n));
        if (i >= THROUGHPUT_SECONDS - 10) {
          last10s += n;
        }
      }
      return new Summary(
          tasksSubmitted,
          byStatus.get(ConsensusStatus.DECIDED.name()),
          total,
          new LinkedHashMap<>(byStatus),
          new LinkedHashMap<>(verdicts),
          new Committees(
              new LinkedHashMap<>(bySeats),
              seatsServed == 0 ? null : (double) seatsTotal / seatsServed,
              new LinkedHashMap<>(escalations),
              inferences,
              total == 0 ? null : (double) inferences / total),
          last10s / 10.0,
          series,
          latency(latencies.stream().mapToLong(Long::longValue).toArray()),
          activePeers,
          peersKnown,
          deadLetters,
          nowMs);
    }

    private static long second(long ms) {
      return Math.floorDiv(ms, 1000) * 1000;
    }
  }

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
    Map<String, Reputation> reputation = views.reputation();
    List<String> active = views.activePeers();
    LiveFeed.DeadLetterSummary dead = feed.deadLetters();
    Summary s =
        feed.decisions().summary(nowMs, feed.tasksSeen(), active, reputation.size(), dead.total());
    return new Snapshot(s, reputation, dead.byReason());
  }

  /**
   * Computes a summary from decisions, as the tally does.
   *
   * @param history decisions, in the order they were read
   * @param nowMs wall-clock time, epoch ms
   * @param tasksSubmitted tasks seen
   * @param activePeers active peer ids
   * @param peersKnown peers with a reputation record
   * @param deadLetters dead letters seen
   * @return the summary
   */
  static Summary summarize(
      List<Consensus> history,
      long nowMs,
      long tasksSubmitted,
      List<String> activePeers,
      int peersKnown,
      long deadLetters) {
    Tally t = new Tally();
    history.forEach(c -> t.add(c, nowMs));
    return t.summary(nowMs, tasksSubmitted, activePeers, peersKnown, deadLetters);
  }

  static Latency latency(long[] unsorted) {
    long[] ms = unsorted.clone();
    Arrays.sort(ms);
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
      buckets.add(
          new Bucket(i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : null, counts[i]));
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

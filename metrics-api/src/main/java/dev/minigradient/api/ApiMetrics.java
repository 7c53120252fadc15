package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Verdict;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The API's Prometheus metrics ({@code GET /prometheus}, text format 0.0.4) through Micrometer: the
 * views' own Kafka Streams client metrics ({@link KafkaStreamsMetrics}), the JVM's, and the
 * network's:
 *
 * <ul>
 *   <li>{@code mg_tasks_submitted_total}: tasks read from {@code inference.tasks};
 *   <li>{@code mg_decisions_total{status}}: decisions by status;
 *   <li>{@code mg_verdicts_total{verdict}}: peer verdicts by kind;
 *   <li>{@code mg_dead_letters_total{reason}}: dead-letter records by reason;
 *   <li>{@code mg_escalations_total{reason}}: decisions the referee's re-execution made, by reason
 *       (registered as each reason is first seen);
 *   <li>{@code mg_inferences_total}: model runs the decisions asked of the network ({@code
 *       Consensus.inferences}: one per eligible, seated peer, plus the referee's re-execution);
 *   <li>{@code mg_peer_reputation{peer}}, {@code mg_peer_stake{peer}}, {@code mg_peer_active{peer}}
 *       (1 or 0), {@code mg_peer_votes_total{peer,verdict}};
 *   <li>{@code mg_decision_latency_seconds}: a histogram of the decisions this API instance saw
 *       arrive since it started;
 *   <li>{@code mg_committee_seats}: a histogram of the committee seats of the same decisions (a
 *       committee of every eligible peer counts one seat each; a decision no peer served, none).
 * </ul>
 *
 * Network figures come from the latest {@link NetworkStats.Snapshot} ({@link #update}), so a scrape
 * never waits on the state stores.
 */
public final class ApiMetrics implements AutoCloseable {
  /** Upper bounds of the seats histogram's buckets. */
  private static final double[] SEAT_BUCKETS = {1, 2, 3, 5, 7, 10, 15, 25, 50};

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final KafkaStreamsMetrics streamsMetrics;
  private final Timer latency;
  private final DistributionSummary seats;
  private final Set<String> peers = ConcurrentHashMap.newKeySet();
  private final Set<String> reasons = ConcurrentHashMap.newKeySet();
  private final Set<String> escalationReasons = ConcurrentHashMap.newKeySet();
  private volatile NetworkStats.Snapshot snapshot;

  /**
   * Registers every meter.
   *
   * @param streams the views' Kafka Streams client
   * @param feed the live feed (task count; each new decision's latency)
   */
  public ApiMetrics(KafkaStreams streams, LiveFeed feed) {
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    FunctionCounter.builder("mg.tasks.submitted", feed, LiveFeed::tasksSeen)
        .description("Tasks read from the tasks topic")
        .register(registry);
    for (ConsensusStatus st : ConsensusStatus.values()) {
      FunctionCounter.builder("mg.decisions", this, m -> m.count(m.summaryMap(true), st.name()))
          .description("Consensus decisions by status")
          .tag("status", st.name())
          .register(registry);
    }
    for (Verdict v : Verdict.values()) {
      FunctionCounter.builder("mg.verdicts", this, m -> m.count(m.summaryMap(false), v.name()))
          .description(
              "Peer verdicts in consensus records at decision time, by kind (PENDING: no vote yet when decided early)")
          .tag("verdict", v.name())
          .register(registry);
    }
    FunctionCounter.builder(
            "mg.inferences",
            this,
            m -> {
              NetworkStats.Snapshot s = m.snapshot;
              return s == null ? 0 : s.summary().committees().inferences();
            })
        .description(
            "Model runs the decisions asked of the network: one per seated (eligible) peer plus the referee's re-executions")
        .register(registry);
    latency =
        Timer.builder("mg.decision.latency")
            .description(
                "Submission-to-decision latency of the decisions this API instance saw arrive")
            .serviceLevelObjectives(latencyBuckets())
            .register(registry);
    seats =
        DistributionSummary.builder("mg.committee.seats")
            .description(
                "Committee seats of the decisions this API instance saw arrive (every eligible peer: one seat each)")
            .serviceLevelObjectives(SEAT_BUCKETS)
            .register(registry);
    feed.onConsensus(this::record);
  }

  /**
   * The histogram's buckets: the dashboard's latency buckets ({@link
   * NetworkStats#LATENCY_BOUNDS_MS}).
   */
  private static Duration[] latencyBuckets() {
    Duration[] out = new Duration[NetworkStats.LATENCY_BOUNDS_MS.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Duration.ofMillis(NetworkStats.LATENCY_BOUNDS_MS[i]);
    }
    return out;
  }

  /**
   * Records one decision's latency and committee seats; the live feed calls it for each decision
   * made since it started.
   *
   * @param c the decision
   */
  void record(Consensus c) {
    latency.record(Duration.ofMillis(Math.max(0, c.latencyMs())));
    int n = NetworkStats.seats(c);
    if (n > 0) {
      seats.record(n);
    }
  }

  private Map<String, Long> summaryMap(boolean statuses) {
    NetworkStats.Snapshot s = snapshot;
    if (s == null) {
      return Map.of();
    }
    return statuses ? s.summary().byStatus() : s.summary().verdicts();
  }

  private double count(Map<String, Long> counts, String key) {
    Long n = counts.get(key);
    return n == null ? 0 : n;
  }

  private Reputation reputation(String peer) {
    NetworkStats.Snapshot s = snapshot;
    return s == null ? null : s.reputation().get(peer);
  }

  /**
   * Takes a new snapshot, registering the meters of peers, dead-letter reasons and escalation
   * reasons seen for the first time.
   *
   * @param s the snapshot
   */
  public void update(NetworkStats.Snapshot s) {
    snapshot = s;
    for (String peer : s.reputation().keySet()) {
      if (peers.add(peer)) {
        registerPeer(peer);
      }
    }
    registerReasons(
        s.deadByReason(),
        reasons,
        "mg.dead.letters",
        "Dead-letter records by reason",
        NetworkStats.Snapshot::deadByReason);
    registerReasons(
        s.summary().committees().escalations(),
        escalationReasons,
        "mg.escalations",
        "Decisions the referee's re-execution made, by reason",
        cur -> cur.summary().committees().escalations());
  }

  /**
   * Registers a counter tagged {@code reason} for each reason of {@code counts} not yet in {@code
   * registered}; each counter reads its count from the latest snapshot.
   */
  private void registerReasons(
      Map<String, Long> counts,
      Set<String> registered,
      String name,
      String description,
      Function<NetworkStats.Snapshot, Map<String, Long>> byReason) {
    for (String reason : counts.keySet()) {
      if (registered.add(reason)) {
        FunctionCounter.builder(
                name,
                this,
                m -> {
                  NetworkStats.Snapshot cur = m.snapshot;
                  return cur == null ? 0 : byReason.apply(cur).getOrDefault(reason, 0L);
                })
            .description(description)
            .tag("reason", reason)
            .register(registry);
      }
    }
  }

  private void registerPeer(String peer) {
    Gauge.builder("mg.peer.reputation", this, m -> value(m.reputation(peer), Reputation::score))
        .description("A peer's reputation score, 0..1")
        .tag("peer", peer)
        .register(registry);
    Gauge.builder("mg.peer.stake", this, m -> value(m.reputation(peer), Reputation::stake))
        .description("A peer's stake in the reputation ledger, tokens")
        .tag("peer", peer)
        .register(registry);
    Gauge.builder(
            "mg.peer.active",
            this,
            m -> {
              NetworkStats.Snapshot s = m.snapshot;
              return s != null && s.summary().activePeers().contains(peer) ? 1 : 0;
            })
        .description("1 while the peer is active in the registry, else 0")
        .tag("peer", peer)
        .register(registry);
    Map<String, ToDoubleFunction<Reputation>> kinds =
        Map.of(
            "AGREED", r -> r.agreed(),
            "DISAGREED", r -> r.disagreed(),
            "LATE", r -> r.late(),
            "MISSED", r -> r.missed(),
            "INVALID", r -> r.invalid());
    kinds.forEach(
        (kind, f) ->
            FunctionCounter.builder(
                    "mg.peer.votes",
                    this,
                    m -> m.reputation(peer) == null ? 0 : f.applyAsDouble(m.reputation(peer)))
                .description("A peer's settled verdicts by kind, from the reputation ledger")
                .tag("peer", peer)
                .tag("verdict", kind)
                .register(registry));
  }

  private static double value(Reputation r, ToDoubleFunction<Reputation> f) {
    return r == null ? Double.NaN : f.applyAsDouble(r);
  }

  /**
   * The Prometheus text exposition of every meter.
   *
   * @return text format 0.0.4
   */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * The registry, for more binders.
   *
   * @return the registry
   */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void close() {
    streamsMetrics.close();
    registry.close();
  }
}

package dev.minigradient.launcher;

import dev.minigradient.api.ApiService;
import dev.minigradient.api.MetricsApi;
import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.consensus.Referee;
import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.worker.Behavior;
import dev.minigradient.worker.PeerWorker;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole network in one process: an in-JVM KRaft broker (or an external cluster), N peers
 * sharing one ONNX Runtime session, the consensus Streams app and the HTTP API.
 */
public final class EmbeddedNetwork implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedNetwork.class);

  private final EmbeddedKafka kafka;
  private final KafkaSettings settings;
  private final List<ServedModel> served = new ArrayList<>();
  private final List<PeerWorker> peers = new ArrayList<>();
  private final ConsensusService consensus;
  private final ApiService api;
  private final Path stateDir;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * One peer of the network.
   *
   * @param peerId its id
   * @param behavior honest or a simulated adversary
   * @param stake the stake it declares, tokens
   */
  public record PeerPlan(String peerId, Behavior behavior, double stake) {
    /**
     * {@code n} honest peers {@code peer-1..peer-n} with stake 100.
     *
     * @param n how many
     * @return the plans
     */
    public static List<PeerPlan> honest(int n) {
      List<PeerPlan> plans = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        plans.add(new PeerPlan("peer-" + i, Behavior.honest(), 100));
      }
      return plans;
    }
  }

  /**
   * Network settings.
   *
   * @param bootstrapServers an external cluster, or null to start an embedded one
   * @param peers the peers
   * @param models the models every peer serves; the first is the demo's
   * @param httpPort API port, 0 for any free port
   * @param partitions partitions per topic
   * @param decisionTimeoutMs consensus deadline, ms
   * @param commitIntervalMs the consensus app's commit interval, ms
   * @param exactlyOnce exactly_once_v2 (true) or at_least_once for the consensus app
   * @param auditRate fraction of tasks the consensus app audits by re-execution, 0..1
   * @param redundancy committee seats of a task that names none ({@link Redundancy#ALL}: every
   *     peer)
   * @param kafka client settings for an external cluster ({@code --kafka}), applied after the
   *     {@code MG_KAFKA_*} environment; the in-JVM broker is plaintext on localhost and takes
   *     neither
   */
  public record Options(
      String bootstrapServers,
      List<PeerPlan> peers,
      List<ModelSpec> models,
      int httpPort,
      int partitions,
      long decisionTimeoutMs,
      long commitIntervalMs,
      boolean exactlyOnce,
      double auditRate,
      int redundancy,
      Map<String, String> kafka) {
    /** Validates the options. */
    public Options {
      models = List.copyOf(models);
      kafka = kafka == null ? Map.of() : Map.copyOf(kafka);
      peers = List.copyOf(peers);
      if (models.isEmpty()) {
        throw new IllegalArgumentException("at least one model");
      }
      if (peers.isEmpty() || peers.size() > 64) {
        throw new IllegalArgumentException("peers must be 1..64, got " + peers.size());
      }
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1");
      }
      if (httpPort < 0 || httpPort > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + httpPort);
      }
      if (!(auditRate >= 0 && auditRate <= 1)) {
        throw new IllegalArgumentException("audit rate must be in [0,1], got " + auditRate);
      }
      Redundancy.check(redundancy);
    }

    /**
     * Settings with {@code n} honest peers.
     *
     * @param bootstrapServers an external cluster, or null
     * @param n number of honest peers
     * @param models the models
     * @param httpPort API port
     * @param partitions partitions per topic
     * @param decisionTimeoutMs deadline, ms
     * @param commitIntervalMs commit interval, ms
     * @param exactlyOnce exactly-once when true
     * @return the options, with the default audit rate
     */
    public static Options honest(
        String bootstrapServers,
        int n,
        List<ModelSpec> models,
        int httpPort,
        int partitions,
        long decisionTimeoutMs,
        long commitIntervalMs,
        boolean exactlyOnce) {
      return new Options(
          bootstrapServers,
          PeerPlan.honest(Math.max(0, n)),
          models,
          httpPort,
          partitions,
          decisionTimeoutMs,
          commitIntervalMs,
          exactlyOnce,
          ConsensusConfig.DEFAULT_AUDIT_RATE,
          ConsensusConfig.Committees.DEFAULT_REDUNDANCY,
          Map.of());
    }
  }

  private EmbeddedNetwork(Options options) throws IOException {
    stateDir = Files.createTempDirectory("mini-gradient-state");
    EmbeddedKafka startedKafka = null;
    try {
      for (ModelSpec spec : options.models()) {
        served.add(ServedModel.open(spec, WorkerConfig.DEFAULT_MAX_PIXELS));
      }
      if (options.bootstrapServers() == null) {
        startedKafka = EmbeddedKafka.start(1);
      }
      this.kafka = startedKafka;
      // the in-JVM broker is plaintext on localhost: security settings meant for a real cluster
      // (MG_KAFKA_*, --kafka) would only break its clients
      this.settings =
          startedKafka != null
              ? new KafkaSettings(startedKafka.bootstrapServers(), Map.of())
              : KafkaSettings.of(options.bootstrapServers(), options.kafka());
      TopicAdmin.ensureTopics(
          settings, options.partitions(), Optional.empty(), Duration.ofSeconds(30));
      ConsensusConfig cd = ConsensusConfig.defaults(settings, stateDir.resolve("consensus"));
      this.consensus =
          new ConsensusService(
              cd.withTiming(
                      options.decisionTimeoutMs(),
                      options.commitIntervalMs(),
                      options.exactlyOnce())
                  .withAuditRate(options.auditRate())
                  .withCommittees(
                      ConsensusConfig.Committees.DEFAULTS.withRedundancy(options.redundancy())),
              Referee.of(served),
              KeyKind.SEALING.generate());
      Map<String, MetricsApi.KnownModel> known = new LinkedHashMap<>();
      for (int i = 0; i < served.size(); i++) {
        known.put(served.get(i).modelId(), MetricsApi.KnownModel.of(options.models().get(i)));
      }
      this.api =
          new ApiService(
              settings,
              "mini-gradient-api",
              stateDir.resolve("api"),
              "127.0.0.1",
              options.httpPort(),
              served.get(0).modelId(),
              known);
      for (PeerPlan plan : options.peers()) {
        WorkerConfig d = WorkerConfig.defaults(plan.peerId(), settings);
        WorkerConfig config =
            new WorkerConfig(
                plan.peerId(),
                settings,
                plan.stake(),
                d.heartbeatIntervalMs(),
                d.maxTaskAgeMs(),
                d.maxPixels());
        peers.add(new PeerWorker(config, served, KeyKind.SIGNING.generate(), plan.behavior()));
      }
    } catch (RuntimeException e) {
      served.forEach(m -> m.engine().close());
      if (startedKafka != null) {
        startedKafka.close();
      }
      throw e;
    }
  }

  /**
   * Starts everything and waits until the consensus app and the API are running, the consensus app
   * sees every peer active, and every peer has joined its consumer group.
   *
   * @param options the settings
   * @param readyTimeout how long to wait for readiness
   * @return the running network
   * @throws IllegalStateException if it is not ready in time
   * @throws IOException if the state folder cannot be created
   */
  public static EmbeddedNetwork start(Options options, Duration readyTimeout) throws IOException {
    EmbeddedNetwork n = new EmbeddedNetwork(options);
    try {
      n.consensus.start();
      n.api.start();
      n.peers.forEach(PeerWorker::start);
      n.awaitReady(readyTimeout);
      return n;
    } catch (RuntimeException e) {
      n.close();
      throw e;
    }
  }

  /**
   * Whether the roster in effect now lists every peer and every peer has read it: tasks submitted
   * from now on get committees drawn from all of them (the next roster, published an epoch ahead,
   * was made after this one).
   */
  private boolean rosterListsEveryPeer() {
    long now = System.currentTimeMillis();
    Roster current = consensus.rosterAt(now);
    if (current == null) {
      return false;
    }
    Set<String> listed = new HashSet<>();
    current.members().forEach(m -> listed.add(m.peerId()));
    return peers.stream().allMatch(p -> listed.contains(p.peerId()))
        && peers.stream()
            .allMatch(
                p -> {
                  Roster seen = p.rosterAt(now);
                  return seen != null && seen.effectiveFrom() == current.effectiveFrom();
                });
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      if (consensus.state() == KafkaStreams.State.RUNNING
          && api.views().state() == KafkaStreams.State.RUNNING
          && consensus.activePeers() >= peers.size()
          && peers.stream().allMatch(PeerWorker::isAssigned)
          && rosterListsEveryPeer()) {
        return;
      }
      try {
        Thread.sleep(50); // polling a state, not waiting for a fixed time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException(
        "network not ready after "
            + timeout.toSeconds()
            + " s: consensus "
            + consensus.state()
            + ", api "
            + api.views().state()
            + ", active peers "
            + consensus.activePeers());
  }

  /**
   * Kafka settings of the network's cluster.
   *
   * @return the settings
   */
  public KafkaSettings kafka() {
    return settings;
  }

  /**
   * The bound HTTP port of the API.
   *
   * @return the port
   */
  public int httpPort() {
    return api.port();
  }

  /**
   * The id of the demo's model (the first one).
   *
   * @return SHA-256 of its model file
   */
  public String modelId() {
    return served.get(0).modelId();
  }

  /**
   * The models every peer serves.
   *
   * @return the served models
   */
  public List<ServedModel> models() {
    return List.copyOf(served);
  }

  /**
   * A peer's entry in the reputation ledger, as the API's views see it.
   *
   * @param peerId the peer
   * @return its reputation, or null if it has none yet
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the views restore
   */
  public Reputation reputation(String peerId) {
    return api.views().reputation().get(peerId);
  }

  /**
   * The peers.
   *
   * @return the running peers
   */
  public List<PeerWorker> peers() {
    return List.copyOf(peers);
  }

  /** Stops peers, API, Streams and the embedded broker, and deletes local state; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (PeerWorker p : peers) {
      closeQuietly(p);
    }
    closeQuietly(api);
    closeQuietly(consensus);
    served.forEach(m -> closeQuietly(m.engine()));
    if (kafka != null) {
      closeQuietly(kafka);
    }
    EmbeddedKafka.deleteTree(stateDir);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.warn("error while closing {}: {}", c.getClass().getSimpleName(), e.toString());
    }
  }
}

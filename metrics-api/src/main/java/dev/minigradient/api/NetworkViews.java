package dev.minigradient.api;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The API's read model: a Kafka Streams application of three global tables (consensus by task,
 * reputation by peer, peers by id), queried interactively. Global tables hold every partition on
 * every API instance, so any instance answers any query without forwarding.
 */
public final class NetworkViews implements AutoCloseable {
  /** Global store of {@code inference.consensus}, by task id. */
  public static final String CONSENSUS_VIEW = "consensus-view";

  /** Global store of {@code peers.reputation}, by peer id. */
  public static final String REPUTATION_VIEW = "reputation-view";

  /** Global store of {@code peers.registry}, by peer id. */
  public static final String PEERS_VIEW = "peers-view";

  private final KafkaStreams streams;

  /**
   * Creates the (unstarted) views.
   *
   * @param kafka Kafka settings
   * @param applicationId the Streams application id of this API instance
   * @param stateDir directory of the local stores
   */
  public NetworkViews(KafkaSettings kafka, String applicationId, Path stateDir) {
    this.streams = new KafkaStreams(topology(), streamsProperties(kafka, applicationId, stateDir));
  }

  /**
   * The views' Kafka Streams settings: the client settings, the application id and state folder,
   * and consumers that read only what the consensus app committed.
   *
   * @param kafka Kafka settings
   * @param applicationId the Streams application id
   * @param stateDir directory of the local stores
   * @return the properties
   */
  static Properties streamsProperties(KafkaSettings kafka, String applicationId, Path stateDir) {
    return kafka.properties(
        Map.of(
            StreamsConfig.APPLICATION_ID_CONFIG,
            applicationId,
            StreamsConfig.STATE_DIR_CONFIG,
            stateDir.toString(),
            // read only what the consensus app committed
            StreamsConfig.consumerPrefix("isolation.level"),
            "read_committed"));
  }

  /**
   * The read-model topology: three global tables.
   *
   * @return the topology
   */
  public static Topology topology() {
    StreamsBuilder b = new StreamsBuilder();
    view(b, Topics.CONSENSUS, Consensus.class, "consensus-view-source", CONSENSUS_VIEW);
    view(b, Topics.REPUTATION, Reputation.class, "reputation-view-source", REPUTATION_VIEW);
    view(b, Topics.PEERS, Peer.class, "peers-view-source", PEERS_VIEW);
    return b.build();
  }

  /**
   * Adds a global table of {@code topic}, read leniently (a malformed record is skipped), in the
   * store {@code store}.
   */
  private static <V> void view(
      StreamsBuilder b, Topic<V> topic, Class<V> type, String source, String store) {
    b.globalTable(
        topic.name(),
        Consumed.with(Serdes.String(), JsonSerde.lenient(type)).withName(source),
        Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(store)
            .withKeySerde(Serdes.String())
            // lenient in the store too: a restore copies the topic's bytes unread, so a malformed
            // record can only be found when the store is read, and must read as absent
            .withValueSerde(JsonSerde.lenient(type)));
  }

  /** Starts reading. */
  public void start() {
    streams.start();
  }

  /**
   * The Streams state of the views.
   *
   * @return e.g. {@code RUNNING}
   */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * Decisions ordered by decision time, oldest first.
   *
   * @return every consensus in the view
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the store is not
   *     queryable (starting, rebalancing)
   */
  public List<Consensus> consensusHistory() {
    List<Consensus> all = new ArrayList<>();
    try (KeyValueIterator<String, Consensus> it = store(CONSENSUS_VIEW, Consensus.class).all()) {
      it.forEachRemaining(
          kv -> {
            if (kv.value != null) { // unreadable bytes read as absent
              all.add(kv.value);
            }
          });
    }
    all.sort(Comparator.comparingLong(Consensus::decidedAt).thenComparing(Consensus::taskId));
    return all;
  }

  /**
   * One task's consensus.
   *
   * @param taskId the task id
   * @return the consensus, or null if not decided (yet)
   */
  public Consensus consensus(String taskId) {
    return store(CONSENSUS_VIEW, Consensus.class).get(taskId);
  }

  /**
   * The reputation ledger.
   *
   * @return reputation by peer id, sorted by id
   */
  public Map<String, Reputation> reputation() {
    Map<String, Reputation> out = new TreeMap<>();
    try (KeyValueIterator<String, Reputation> it = store(REPUTATION_VIEW, Reputation.class).all()) {
      it.forEachRemaining(
          kv -> {
            if (kv.value != null) {
              out.put(kv.key, kv.value);
            }
          });
    }
    return out;
  }

  /**
   * Ids of the peers active now, judged as the consensus app judges them: by the broker's timestamp
   * of each peer's latest registry record.
   *
   * @return active peer ids, sorted
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while not queryable
   */
  public List<String> activePeers() {
    List<String> out = new ArrayList<>();
    registry()
        .forEach(
            (id, r) -> {
              if (r.active()) {
                out.add(id);
              }
            });
    return out;
  }

  /**
   * A peer's latest registry record.
   *
   * @param peer the record
   * @param stampedAt the broker's timestamp of the record ({@code LogAppendTime}), epoch ms
   * @param active whether the peer counts as active now ({@link Peer#isActive})
   */
  public record Registered(Peer peer, long stampedAt, boolean active) {}

  /**
   * The peers registry, each peer's latest record judged active or not as the consensus app judges
   * it.
   *
   * @return by peer id, sorted
   * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while not queryable
   */
  public Map<String, Registered> registry() {
    long now = System.currentTimeMillis();
    Map<String, Registered> out = new TreeMap<>();
    ReadOnlyKeyValueStore<String, ValueAndTimestamp<Peer>> store =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                PEERS_VIEW, QueryableStoreTypes.timestampedKeyValueStore()));
    try (KeyValueIterator<String, ValueAndTimestamp<Peer>> it = store.all()) {
      it.forEachRemaining(
          kv -> {
            Peer p = kv.value == null ? null : kv.value.value();
            if (p != null) {
              out.put(
                  kv.key,
                  new Registered(p, kv.value.timestamp(), p.isActive(kv.value.timestamp(), now)));
            }
          });
    }
    return out;
  }

  /**
   * The Kafka Streams client of the views, for metrics binders.
   *
   * @return the client
   */
  KafkaStreams streams() {
    return streams;
  }

  /**
   * Counts decisions by status.
   *
   * @param history the decisions
   * @param status the status
   * @return how many have it
   */
  static long count(List<Consensus> history, ConsensusStatus status) {
    return history.stream().filter(c -> c.status() == status).count();
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name, Class<V> type) {
    return streams.store(
        StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(10));
  }
}

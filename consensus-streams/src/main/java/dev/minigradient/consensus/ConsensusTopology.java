package dev.minigradient.consensus;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.Topics;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the consensus topology: tasks and votes (co-partitioned by task id) are merged into one
 * stateful processor that emits one {@link Consensus} per task to {@link Topics#CONSENSUS}; each
 * task's settled per-peer verdicts go, keyed by peer id, to {@link Topics#SETTLEMENTS}, whose fold
 * ({@link LedgerProcessor}: the first settlement of each peer and task counts) is the reputation
 * ledger, its updates going to {@link Topics#REPUTATION}.
 *
 * <pre>
 * inference.tasks ─┐
 *                  ├─ merge ─ consensus-processor ─┬─ inference.consensus
 * inference.votes ─┘   (pending-tasks,                ├─ inference.replacements (silent seats' replacements)
 *                       peers-store global)            └─ peers.settlements (by peer) ─ reputation-store ─ peers.reputation
 * peers.registry ── GlobalKTable peers-store
 * network.rosters ── GlobalKTable rosters-store; the processor of tasks partition 0 publishes them
 * </pre>
 */
public final class ConsensusTopology {
  /** Global store of {@code peers.registry}: who is active, their keys and stakes. */
  public static final String PEERS_STORE = "peers-store";

  /** Tasks awaiting a decision (and recently decided ones), by task id. */
  public static final String PENDING_STORE = "pending-tasks";

  /**
   * Global store of {@code peers.reputation}: the ledger as the consensus reads it back to weigh
   * the votes of new tasks.
   */
  public static final String LEDGER_STORE = "ledger-store";

  /**
   * Global store of {@code inference.consensus}, at at-least-once only: the decisions already
   * published, which a decision made again after a failure keeps ({@link ConsensusProcessor}).
   */
  public static final String DECISIONS_STORE = "decisions-store";

  /** Global store of {@code network.rosters}: the rosters committees are drawn from. */
  public static final String ROSTERS_STORE = "rosters-store";

  /**
   * The reputation ledger's store: each peer's entry and the (peer, task) marks that make the fold
   * count a task once ({@link LedgerProcessor}).
   */
  public static final String REPUTATION_STORE = "reputation-store";

  /**
   * The Streams producer's {@code linger.ms} (Kafka Streams defaults it to 100): a decision is sent
   * at once rather than waiting for company, the latency a requester sees at light load.
   */
  public static final int PRODUCER_LINGER_MS = 0;

  /**
   * The record cache of the pending-tasks and reputation stores, bytes (32 MiB, shared by the
   * stream threads of an instance). Kafka Streams flushes a store's cache to RocksDB and its
   * changelog at every commit, before the input offsets are committed, writing each key's last
   * value once in the order of the keys' last writes; so the changelogs hold a prefix of the writes
   * as before ({@link LedgerProcessor}), with many fewer records: a task's entry goes out once per
   * commit instead of on arrival and on every vote.
   */
  static final long STORE_CACHE_BYTES = 32L << 20;

  private ConsensusTopology() {}

  /**
   * Builds the topology with stake x reputation weights ({@link StakeWeights}) and no audits.
   *
   * @param config the application's configuration
   * @return the topology
   */
  public static Topology build(ConsensusConfig config) {
    return build(config, WeightRule.stakeTimesReputation(), Referee.none(), null);
  }

  /**
   * Builds the topology.
   *
   * @param config the application's configuration
   * @param weights the weight of each peer's vote
   * @param referee re-executes audited tasks ({@link Referee#none()} turns audits off)
   * @param sealingKey the X25519 private key peers seal their votes to, or null to read only votes
   *     in the clear
   * @return the topology
   */
  public static Topology build(
      ConsensusConfig config, WeightRule weights, Referee referee, PrivateKey sealingKey) {
    return build(config, weights, referee, sealingKey, TaskInputs.none());
  }

  /**
   * Builds the topology.
   *
   * @param config the application's configuration
   * @param weights the weight of each peer's vote
   * @param referee re-executes audited and escalated tasks ({@link Referee#none()}: neither)
   * @param sealingKey the X25519 private key peers seal their votes to, or null to read only votes
   *     in the clear
   * @param inputs reads an escalated task's input again when it is no longer in memory
   * @return the topology
   */
  public static Topology build(
      ConsensusConfig config,
      WeightRule weights,
      Referee referee,
      PrivateKey sealingKey,
      TaskInputs inputs) {
    StreamsBuilder builder = new StreamsBuilder();
    GlobalKTable<String, Peer> peers =
        globalTable(builder, Topics.PEERS, Peer.class, "peers-source", PEERS_STORE);
    globalTable(builder, Topics.REPUTATION, Reputation.class, "ledger-source", LEDGER_STORE);

    // cached: a task's entry is written on arrival and on each vote, and the record cache sends
    // only its last value per commit to RocksDB and the changelog (STORE_CACHE_BYTES)
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PENDING_STORE),
                Serdes.String(),
                JsonSerde.compact(PendingTask.class))
            .withCachingEnabled());

    KStream<String, ConsensusInput> tasks =
        builder.stream(
                Topics.TASKS.name(),
                Consumed.with(Serdes.String(), Topics.TASKS.valueSerde()).withName("tasks-source"))
            .mapValues(ConsensusInput::of, Named.as("task-input"));
    KStream<String, ConsensusInput> votes =
        builder.stream(
                Topics.VOTES.name(),
                Consumed.with(Serdes.String(), Topics.VOTES.valueSerde()).withName("votes-source"))
            .mapValues(ConsensusInput::of, Named.as("vote-input"));

    KStream<String, Outcome> outcomes =
        tasks
            .merge(votes, Named.as("tasks-and-votes"))
            .process(
                () -> new ConsensusProcessor(config, weights, referee, sealingKey, inputs),
                Named.as("consensus-processor"),
                PENDING_STORE);

    route(
        outcomes,
        Outcome::decision,
        Topics.CONSENSUS,
        "decisions",
        "decision-values",
        "consensus-sink");
    route(outcomes, Outcome::roster, Topics.ROSTERS, "rosters", "roster-values", "rosters-sink");
    route(
        outcomes,
        Outcome::replacement,
        Topics.REPLACEMENTS,
        "replacements",
        "replacement-values",
        "replacements-sink");

    // votes that are not their peer's and tasks filed under another task's key: as received, with
    // the reason in the dead-letter headers
    route(
        outcomes,
        Outcome::rejected,
        Topics.DEAD_LETTERS,
        "rejected-votes",
        "rejected-vote-bytes",
        "rejected-votes-sink");

    outcomes
        .filter((taskId, o) -> o.settled() != null, Named.as("settlements"))
        .flatMap(
            (taskId, o) -> {
              List<KeyValue<String, Settlement>> out = new ArrayList<>();
              for (PeerVerdict v : o.settled()) {
                out.add(KeyValue.pair(v.peerId(), o.settlementOf(taskId, v)));
              }
              return out;
            },
            Named.as("settlements-by-peer"))
        .leftJoin(
            peers,
            (peerId, s) -> peerId,
            (s, peer) -> s.withDeclaredStake(peer == null ? Double.NaN : peer.stake()),
            Named.as("settlement-stake"))
        .to(
            Topics.SETTLEMENTS.name(),
            Produced.with(Serdes.String(), Topics.SETTLEMENTS.valueSerde())
                .withName("settlements-sink"));

    // the ledger is a fold of the settlement log, so anyone can recompute it (LedgerReplay); the
    // fold counts each (peer, task) once, so a settlement re-processed or re-emitted after a
    // failure under at_least_once does not count twice (LedgerProcessor)
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(REPUTATION_STORE),
                Serdes.String(),
                LedgerProcessor.LedgerValue.serde())
            .withCachingEnabled());
    builder.stream(
            Topics.SETTLEMENTS.name(),
            Consumed.with(Serdes.String(), Topics.SETTLEMENTS.valueSerde())
                .withName("settlements-source"))
        .process(LedgerProcessor::new, Named.as("reputation-fold"), REPUTATION_STORE)
        .to(
            Topics.REPUTATION.name(),
            Produced.with(Serdes.String(), Topics.REPUTATION.valueSerde())
                .withName("reputation-sink"));

    globalTable(builder, Topics.ROSTERS, Roster.class, "rosters-source", ROSTERS_STORE);

    // declared last: a sub-topology's id follows declaration order, and the ids name the tasks
    // and their state folders, so an app restarted with the other guarantee finds its state where
    // it left it (TopologyShapeTest)
    if (!config.exactlyOnce()) {
      globalTable(builder, Topics.CONSENSUS, Consensus.class, "decisions-source", DECISIONS_STORE);
    }

    return builder.build(streamsProperties(config));
  }

  /**
   * A global table of {@code topic} in the store {@code store}: read as {@code type} with {@link
   * JsonSerde#lenient} (a malformed record reads as a tombstone; {@link GlobalTableDeadLetters}
   * dead-letters those of the registry and the ledger), stored with the topic's serde.
   *
   * @param source the name of its source
   * @return the table
   */
  private static <V> GlobalKTable<String, V> globalTable(
      StreamsBuilder builder, Topic<V> topic, Class<V> type, String source, String store) {
    return builder.globalTable(
        topic.name(),
        Consumed.with(Serdes.String(), JsonSerde.lenient(type)).withName(source),
        Materialized.<String, V, KeyValueStore<Bytes, byte[]>>as(store)
            .withKeySerde(Serdes.String())
            // lenient in the store too: a restore copies the topic's bytes unread, so a malformed
            // record can only be found when the store is read, and must read as absent
            .withValueSerde(JsonSerde.lenient(type)));
  }

  /**
   * Sends the outcomes of one kind to their topic: those that carry {@code part}, as that part.
   *
   * @param filter the name of the processor that keeps them
   * @param values the name of the one that takes the part
   * @param sink the name of the sink
   */
  private static <V> void route(
      KStream<String, Outcome> outcomes,
      Function<Outcome, V> part,
      Topic<V> topic,
      String filter,
      String values,
      String sink) {
    outcomes
        .filter((key, o) -> part.apply(o) != null, Named.as(filter))
        .mapValues(part::apply, Named.as(values))
        .to(topic.name(), Produced.with(topic.keySerde(), topic.valueSerde()).withName(sink));
  }

  /**
   * The Streams settings of the application: exactly-once v2 (or at-least-once, with an idempotent
   * {@code acks=all} producer whose batches never expire, whatever the Kafka overrides say),
   * explicit internal names enforced, low-latency producer and commit interval.
   *
   * @param config the configuration
   * @return the properties to start {@code KafkaStreams} with
   */
  public static Properties streamsProperties(ConsensusConfig config) {
    Map<String, Object> base = new HashMap<>();
    base.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    base.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    base.put(
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        config.exactlyOnce() ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    base.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
    // The stream thread checks whether a commit is due only between polls: a long poll (100 ms
    // by default) would hold a finished decision back when no new record arrives.
    base.put(
        StreamsConfig.POLL_MS_CONFIG,
        Long.toString(Math.max(1, Math.min(10, config.commitIntervalMs()))));
    base.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    base.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(STORE_CACHE_BYTES));
    // every RocksDB store's off-heap memory within one bound, so the process's memory levels off
    base.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
    // Never hold back records to align the two inputs by timestamp: the processor takes tasks and
    // votes in any order (a vote may even precede its task), and waiting costs latency.
    base.put(
        StreamsConfig.MAX_TASK_IDLE_MS_CONFIG,
        Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
    // Streams defaults its producer's linger.ms to 100 ms; at light load that is most of the
    // latency.
    base.put(StreamsConfig.producerPrefix("linger.ms"), Integer.toString(PRODUCER_LINGER_MS));
    // A record that does not deserialize goes to the dead-letter topic with its error in headers
    // (Kafka Streams' built-in dead-letter queue) and our reason, e.g. malformed-task, and
    // processing continues.
    base.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        StreamsDeadLetters.Deserialization.class.getName());
    base.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name());
    base.put("processing.exception.handler.global.enabled", "true");
    // A record whose processing throws goes to the dead-letter topic (processing-failed) and
    // processing goes on, rather than a replaced thread failing on the same record forever.
    base.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        StreamsDeadLetters.Processing.class.getName());
    Properties props = config.kafka().properties(base);
    if (!config.exactlyOnce()) {
      // The ledger's deduplication (LedgerProcessor) needs each changelog partition to hold a
      // prefix of the writes: an idempotent producer neither reorders nor leaves gaps within a
      // partition, except after a batch expires (delivery.timeout.ms) while later ones to the
      // same partition are still queued: it then restarts the partition's sequence and sends
      // them, past the hole. So batches never expire, as exactly-once has it (which sets all
      // three itself); and no override may turn any of it off.
      props.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), "true");
      props.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
      props.put(
          StreamsConfig.producerPrefix(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG),
          Integer.toString(Integer.MAX_VALUE));
      props.remove(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG);
      props.remove(ProducerConfig.ACKS_CONFIG);
      props.remove(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
    }
    return props;
  }
}

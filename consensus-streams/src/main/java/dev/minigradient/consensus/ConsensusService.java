package dev.minigradient.consensus;

import dev.minigradient.protocol.KeyKind;
import dev.minigradient.protocol.NetworkKey;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Topics;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.LockException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the consensus topology: start, state, stop. */
public final class ConsensusService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsensusService.class);

  private final KafkaStreams streams;
  private final ConsensusConfig config;
  private final KeyPair sealing;
  private final KafkaTaskInputs inputs;
  private GlobalTableDeadLetters tableAudit;
  private volatile boolean wasRunning;
  private volatile Throwable stateFailure;

  /**
   * Creates an unstarted service without audits.
   *
   * @param config the configuration
   */
  public ConsensusService(ConsensusConfig config) {
    this(config, Referee.none(), KeyKind.SEALING.generate());
  }

  /**
   * Creates an unstarted service.
   *
   * @param config the configuration
   * @param referee re-executes audited and escalated tasks ({@link Referee#none()}: neither)
   * @param sealing the X25519 key pair peers seal their votes to; its public key is announced on
   *     {@code network.keys} at start (every instance of the app must share it)
   */
  public ConsensusService(ConsensusConfig config, Referee referee, KeyPair sealing) {
    this(config, referee, sealing, new DefaultKafkaClientSupplier());
  }

  /**
   * Creates an unstarted service whose Kafka clients come from {@code clients} (fault tests wrap
   * them to lose writes as a killed process would).
   *
   * @param config the configuration
   * @param referee re-executes audited and escalated tasks ({@link Referee#none()}: neither)
   * @param sealing the X25519 key pair peers seal their votes to
   * @param clients makes the Streams application's producers and consumers
   */
  public ConsensusService(
      ConsensusConfig config, Referee referee, KeyPair sealing, KafkaClientSupplier clients) {
    this.config = config;
    this.sealing = sealing;
    this.inputs = new KafkaTaskInputs(config.kafka());
    this.streams =
        new KafkaStreams(
            ConsensusTopology.build(
                config, WeightRule.stakeTimesReputation(), referee, sealing.getPrivate(), inputs),
            ConsensusTopology.streamsProperties(config),
            clients);
    // A processing bug must not silently stop deciding: replace the thread, it resumes from the
    // last commit (exactly-once keeps the stores consistent; at at-least-once the ledger counts a
    // re-processed settlement once, see LedgerProcessor).
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            wasRunning = true;
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          if (!wasRunning && isStateFailure(e)) {
            // a store that cannot be opened fails again in a new thread: stop, the caller rebuilds
            stateFailure = e;
            log.error("consensus local state unusable before the first run; shutting down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          }
          if (Thread.currentThread().getName().endsWith("GlobalStreamThread")) {
            // the global thread cannot be replaced
            log.error("consensus global thread failed; shutting down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          }
          log.error("consensus stream thread failed; replacing it", e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
  }

  /**
   * Announces the sealing key on {@code network.keys}, then starts processing, and the side path
   * that dead-letters malformed records of {@code peers.registry} and {@code peers.reputation}
   * ({@link GlobalTableDeadLetters}).
   *
   * @throws IllegalStateException if the key cannot be published within 30 s
   */
  public void start() {
    NetworkKey key =
        new NetworkKey(
            NetworkKey.SCHEMA_VERSION,
            NetworkKey.CONSENSUS_SEAL,
            KeyKind.encode(sealing.getPublic()),
            System.currentTimeMillis());
    try (KafkaProducer<String, NetworkKey> producer =
        new KafkaProducer<>(
            config
                .kafka()
                .properties(
                    Map.of(
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        "30000")),
            new StringSerializer(),
            Topics.NETWORK_KEYS.valueSerde().serializer())) {
      producer
          .send(new ProducerRecord<>(Topics.NETWORK_KEYS.name(), key.name(), key))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot announce the sealing key on " + Topics.NETWORK_KEYS.name() + ": " + e, e);
    }
    streams.start();
    // malformed registry and ledger records: the global tables skip them, this dead-letters them
    tableAudit = new GlobalTableDeadLetters(config.kafka(), config.applicationId());
    tableAudit.start();
  }

  /**
   * Why this instance's local state could not be used, if a stream thread failed on it before the
   * application first ran (a store that cannot be opened or locked); the instance has then shut
   * down, and the local state should be wiped and rebuilt from the changelogs.
   *
   * @return the failure, or empty
   */
  public Optional<Throwable> stateFailure() {
    return Optional.ofNullable(stateFailure);
  }

  /**
   * Whether the application has been {@code RUNNING} at least once.
   *
   * @return true once it has
   */
  public boolean hasRun() {
    return wasRunning;
  }

  /**
   * Whether a failure is about the local state: a store that cannot be opened, read or locked.
   *
   * @param e the failure
   * @return true if it or a cause is a {@link ProcessorStateException} or a {@link LockException}
   */
  public static boolean isStateFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ProcessorStateException || t instanceof LockException) {
        return true;
      }
    }
    return false;
  }

  /**
   * The Streams state.
   *
   * @return e.g. {@code RUNNING} or {@code REBALANCING}
   */
  public KafkaStreams.State state() {
    return streams.state();
  }

  /**
   * Number of peers active now, as this application's global peers store sees them.
   *
   * @return the count, or -1 while the store is not queryable
   */
  public int activePeers() {
    try {
      ReadOnlyKeyValueStore<String, ValueAndTimestamp<Peer>> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  ConsensusTopology.PEERS_STORE, QueryableStoreTypes.timestampedKeyValueStore()));
      long now = System.currentTimeMillis();
      int n = 0;
      try (KeyValueIterator<String, ValueAndTimestamp<Peer>> it = store.all()) {
        while (it.hasNext()) {
          if (ConsensusProcessor.isActive(it.next().value, now)) {
            n++;
          }
        }
      }
      return n;
    } catch (InvalidStateStoreException e) {
      return -1;
    }
  }

  /**
   * The roster in effect at a time, as this application's global rosters store holds it.
   *
   * @param at a task's append time, epoch ms
   * @return the roster with the largest start not after {@code at}, or null (none yet, or the store
   *     is not queryable)
   */
  public Roster rosterAt(long at) {
    try {
      ReadOnlyKeyValueStore<String, ValueAndTimestamp<Roster>> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                  ConsensusTopology.ROSTERS_STORE, QueryableStoreTypes.timestampedKeyValueStore()));
      return ConsensusProcessor.rosterAt(store, at);
    } catch (InvalidStateStoreException e) {
      return null;
    }
  }

  /**
   * Stops at once, as close to a killed process as one JVM allows, for fault tests: the instance
   * stays in its consumer group (the coordinator times it out) and does not wait for its threads.
   * With exactly-once, whatever it had not committed is aborted and reprocessed by whoever takes
   * its tasks over; at at-least-once it is reprocessed too, and what the instance had already
   * written stays written (decisions and settlements may then appear twice).
   */
  public void crash() {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
            .withTimeout(Duration.ZERO));
    inputs.close();
    closeTableAudit();
  }

  /**
   * Stops processing, leaves the consumer group and closes the Streams instance (up to 30 s).
   * Leaving hands this instance's tasks to the others (or to its own next start) at once; a Streams
   * instance that stays in the group holds its partitions, and their decisions, until the session
   * timeout (45 s) expires.
   */
  @Override
  public void close() {
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(Duration.ofSeconds(30)));
    inputs.close();
    closeTableAudit();
  }

  private void closeTableAudit() {
    if (tableAudit != null) {
      tableAudit.close();
      tableAudit = null;
    }
  }
}

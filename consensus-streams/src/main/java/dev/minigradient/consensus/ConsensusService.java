package dev.minigradient.consensus;

import java.time.Duration;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import dev.minigradient.protocol.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the consensus topology: start, state, stop. */
public final class ConsensusService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsensusService.class);

  private final KafkaStreams streams;

  /**
   * Creates an unstarted service.
   *
   * @param config the configuration
   */
  public ConsensusService(ConsensusConfig config) {
    this.streams =
        new KafkaStreams(
            ConsensusTopology.build(config), ConsensusTopology.streamsProperties(config));
    // A processing bug must not silently stop deciding: replace the thread, it resumes from the
    // last commit (exactly-once keeps the stores consistent).
    streams.setUncaughtExceptionHandler(
        e -> {
          if (Thread.currentThread().getName().endsWith("GlobalStreamThread")) {
            // the global thread cannot be replaced
            log.error("consensus global thread failed; shutting down", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
          }
          log.error("consensus stream thread failed; replacing it", e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
  }

  /** Starts processing. */
  public void start() {
    streams.start();
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

  /** Stops processing and closes the Streams instance (up to 30 s). */
  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }
}

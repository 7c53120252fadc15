package dev.minigradient.consensus;

import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-letters the malformed records of {@code peers.registry} and {@code peers.reputation}, which
 * the consensus app (and the API) read only as global tables. A global table skips a record that
 * does not deserialize ({@link dev.minigradient.protocol.JsonSerde#lenient}) but cannot dead-letter
 * it: Kafka Streams' dead-letter queue fails on the global thread, and a global store restored at
 * start copies records without reading them. So this side path reads both topics once more, on its
 * own consumer in the consumer group {@code <application id>-table-audit} (committed offsets: each
 * record is checked once across the app's instances and restarts, again only after a failure
 * between a check and its commit), and sends each record that does not read as its topic's type to
 * {@code inference.dead-letters} with the reason {@code malformed-peer} or {@code
 * malformed-reputation} and the component {@code consensus-streams}. Both topics are small (a
 * heartbeat per peer, a ledger entry per peer and publish interval), so the second read is cheap.
 * Errors are logged and retried; nothing here stops the app.
 */
final class GlobalTableDeadLetters implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GlobalTableDeadLetters.class);

  /** The topics checked, with the reason of a malformed record. */
  static final Map<Topic<?>, String> REASONS =
      Map.of(Topics.PEERS, "malformed-peer", Topics.REPUTATION, "malformed-reputation");

  /** Suffix of the consumer group id, after the application id. */
  static final String GROUP_SUFFIX = "-table-audit";

  private static final Duration POLL = Duration.ofMillis(500);
  private static final long RETRY_MS = 1_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Creates the checker; {@link #start()} starts its thread.
   *
   * @param kafka Kafka client settings
   * @param applicationId the consensus app's application id (the group is named after it)
   */
  GlobalTableDeadLetters(KafkaSettings kafka, String applicationId) {
    this.consumer =
        new KafkaConsumer<>(
            kafka.properties(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, applicationId + GROUP_SUFFIX,
                    ConsumerConfig.CLIENT_ID_CONFIG, applicationId + GROUP_SUFFIX,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    // the ledger is written in transactions under exactly-once
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    this.producer =
        new KafkaProducer<>(
            kafka.properties(
                Map.of(
                    ProducerConfig.CLIENT_ID_CONFIG,
                    applicationId + GROUP_SUFFIX + "-dead-letters",
                    ProducerConfig.ACKS_CONFIG,
                    "all")),
            new StringSerializer(),
            new ByteArraySerializer());
    this.thread = new Thread(this::run, "consensus-table-audit");
    thread.setDaemon(true);
  }

  /** Starts reading. */
  void start() {
    thread.start();
  }

  /**
   * The dead letter of a record of {@code peers.registry} or {@code peers.reputation} that does not
   * read as its topic's type.
   *
   * @param r the record
   * @return the dead letter, or null for a valid record or a tombstone (or another topic's record)
   */
  static ProducerRecord<String, byte[]> check(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return null; // a tombstone: a peer or entry removed
    }
    for (Map.Entry<Topic<?>, String> e : REASONS.entrySet()) {
      Topic<?> topic = e.getKey();
      if (topic.name().equals(r.topic())) {
        try {
          if (topic.valueSerde().deserializer().deserialize(r.topic(), r.value()) != null) {
            return null;
          }
          return DeadLetters.of(
              r, StreamsDeadLetters.COMPONENT, e.getValue(), "empty record on " + r.topic());
        } catch (SerializationException ex) {
          return DeadLetters.of(r, StreamsDeadLetters.COMPONENT, e.getValue(), ex.getMessage());
        }
      }
    }
    return null;
  }

  private void run() {
    try {
      consumer.subscribe(topics());
      while (running) {
        try {
          ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
          if (records.isEmpty()) {
            continue;
          }
          int sent = 0;
          for (ConsumerRecord<String, byte[]> r : records) {
            ProducerRecord<String, byte[]> dead = check(r);
            if (dead != null) {
              log.warn(
                  "dead-lettering a malformed record on {}-{}@{}: {}",
                  r.topic(),
                  r.partition(),
                  r.offset(),
                  DeadLetters.header(dead.headers(), DeadLetters.MESSAGE));
              producer.send(
                  dead,
                  (md, ex) -> {
                    if (ex != null) {
                      log.error(
                          "cannot dead-letter the record at {}-{}@{}: {}",
                          r.topic(),
                          r.partition(),
                          r.offset(),
                          ex.toString());
                    }
                  });
              sent++;
            }
          }
          if (sent > 0) {
            producer.flush();
          }
          consumer.commitSync();
        } catch (WakeupException | InterruptException e) {
          return;
        } catch (RuntimeException e) {
          // a broker away, a failed commit: log and go on (records not committed come again
          // after a rebalance; the global tables never wait for this)
          log.warn("table audit: {}; retrying", e.toString());
          if (!pause()) {
            return;
          }
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Waits before a retry; false once closing. */
  private boolean pause() {
    try {
      Thread.sleep(RETRY_MS);
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops reading (up to 10 s) and closes the clients. */
  @Override
  public void close() {
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      consumer.close(Duration.ZERO); // never started
    } else {
      consumer.wakeup();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(Duration.ofSeconds(5));
  }

  /**
   * The topics checked.
   *
   * @return their names
   */
  static List<String> topics() {
    return REASONS.keySet().stream().map(Topic::name).sorted().toList();
  }
}

package dev.minigradient.api;

import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every partition of some topics from the beginning, then live, on one daemon thread: no
 * consumer group (it assigns itself the partitions, waiting for topics that do not exist yet),
 * {@code read_committed}, no commits. It says which records were written after it started, and when
 * it has read up to where the topics ended then.
 */
final class TopicReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicReader.class);

  /** Takes each record read, on the reading thread. */
  @FunctionalInterface
  interface Handler {
    /**
     * Handles one record; must not block.
     *
     * @param record the record
     * @param live whether it was written after the reader started (not history)
     */
    void handle(ConsumerRecord<String, byte[]> record, boolean live);
  }

  private final KafkaSettings kafka;
  private final List<String> topics;
  private final Handler handler;
  private final Runnable onCaughtUp;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean caughtUp;
  private volatile KafkaConsumer<String, byte[]> consumer;

  /**
   * Creates the unstarted reader.
   *
   * @param kafka Kafka settings
   * @param topics the topics to read
   * @param threadName the reading thread's name
   * @param handler takes each record
   * @param onCaughtUp called once, on the reading thread, when it has caught up
   */
  TopicReader(
      KafkaSettings kafka,
      List<String> topics,
      String threadName,
      Handler handler,
      Runnable onCaughtUp) {
    this.kafka = kafka;
    this.topics = List.copyOf(topics);
    this.handler = handler;
    this.onCaughtUp = onCaughtUp;
    this.thread = DaemonThreads.of(this::run, threadName);
  }

  /** Starts the reading thread. */
  void start() {
    thread.start();
  }

  /**
   * Whether every partition has been read up to where it ended when the reader started.
   *
   * @return true once caught up
   */
  boolean caughtUp() {
    return caughtUp;
  }

  private void run() {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(2 << 20));
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            kafka.properties(props), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer = c;
      if (!running) {
        return;
      }
      List<TopicPartition> all = new ArrayList<>();
      for (String topic : topics) {
        all.addAll(partitions(c, topic));
      }
      if (!running) {
        return;
      }
      c.assign(all);
      c.seekToBeginning(all);
      Map<TopicPartition, Long> ends = c.endOffsets(all);
      while (running) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          handler.handle(
              r, r.offset() >= ends.getOrDefault(new TopicPartition(r.topic(), r.partition()), 0L));
        }
        if (!caughtUp
            && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
          onCaughtUp.run();
        }
      }
    } catch (WakeupException | InterruptException e) {
      // closing
    } catch (RuntimeException e) {
      if (running) {
        log.error("{} stopped", thread.getName(), e);
      }
    }
  }

  private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c, String topic) {
    while (running) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        }
      } catch (TimeoutException e) {
        log.debug("waiting for topic {}: {}", topic, e.toString());
      }
      // topics are created by the consensus app and peers: poll until they exist
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
    return List.of();
  }

  /** Stops reading: wakes the consumer and waits up to 10 s for the thread to end. */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread.isAlive()) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

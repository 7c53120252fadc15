package dev.minigradient.consensus;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one task record by position with a plain consumer (no consumer group, assigned and seeked),
 * for a referee that needs an escalated task's input after the processor lost it from memory.
 * Escalations are a small fraction of tasks, and this path only runs for those whose input was not
 * kept, so one synchronous read on the stream thread is cheap. Thread-safe (one read at a time).
 */
final class KafkaTaskInputs implements TaskInputs, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaTaskInputs.class);

  /** Longest wait for the record, ms. */
  static final long READ_TIMEOUT_MS = 5_000;

  private final KafkaSettings kafka;
  private KafkaConsumer<String, byte[]> consumer;
  private boolean closed;

  /**
   * Creates a reader; its consumer is made on first use.
   *
   * @param kafka Kafka client settings
   */
  KafkaTaskInputs(KafkaSettings kafka) {
    this.kafka = kafka;
  }

  @Override
  public synchronized byte[] input(String taskId, int partition, long offset) {
    if (closed) {
      return null;
    }
    try {
      if (consumer == null) {
        consumer =
            new KafkaConsumer<>(
                kafka.properties(
                    Map.of(
                        ConsumerConfig.CLIENT_ID_CONFIG, "consensus-task-inputs",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1")),
                new StringDeserializer(),
                new ByteArrayDeserializer());
      }
      TopicPartition tp = new TopicPartition(Topics.TASKS.name(), partition);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      long deadline = System.currentTimeMillis() + READ_TIMEOUT_MS;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.offset() != offset) {
            return null; // the record is gone (retention): nothing at that offset
          }
          Task task = Topics.TASKS.valueSerde().deserializer().deserialize(r.topic(), r.value());
          return task != null && task.taskId().equals(taskId) ? task.input() : null;
        }
      }
    } catch (KafkaException | IllegalArgumentException e) {
      log.warn(
          "cannot read task {} at {}-{}@{}: {}",
          taskId,
          Topics.TASKS.name(),
          partition,
          offset,
          e.toString());
    }
    return null;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}

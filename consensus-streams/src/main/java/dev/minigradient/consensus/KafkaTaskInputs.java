package dev.minigradient.consensus;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.TaskRecordReader;
import dev.minigradient.protocol.Topics;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one task record by position ({@link TaskRecordReader}), for a referee that needs an
 * escalated task's input after the processor lost it from memory. Escalations are a small fraction
 * of tasks, and this path only runs for those whose input was not kept, so one synchronous read on
 * the stream thread is cheap. Thread-safe (one read at a time).
 */
final class KafkaTaskInputs implements TaskInputs, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaTaskInputs.class);

  private final TaskRecordReader reader;

  /**
   * Creates a reader; its consumer is made on first use.
   *
   * @param kafka Kafka client settings
   */
  KafkaTaskInputs(KafkaSettings kafka) {
    this.reader =
        new TaskRecordReader(
            () ->
                new KafkaConsumer<>(
                    kafka.properties(
                        Map.of(
                            ConsumerConfig.CLIENT_ID_CONFIG, "consensus-task-inputs",
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1")),
                    new StringDeserializer(),
                    new ByteArrayDeserializer()));
  }

  @Override
  public byte[] input(String taskId, int partition, long offset) {
    ConsumerRecord<String, byte[]> r = reader.read(partition, offset);
    if (r == null) {
      return null;
    }
    try {
      Task task = Topics.TASKS.valueSerde().deserializer().deserialize(r.topic(), r.value());
      return task != null && task.taskId().equals(taskId) ? task.input() : null;
    } catch (SerializationException e) {
      log.warn(
          "cannot read task {} at {}-{}@{}: {}",
          taskId,
          r.topic(),
          partition,
          offset,
          e.toString());
      return null;
    }
  }

  @Override
  public void close() {
    reader.close();
  }
}

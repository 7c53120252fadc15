package dev.minigradient.worker;

import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one record of {@code inference.tasks} by position with a plain consumer (no consumer group,
 * assigned and seeked), for a peer appointed to a seat of a task it skipped: the appointment on
 * {@code inference.replacements} names the task record's partition and offset. The consumer is made
 * on first use and kept for the next read. Not thread-safe: one thread reads.
 */
final class TaskReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskReader.class);

  /** Longest wait for the record, ms. */
  static final long READ_TIMEOUT_MS = 5_000;

  private final Supplier<Consumer<String, byte[]>> consumers;
  private Consumer<String, byte[]> consumer;

  /**
   * Creates a reader.
   *
   * @param consumers makes its consumer, once (closed by {@link #close()})
   */
  TaskReader(Supplier<Consumer<String, byte[]>> consumers) {
    this.consumers = consumers;
  }

  /**
   * The record at a position of {@code inference.tasks}.
   *
   * @param partition the partition
   * @param offset the offset
   * @return the record as the broker delivers it (key, value, append time), or null when nothing is
   *     at that offset (deleted by retention, or not written) or it cannot be read within {@link
   *     #READ_TIMEOUT_MS}
   */
  ConsumerRecord<String, byte[]> read(int partition, long offset) {
    try {
      if (consumer == null) {
        consumer = consumers.get();
      }
      TopicPartition tp = new TopicPartition(Topics.TASKS.name(), partition);
      consumer.assign(List.of(tp));
      consumer.seek(tp, offset);
      long deadline = System.currentTimeMillis() + READ_TIMEOUT_MS;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          return r.offset() == offset ? r : null; // a later offset: the record is gone
        }
      }
      log.debug(
          "no task record at {}-{}@{} within {} ms",
          Topics.TASKS.name(),
          partition,
          offset,
          READ_TIMEOUT_MS);
    } catch (InterruptException e) {
      Thread.currentThread().interrupt(); // closing
    } catch (KafkaException | IllegalStateException e) {
      log.warn(
          "cannot read the task at {}-{}@{}: {}",
          Topics.TASKS.name(),
          partition,
          offset,
          e.toString());
    }
    return null;
  }

  /** Closes the consumer, if one was made. */
  @Override
  public void close() {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}

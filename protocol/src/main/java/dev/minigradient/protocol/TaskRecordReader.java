package dev.minigradient.protocol;

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
 * Reads one record of {@link Topics#TASKS} by position with a plain consumer (no consumer group,
 * assigned and seeked), for a task whose partition and offset are known: a seat replacement's
 * ({@link SeatReplacement}), or an escalated task's whose input the consensus app no longer holds.
 * The consumer is made on first use and kept for the next read. Thread-safe (one read at a time).
 */
public final class TaskRecordReader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskRecordReader.class);

  /** Longest wait for the record, ms. */
  public static final long READ_TIMEOUT_MS = 5_000;

  private final Supplier<Consumer<String, byte[]>> consumers;
  private Consumer<String, byte[]> consumer;
  private boolean closed;

  /**
   * Creates a reader.
   *
   * @param consumers makes its consumer, once (closed by {@link #close()})
   */
  public TaskRecordReader(Supplier<Consumer<String, byte[]>> consumers) {
    this.consumers = consumers;
  }

  /**
   * The record at a position of {@code inference.tasks}.
   *
   * @param partition the partition
   * @param offset the offset
   * @return the record as the broker delivers it (key, value, append time), or null when nothing is
   *     at that offset (deleted by retention, or not written), it cannot be read within {@link
   *     #READ_TIMEOUT_MS}, the consumer fails (logged) or the reader is closed
   */
  public synchronized ConsumerRecord<String, byte[]> read(int partition, long offset) {
    if (closed) {
      return null;
    }
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
    } catch (KafkaException | IllegalStateException | IllegalArgumentException e) {
      log.warn(
          "cannot read the task at {}-{}@{}: {}",
          Topics.TASKS.name(),
          partition,
          offset,
          e.toString());
    }
    return null;
  }

  /** Closes the consumer, if one was made; later reads return null. */
  @Override
  public synchronized void close() {
    closed = true;
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}

package dev.minigradient.worker;

import dev.minigradient.protocol.TaskRecordReader;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads one record of {@code inference.tasks} by position ({@link TaskRecordReader}), for a peer
 * appointed to a seat of a task it skipped: the appointment on {@code inference.replacements} names
 * the task record's partition and offset. The consumer is made on first use and kept for the next
 * read.
 */
final class TaskReader implements AutoCloseable {
  private final TaskRecordReader reader;

  /**
   * Creates a reader.
   *
   * @param consumers makes its consumer, once (closed by {@link #close()})
   */
  TaskReader(Supplier<Consumer<String, byte[]>> consumers) {
    this.reader = new TaskRecordReader(consumers);
  }

  /**
   * The record at a position of {@code inference.tasks}.
   *
   * @param partition the partition
   * @param offset the offset
   * @return the record as the broker delivers it (key, value, append time), or null when nothing is
   *     at that offset (deleted by retention, or not written) or it cannot be read within {@link
   *     TaskRecordReader#READ_TIMEOUT_MS}
   */
  ConsumerRecord<String, byte[]> read(int partition, long offset) {
    return reader.read(partition, offset);
  }

  /** Closes the consumer, if one was made. */
  @Override
  public void close() {
    reader.close();
  }
}

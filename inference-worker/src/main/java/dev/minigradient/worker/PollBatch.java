package dev.minigradient.worker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The records of one poll: the offsets to commit once every send they caused is acknowledged. Pass
 * it (after {@link #expect()}) as the callback of each send. It counts one extra pending send until
 * {@link #sealed()}, so it cannot complete while its records are still being handled. Thread-safe.
 */
final class PollBatch implements Callback {
  private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
  private final AtomicInteger pending = new AtomicInteger(1);
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /** A batch without offsets: the sends of an appointed task, which no poll waits for. */
  PollBatch() {}

  /**
   * A batch for a poll's records.
   *
   * @param records the poll; each partition's offset to commit follows its last record
   */
  PollBatch(ConsumerRecords<String, byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
      offsets.put(tp, new OffsetAndMetadata(rs.get(rs.size() - 1).offset() + 1));
    }
  }

  /**
   * Registers one more send.
   *
   * @return this batch, the send's callback
   */
  PollBatch expect() {
    pending.incrementAndGet();
    return this;
  }

  /** Marks the poll's records all handled: no more sends will be expected. */
  void sealed() {
    pending.decrementAndGet();
  }

  /**
   * Whether the batch is sealed and every send it expected has completed (acknowledged or failed).
   *
   * @return true once nothing is pending
   */
  boolean isAcknowledged() {
    return pending.get() == 0;
  }

  /**
   * The first send that failed.
   *
   * @return its error, or null if none failed
   */
  Exception failure() {
    return failure.get();
  }

  /**
   * The offsets to commit for this poll.
   *
   * @return the next offset to read per partition; empty for an appointed task's batch
   */
  Map<TopicPartition, OffsetAndMetadata> offsets() {
    return offsets;
  }

  @Override
  public void onCompletion(RecordMetadata metadata, Exception e) {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
    pending.decrementAndGet();
  }
}

package dev.minigradient.worker;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a consumer's offsets only for polls whose every send the broker has acknowledged, oldest
 * first, so a committed offset always follows its acknowledged sends (at-least-once) while the next
 * poll's work overlaps the acknowledgements of the previous. Used on the poll thread only.
 */
final class AcknowledgedCommits {
  private static final Logger log = LoggerFactory.getLogger(AcknowledgedCommits.class);

  private final Consumer<String, byte[]> consumer;
  private final BooleanSupplier halted;

  /** Polls handled whose sends are not all acknowledged yet, oldest first. */
  private final ArrayDeque<PollBatch> unacked = new ArrayDeque<>();

  /**
   * Creates the tracker.
   *
   * @param consumer the consumer whose offsets it commits
   * @param halted true once nothing more may be committed (a simulated crash)
   */
  AcknowledgedCommits(Consumer<String, byte[]> consumer, BooleanSupplier halted) {
    this.consumer = consumer;
    this.halted = halted;
  }

  /**
   * Starts tracking a poll, after those tracked before it.
   *
   * @param records the poll, not empty
   * @return its batch: {@link PollBatch#expect()} it for each send, {@link PollBatch#sealed()} it
   *     once every record is handled
   */
  PollBatch track(ConsumerRecords<String, byte[]> records) {
    PollBatch batch = new PollBatch(records);
    unacked.addLast(batch);
    return batch;
  }

  /**
   * Whether every tracked poll has been committed or forgotten.
   *
   * @return true when none waits
   */
  boolean isEmpty() {
    return unacked.isEmpty();
  }

  /** Forgets every tracked poll: their partitions were lost to another member. */
  void forget() {
    unacked.clear();
  }

  /**
   * Commits the offsets of the leading polls whose every send is acknowledged, and stops tracking
   * them; a poll with a send in flight holds back those after it.
   *
   * @param sync commit synchronously (on a rebalance or a clean stop) rather than asynchronously
   * @throws IllegalStateException if a send of an acknowledged poll failed; nothing is committed
   *     then (the peer stops, and the poll's records are read again by the next instance)
   */
  void commit(boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    while (!unacked.isEmpty() && unacked.peekFirst().isAcknowledged()) {
      PollBatch done = unacked.pollFirst();
      if (done.failure() != null) {
        throw new IllegalStateException(
            "a vote or dead letter was not acknowledged: " + done.failure(), done.failure());
      }
      offsets.putAll(done.offsets());
    }
    if (offsets.isEmpty() || halted.getAsBoolean()) {
      return;
    }
    if (sync) {
      consumer.commitSync(offsets);
    } else {
      consumer.commitAsync(
          offsets,
          (committed, e) -> {
            if (e != null) {
              // a later commit carries higher offsets; if none comes, the records are handled again
              log.warn("offset commit failed: {}", e.toString());
            }
          });
    }
  }
}

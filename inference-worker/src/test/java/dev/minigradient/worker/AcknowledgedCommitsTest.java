package dev.minigradient.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AcknowledgedCommits} and {@link PollBatch} on Kafka's mock clients: a producer that
 * completes sends only when told, a consumer that records the offsets committed.
 */
class AcknowledgedCommitsTest {
  private static final TopicPartition P0 = new TopicPartition("tasks", 0);
  private static final TopicPartition P1 = new TopicPartition("tasks", 1);

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("latest");
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
  private final AtomicBoolean halted = new AtomicBoolean(false);
  private final AcknowledgedCommits commits = new AcknowledgedCommits(consumer, halted::get);

  @BeforeEach
  void assign() {
    consumer.assign(List.of(P0, P1));
  }

  @Test
  void commitsAPollOnlyOnceEveryOneOfItsSendsIsAcknowledged() {
    // given a handled poll whose records caused two sends
    PollBatch batch = commits.track(poll(P0, 4, 5, 6));
    send(batch);
    send(batch);
    batch.sealed();

    // when only the first is acknowledged, then nothing is committed; once the second is
    // acknowledged too, the offset after the poll's last record is
    producer.completeNext();
    assertCommittedOnlyAfter(producer::completeNext, 7);
    assertThat(commits.isEmpty()).isTrue();
  }

  @Test
  void commitsEveryPartitionOfAPollAtItsOwnOffset() {
    PollBatch batch = commits.track(poll(Map.of(P0, new long[] {2}, P1, new long[] {8, 9})));
    send(batch);
    batch.sealed();

    producer.completeNext();
    commits.commit(true);

    assertThat(committed())
        .containsOnly(
            Map.entry(P0, new OffsetAndMetadata(3)), Map.entry(P1, new OffsetAndMetadata(10)));
  }

  @Test
  void aPollStillBeingHandledIsNotCommittedEvenWithNoSendInFlight() {
    // given a poll whose every send so far is acknowledged, but whose records are not all handled
    PollBatch batch = commits.track(poll(P0, 0));
    send(batch);
    producer.completeNext();

    // then it commits only once it is sealed
    assertCommittedOnlyAfter(batch::sealed, 1);
  }

  @Test
  void anAcknowledgedPollWaitsForTheOlderPollsBeforeIt() {
    // given an older poll with a send in flight, and a newer one all acknowledged
    PollBatch older = commits.track(poll(P0, 0));
    send(older);
    older.sealed();
    PollBatch newer = commits.track(poll(P0, 1));
    newer.sealed();

    // then both commit, up to the newer poll, only once the older poll's send is acknowledged
    assertCommittedOnlyAfter(producer::completeNext, 2);
  }

  @Test
  void aFailedSendCommitsNothingAndStopsThePeer() {
    // given a poll with one acknowledged send and one that failed
    PollBatch batch = commits.track(poll(P0, 0, 1));
    send(batch);
    send(batch);
    batch.sealed();
    producer.completeNext();
    producer.errorNext(new TimeoutException("no broker"));

    // when committing, then it refuses, and the poll's offsets stay uncommitted
    assertThatThrownBy(() -> commits.commit(true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no broker");
    assertThat(committed()).isEmpty();
  }

  @Test
  void aSendThatFailsBeforeReachingTheProducerCountsAsFailed() {
    PollBatch batch = commits.track(poll(P0, 0));
    batch.expect().onCompletion(null, new IllegalStateException("no sealing key"));
    batch.sealed();

    assertThat(batch.isAcknowledged()).isTrue();
    assertThatThrownBy(() -> commits.commit(false)).hasMessageContaining("no sealing key");
    assertThat(committed()).isEmpty();
  }

  @Test
  void aHaltedPeerCommitsNothing() {
    PollBatch batch = commits.track(poll(P0, 0));
    batch.sealed();
    halted.set(true);

    commits.commit(true);

    assertThat(committed()).isEmpty();
  }

  @Test
  void pollsOfLostPartitionsAreForgottenUncommitted() {
    PollBatch batch = commits.track(poll(P0, 0));
    send(batch);
    batch.sealed();

    commits.forget();
    producer.completeNext();
    commits.commit(true);

    assertThat(commits.isEmpty()).isTrue();
    assertThat(committed()).isEmpty();
  }

  @Test
  void anAppointedTasksBatchHasNoOffsets() {
    PollBatch batch = new PollBatch();
    send(batch);
    batch.sealed();
    assertThat(batch.isAcknowledged()).isFalse();

    producer.completeNext();

    assertThat(batch.isAcknowledged()).isTrue();
    assertThat(batch.failure()).isNull();
    assertThat(batch.offsets()).isEmpty();
  }

  private void send(PollBatch batch) {
    producer.send(new ProducerRecord<>("votes", "t", new byte[0]), batch.expect());
  }

  /**
   * Asserts that nothing is committed yet, and that once {@code then} has run, partition 0 is
   * committed up to {@code offset}.
   */
  private void assertCommittedOnlyAfter(Runnable then, long offset) {
    assertThat(committedNow()).isEmpty();
    then.run();
    assertThat(committedNow()).containsExactly(Map.entry(P0, new OffsetAndMetadata(offset)));
  }

  /** Commits what is acknowledged, without waiting, and returns the offsets committed since. */
  private Map<TopicPartition, OffsetAndMetadata> committedNow() {
    commits.commit(false);
    return committed();
  }

  private Map<TopicPartition, OffsetAndMetadata> committed() {
    Map<TopicPartition, OffsetAndMetadata> c = new HashMap<>(consumer.committed(Set.of(P0, P1)));
    c.values().removeIf(Objects::isNull);
    return c;
  }

  private static ConsumerRecords<String, byte[]> poll(TopicPartition tp, long... offsets) {
    return poll(Map.of(tp, offsets));
  }

  /** The records of one poll at the given offsets of each partition. */
  private static ConsumerRecords<String, byte[]> poll(Map<TopicPartition, long[]> offsets) {
    Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> records = new HashMap<>();
    offsets.forEach(
        (tp, os) -> {
          List<ConsumerRecord<String, byte[]>> rs = new ArrayList<>();
          for (long o : os) {
            rs.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, "t" + o, new byte[0]));
          }
          records.put(tp, rs);
        });
    return new ConsumerRecords<>(records, Map.of());
  }
}

package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TaskRecordReaderTest {
  private static final TopicPartition TP = new TopicPartition(Topics.TASKS.name(), 2);

  /** A consumer whose partition 2 of the task topic holds records at these offsets by its poll. */
  private static MockConsumer<String, byte[]> holding(long... offsets) {
    MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    append(consumer, offsets);
    return consumer;
  }

  /** Has the consumer's next poll find records at these offsets. */
  private static void append(MockConsumer<String, byte[]> consumer, long... offsets) {
    consumer.schedulePollTask(
        () -> {
          for (long offset : offsets) {
            consumer.addRecord(
                new ConsumerRecord<>(
                    TP.topic(), TP.partition(), offset, "t" + offset, new byte[0]));
          }
        });
  }

  @Test
  void readsTheRecordAtThePositionAndKeepsItsConsumer() {
    AtomicInteger made = new AtomicInteger();
    MockConsumer<String, byte[]> consumer = holding(4, 5, 6);
    try (TaskRecordReader reader =
        new TaskRecordReader(
            () -> {
              made.incrementAndGet();
              return consumer;
            })) {
      ConsumerRecord<String, byte[]> r = reader.read(2, 5);
      assertThat(r.offset()).isEqualTo(5);
      assertThat(r.key()).isEqualTo("t5");
      assertThat(consumer.assignment()).containsExactly(TP);
      append(consumer, 4, 5, 6);
      assertThat(reader.read(2, 4).key()).isEqualTo("t4");
      assertThat(made).hasValue(1);
    }
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void aRecordDeletedByRetentionIsNull() {
    try (TaskRecordReader reader = new TaskRecordReader(() -> holding(9))) {
      assertThat(reader.read(2, 5)).as("offset 9 comes first: 5 is gone").isNull();
    }
  }

  @Test
  void aFailingConsumerOrAClosedReaderReadsNull() {
    TaskRecordReader failing =
        new TaskRecordReader(
            () -> {
              throw new KafkaException("no broker");
            });
    assertThat(failing.read(2, 5)).isNull();
    AtomicInteger made = new AtomicInteger();
    TaskRecordReader closed =
        new TaskRecordReader(
            () -> {
              made.incrementAndGet();
              return holding(5);
            });
    closed.close();
    assertThat(closed.read(2, 5)).isNull();
    assertThat(made).hasValue(0);
  }
}

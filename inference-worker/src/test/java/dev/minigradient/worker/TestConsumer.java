package dev.minigradient.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * Kafka's {@link MockConsumer} with what a peer's loops need of a broker: {@code offsetsForTimes}
 * answered from a table (MockConsumer does not implement it), and a short wait on an empty poll
 * (MockConsumer's returns at once, which would spin a core).
 */
class TestConsumer extends MockConsumer<String, byte[]> {
  /** Offset {@code offsetsForTimes} answers per partition; a partition not here answers null. */
  final Map<TopicPartition, Long> offsetsForTimes = new ConcurrentHashMap<>();

  /** The timestamps {@code offsetsForTimes} was asked for, per call. */
  final List<Map<TopicPartition, Long>> timesAsked = new CopyOnWriteArrayList<>();

  TestConsumer(String offsetReset) {
    super(offsetReset);
  }

  /** Declares one-partition topics. */
  void topics(String... names) {
    for (String name : names) {
      updatePartitions(name, List.of(new PartitionInfo(name, 0, null, null, null)));
    }
  }

  /** A record as the broker would deliver it, with a timestamp. */
  static ConsumerRecord<String, byte[]> record(
      TopicPartition tp, long offset, long timestamp, String key, byte[] value) {
    return new ConsumerRecord<>(
        tp.topic(),
        tp.partition(),
        offset,
        timestamp,
        TimestampType.CREATE_TIME,
        key == null ? -1 : key.length(),
        value == null ? -1 : value.length,
        key,
        value,
        new RecordHeaders(),
        Optional.empty());
  }

  @Override
  public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(
      Map<TopicPartition, Long> times) {
    timesAsked.add(Map.copyOf(times));
    Map<TopicPartition, OffsetAndTimestamp> answer = new HashMap<>();
    times.forEach(
        (tp, t) ->
            answer.put(
                tp,
                offsetsForTimes.containsKey(tp)
                    ? new OffsetAndTimestamp(offsetsForTimes.get(tp), t)
                    : null));
    return answer;
  }

  @Override
  public ConsumerRecords<String, byte[]> poll(Duration timeout) {
    ConsumerRecords<String, byte[]> records = super.poll(timeout);
    if (records.isEmpty()) {
      // a broker's poll waits for records: idle a little, outside the consumer's lock
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.min(2, timeout.toMillis())));
    }
    return records;
  }
}

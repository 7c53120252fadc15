package dev.minigradient.protocol;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from its beginning up to the end offsets it has when the read starts, committed
 * records only ({@code read_committed}), with no consumer group: for audits and tests.
 */
public final class TopicSnapshot {
  private TopicSnapshot() {}

  /**
   * Hands every record of {@code topic}, partition by partition in offset order within each, to
   * {@code each}.
   *
   * @param kafka the cluster
   * @param topic the topic
   * @param timeout the longest the whole read may take
   * @param each called once per record, with the raw value (null for a tombstone)
   * @return the records read
   * @throws IllegalStateException if the topic does not exist or the end is not reached in time
   */
  public static long read(
      KafkaSettings kafka,
      String topic,
      Duration timeout,
      Consumer<ConsumerRecord<String, byte[]>> each) {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            kafka.properties(
                Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    "5000")),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      var infos = c.partitionsFor(topic, timeout);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + topic + " does not exist");
      }
      List<TopicPartition> parts =
          infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      long n = 0;
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + topic + " to its end within " + timeout.toSeconds() + " s");
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            each.accept(r);
            n++;
          }
        }
      }
      return n;
    }
  }
}

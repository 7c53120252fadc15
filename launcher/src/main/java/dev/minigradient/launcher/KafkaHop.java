package dev.minigradient.launcher;

import dev.minigradient.protocol.KafkaSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The latency baseline: one Kafka hop, a producer ({@code acks=all}, no linger, 16-byte records) to
 * a consumer on a one-partition topic of the same broker, one record in flight. Our own loop, since
 * {@code kafka-tools} on the class path breaks Javalin.
 */
final class KafkaHop {
  private static final String TOPIC = "bench.hop";

  private KafkaHop() {}

  /**
   * Times {@code n} round trips after 100 warm-up trips.
   *
   * @param settings the broker
   * @param n round trips timed
   * @return sorted latencies, ms
   * @throws IllegalStateException if a record does not come back in 10 s
   */
  static double[] measure(KafkaSettings settings, int n) {
    BarePipeline.createTopics(settings, List.of(TOPIC), 1);
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    try (KafkaProducer<String, byte[]> producer = BarePipeline.producer(settings, 0);
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(
                settings.properties(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")),
                new StringDeserializer(),
                new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      int warm = 100;
      double[] lat = new double[n];
      byte[] payload = new byte[16];
      for (int i = 0; i < warm + n; i++) {
        long t0 = System.nanoTime();
        producer.send(new ProducerRecord<>(TOPIC, "k", payload));
        boolean got = false;
        long deadline = System.currentTimeMillis() + 10_000;
        while (!got) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            got = true;
          }
          if (!got && System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("one hop: no record back in 10 s");
          }
        }
        if (i >= warm) {
          lat[i - warm] = (System.nanoTime() - t0) / 1e6;
        }
      }
      Arrays.sort(lat);
      return lat;
    }
  }
}

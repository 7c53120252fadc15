package dev.minigradient.worker;

import dev.minigradient.protocol.KafkaSettings;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Makes a peer's Kafka clients, all with string keys and byte values: Kafka's own in a running
 * peer, mock clients in tests.
 */
interface PeerClients {

  /**
   * A consumer.
   *
   * @param settings client settings over the peer's Kafka settings (client id, group, ...)
   * @return a new consumer; the caller closes it
   */
  Consumer<String, byte[]> consumer(Map<String, Object> settings);

  /**
   * A producer.
   *
   * @param settings client settings over the peer's Kafka settings
   * @return a new producer; the caller closes it
   */
  Producer<String, byte[]> producer(Map<String, Object> settings);

  /**
   * Kafka's clients, connected with the given settings.
   *
   * @param kafka bootstrap servers and overrides
   * @return the factory
   */
  static PeerClients kafka(KafkaSettings kafka) {
    return new PeerClients() {
      @Override
      public Consumer<String, byte[]> consumer(Map<String, Object> settings) {
        return new KafkaConsumer<>(
            kafka.properties(settings), new StringDeserializer(), new ByteArrayDeserializer());
      }

      @Override
      public Producer<String, byte[]> producer(Map<String, Object> settings) {
        return new KafkaProducer<>(
            kafka.properties(settings), new StringSerializer(), new ByteArraySerializer());
      }
    };
  }
}

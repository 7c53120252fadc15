package dev.minigradient.protocol.testing;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The configurations of the Kafka clients a Kafka Streams instance creates, for tests that check a
 * setting reaches all of them.
 */
public final class StreamsClients {
  private StreamsClients() {}

  /**
   * The configs of every client Streams makes from {@code streams}: the main, restore and global
   * consumers, the producer and the admin client (in that order).
   *
   * @param streams the Streams settings
   * @return the five clients' configs
   */
  public static List<Map<String, Object>> configs(StreamsConfig streams) {
    return List.of(
        streams.getMainConsumerConfigs("g", "c", 0),
        streams.getRestoreConsumerConfigs("c"),
        streams.getGlobalConsumerConfigs("c"),
        streams.getProducerConfigs("c"),
        streams.getAdminConfigs("c"));
  }
}

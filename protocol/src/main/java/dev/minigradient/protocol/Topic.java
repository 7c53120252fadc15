package dev.minigradient.protocol;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A typed topic: its name, its serdes and how it is created. Keys are always strings (a task id
 * or a peer id).
 *
 * @param name the topic name
 * @param valueSerde serde of the values
 * @param compacted true for a compacted (latest value per key) topic
 * @param <V> the value type
 */
public record Topic<V>(String name, Serde<V> valueSerde, boolean compacted) {

  /**
   * Serde of the keys.
   *
   * @return the string serde
   */
  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /**
   * Topic-level configs to create it with.
   *
   * @return e.g. {@code cleanup.policy=compact} for compacted topics
   */
  public Map<String, String> configs() {
    return compacted ? Map.of("cleanup.policy", "compact") : Map.of();
  }
}

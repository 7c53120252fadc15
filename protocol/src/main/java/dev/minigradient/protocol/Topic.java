package dev.minigradient.protocol;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * A typed topic: its name, its serdes and how it is created. Keys are always strings (a task id or
 * a peer id).
 *
 * @param name the topic name
 * @param valueSerde serde of the values
 * @param configs topic-level configs to create it with, e.g. {@code cleanup.policy=compact}
 * @param <V> the value type
 */
public record Topic<V>(String name, Serde<V> valueSerde, Map<String, String> configs) {

  /** Copies the configs. */
  public Topic {
    configs = Map.copyOf(configs);
  }

  /**
   * Serde of the keys.
   *
   * @return the string serde
   */
  public Serde<String> keySerde() {
    return Serdes.String();
  }
}

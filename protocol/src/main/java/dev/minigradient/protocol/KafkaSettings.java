package dev.minigradient.protocol;

import java.util.Map;
import java.util.Properties;

/**
 * Kafka client settings shared by every component: the bootstrap servers plus any client
 * setting passed through, e.g. from {@code --kafka security.protocol=SSL} or environment
 * variables {@code MG_KAFKA_SECURITY_PROTOCOL=SSL}.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param overrides extra client settings, applied last
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> overrides) {

  /** Environment variable prefix for pass-through client settings. */
  public static final String ENV_PREFIX = "MG_KAFKA_";

  /** Copies the overrides. */
  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers must not be empty");
    }
    overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
  }

  /**
   * Settings with the given bootstrap servers, plus pass-through settings read from the
   * environment ({@code MG_KAFKA_FOO_BAR=x} becomes {@code foo.bar=x}), then {@code extra}.
   *
   * @param bootstrapServers comma-separated host:port list
   * @param extra explicit settings, override the environment
   * @return the settings
   */
  public static KafkaSettings of(String bootstrapServers, Map<String, String> extra) {
    Map<String, String> all = new java.util.TreeMap<>();
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith(ENV_PREFIX)) {
                all.put(k.substring(ENV_PREFIX.length()).toLowerCase().replace('_', '.'), v);
              }
            });
    if (extra != null) {
      all.putAll(extra);
    }
    return new KafkaSettings(bootstrapServers, all);
  }

  /**
   * Client properties: bootstrap servers, then {@code base}, then the overrides.
   *
   * @param base component defaults
   * @return a new {@link Properties}
   */
  public Properties properties(Map<String, ?> base) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    base.forEach(p::put);
    p.putAll(overrides);
    return p;
  }
}

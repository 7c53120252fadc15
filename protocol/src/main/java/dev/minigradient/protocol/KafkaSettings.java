package dev.minigradient.protocol;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client settings shared by every component: the bootstrap servers plus any client setting
 * passed through, e.g. from {@code --kafka security.protocol=SSL} or environment variables {@code
 * MG_KAFKA_SECURITY_PROTOCOL=SSL}.
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
   * Settings with the given bootstrap servers, plus pass-through settings read from the environment
   * ({@code MG_KAFKA_FOO_BAR=x} becomes {@code foo.bar=x}), then {@code extra}.
   *
   * @param bootstrapServers comma-separated host:port list
   * @param extra explicit settings, override the environment
   * @return the settings
   */
  public static KafkaSettings of(String bootstrapServers, Map<String, String> extra) {
    return of(bootstrapServers, extra, System.getenv());
  }

  /**
   * As {@link #of(String, Map)}, with the environment given.
   *
   * @param bootstrapServers comma-separated host:port list
   * @param extra explicit settings, override the environment
   * @param env environment variables; those named {@code MG_KAFKA_*} are read
   * @return the settings
   */
  public static KafkaSettings of(
      String bootstrapServers, Map<String, String> extra, Map<String, String> env) {
    Map<String, String> all = new TreeMap<>(fromEnvironment(env));
    if (extra != null) {
      all.putAll(extra);
    }
    return new KafkaSettings(bootstrapServers, all);
  }

  /**
   * The client settings named by {@code MG_KAFKA_*} variables: the rest of the name in lower case
   * with {@code _} as {@code .} ({@code MG_KAFKA_SASL_JAAS_CONFIG} is {@code sasl.jaas.config}).
   *
   * @param env environment variables
   * @return the settings, by Kafka's name
   */
  public static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> all = new TreeMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX) && k.length() > ENV_PREFIX.length()) {
            all.put(k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
          }
        });
    return all;
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

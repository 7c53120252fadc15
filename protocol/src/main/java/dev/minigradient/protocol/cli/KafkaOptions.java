package dev.minigradient.protocol.cli;

import dev.minigradient.protocol.KafkaSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The Kafka options every command shares (a picocli mixin). */
public final class KafkaOptions {
  @Option(
      names = {"-b", "--bootstrap-servers"},
      defaultValue = "${env:MG_BOOTSTRAP_SERVERS:-localhost:9092}",
      description =
          "Kafka bootstrap servers, host:port[,host:port] (env MG_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description =
          "Any Kafka client setting, for every producer, consumer, admin and Streams client, e.g. --kafka security.protocol=SSL (repeatable; env MG_KAFKA_SECURITY_PROTOCOL=SSL works too, and a flag wins over the environment).")
  Map<String, String> kafka = new LinkedHashMap<>();

  /**
   * The settings these options describe.
   *
   * @return bootstrap servers plus pass-through client settings
   */
  public KafkaSettings settings() {
    return settings(System.getenv());
  }

  /**
   * The settings these options describe, with the environment given.
   *
   * @param env environment variables; {@code MG_KAFKA_*} ones are read, {@code --kafka} wins
   * @return bootstrap servers plus pass-through client settings
   */
  public KafkaSettings settings(Map<String, String> env) {
    return KafkaSettings.of(bootstrapServers, kafka, env);
  }
}

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
      description = "Kafka bootstrap servers, host:port[,host:port] (env MG_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(
      names = "--kafka",
      paramLabel = "KEY=VALUE",
      description = "Any Kafka client setting, e.g. --kafka security.protocol=SSL (repeatable; env MG_KAFKA_SECURITY_PROTOCOL=SSL works too).")
  Map<String, String> kafka = new LinkedHashMap<>();

  /**
   * The settings these options describe.
   *
   * @return bootstrap servers plus pass-through client settings
   */
  public KafkaSettings settings() {
    return KafkaSettings.of(bootstrapServers, kafka);
  }
}

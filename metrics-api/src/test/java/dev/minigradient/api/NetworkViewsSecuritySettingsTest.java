package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.KafkaSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's Kafka Streams clients take SASL settings from {@code MG_KAFKA_*}. */
class NetworkViewsSecuritySettingsTest {
  @TempDir Path state;

  @Test
  void saslWithoutJaasIsRefusedByTheStreamsClients() {
    KafkaSettings kafka =
        KafkaSettings.of(
            "127.0.0.1:9", Map.of(), Map.of("MG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "MG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"));
    assertThatThrownBy(() -> new NetworkViews(kafka, "api-test", state).close()).hasStackTraceContaining("JAAS");
  }

  @Test
  void saslWithJaasMakesTheStreamsClients() {
    KafkaSettings kafka =
        KafkaSettings.of(
            "127.0.0.1:9",
            Map.of(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"api\" password=\"s3cret\";"),
            Map.of("MG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "MG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"));
    new NetworkViews(kafka, "api-test", state).close();
  }
}

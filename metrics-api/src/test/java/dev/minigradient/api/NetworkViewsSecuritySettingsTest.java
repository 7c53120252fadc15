package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.testing.StreamsClients;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's Kafka Streams clients take SASL settings from {@code MG_KAFKA_*}. */
class NetworkViewsSecuritySettingsTest {
  @TempDir Path state;

  @Test
  void saslWithoutJaasIsRefusedByTheStreamsClients() {
    KafkaSettings kafka =
        KafkaSettings.of(
            "127.0.0.1:9",
            Map.of(),
            Map.of(
                "MG_KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "MG_KAFKA_SASL_MECHANISM",
                "SCRAM-SHA-512"));
    assertThatThrownBy(() -> new NetworkViews(kafka, "api-test", state).close())
        .hasStackTraceContaining("JAAS");
  }

  @Test
  void saslWithJaasReachesEveryStreamsClientAndTheyStart() {
    // given SASL_SSL from the environment and the JAAS line from a flag
    String jaas =
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"api\" password=\"s3cret\";";
    KafkaSettings kafka =
        KafkaSettings.of(
            "127.0.0.1:9",
            Map.of("sasl.jaas.config", jaas),
            Map.of(
                "MG_KAFKA_SECURITY_PROTOCOL",
                "SASL_SSL",
                "MG_KAFKA_SASL_MECHANISM",
                "SCRAM-SHA-512"));

    // when the views make their Streams settings
    StreamsConfig streams =
        new StreamsConfig(NetworkViews.streamsProperties(kafka, "api-test", state));

    // then every client Streams creates carries them, and its consumers read committed records only
    for (Map<String, Object> client : StreamsClients.configs(streams)) {
      assertThat(client)
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsEntry("sasl.jaas.config", jaas);
    }
    assertThat(streams.getGlobalConsumerConfigs("c"))
        .containsEntry("isolation.level", "read_committed");
    assertThat(streams.getMainConsumerConfigs("g", "c", 0))
        .containsEntry("isolation.level", "read_committed");
    // and the Kafka clients accept them (the same settings without JAAS are refused, above)
    assertThatCode(() -> new NetworkViews(kafka, "api-test", state).close())
        .doesNotThrowAnyException();
  }
}

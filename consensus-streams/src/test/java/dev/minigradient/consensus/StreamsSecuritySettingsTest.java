package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.testing.StreamsClients;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SASL settings from the environment reach every client the consensus app's Kafka Streams makes:
 * the main, restore and global consumers, the producer and the admin client.
 */
class StreamsSecuritySettingsTest {
  private static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"consensus\" password=\"s3cret\";";

  @TempDir Path state;

  @Test
  void saslSslFromTheEnvironmentReachesEveryStreamsClient() {
    // given MG_KAFKA_* variables for SASL_SSL with SCRAM-SHA-512
    KafkaSettings kafka =
        KafkaSettings.of(
            "b1:9093",
            Map.of(),
            Map.of(
                "MG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "MG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "MG_KAFKA_SASL_JAAS_CONFIG", JAAS));

    // when the consensus app makes its Streams settings
    StreamsConfig streams =
        new StreamsConfig(
            ConsensusTopology.streamsProperties(ConsensusConfig.defaults(kafka, state)));

    // then each client Streams creates is configured with them
    for (Map<String, Object> client : StreamsClients.configs(streams)) {
      assertThat(client)
          .containsEntry("bootstrap.servers", "b1:9093")
          .containsEntry("security.protocol", "SASL_SSL")
          .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
          .containsEntry("sasl.jaas.config", JAAS);
    }
  }
}

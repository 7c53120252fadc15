package dev.minigradient.producer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.KafkaSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The task producer's clients take the SASL settings from {@code MG_KAFKA_*}: without a JAAS
 * configuration they refuse to start (so the settings reached them), with one they start and only
 * then fail to reach the (absent) cluster.
 */
class SubmitterSecuritySettingsTest {
  private static final Map<String, String> SCRAM =
      Map.of("MG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "MG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");

  @Test
  void saslWithoutJaasIsRefusedByTheClient() {
    KafkaSettings kafka = KafkaSettings.of("127.0.0.1:9", Map.of(), SCRAM);
    assertThatThrownBy(() -> new Submitter(kafka, "test", Duration.ofSeconds(1)))
        .hasStackTraceContaining("JAAS");
  }

  @Test
  void saslWithJaasStartsTheClientThatThenFindsNoCluster() {
    Map<String, String> env = new HashMap<>(SCRAM);
    env.put(
        "MG_KAFKA_SASL_JAAS_CONFIG",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"requester\" password=\"s3cret\";");
    KafkaSettings kafka = KafkaSettings.of("127.0.0.1:9", Map.of(), env);
    assertThatThrownBy(() -> new Submitter(kafka, "test", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:9");
  }
}

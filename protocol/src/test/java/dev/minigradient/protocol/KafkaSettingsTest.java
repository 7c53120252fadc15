package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.cli.KafkaOptions;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** TLS and SASL settings reach every client's properties from the environment and from flags. */
class KafkaSettingsTest {
  static final String JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"peer\" password=\"s3cret\";";

  /** SASL_SSL with SCRAM-SHA-512, as the environment example in docs/operations.md sets it. */
  static final Map<String, String> SASL_ENV =
      Map.of(
          "MG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
          "MG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
          "MG_KAFKA_SASL_JAAS_CONFIG", JAAS,
          "MG_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
          "MG_BOOTSTRAP_SERVERS", "not-a-client-setting:9092",
          "PATH", "/usr/bin");

  @Command(name = "any")
  static final class AnyCommand {
    @Mixin KafkaOptions kafka;
  }

  private static KafkaOptions parse(String... args) {
    AnyCommand c = new AnyCommand();
    new CommandLine(c).parseArgs(args);
    return c.kafka;
  }

  @Test
  void mgKafkaVariablesBecomeClientSettingsOnTopOfComponentDefaults() {
    // given the SASL_SSL variables of docs/operations.md and a component's defaults
    KafkaSettings s = KafkaSettings.of("b1:9093,b2:9093", Map.of(), SASL_ENV);

    // when a component builds its client properties
    Properties p = s.properties(Map.of("acks", "all", "security.protocol", "PLAINTEXT"));

    // then they carry the security settings, and only MG_KAFKA_* names are read
    assertThat(p)
        .containsEntry("bootstrap.servers", "b1:9093,b2:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
        .containsEntry("acks", "all")
        .doesNotContainKey("path");
    assertThat(s.overrides()).hasSize(4);
  }

  @Test
  void kafkaFlagsReachTheSettingsAndWinOverTheEnvironment() {
    // given mTLS as --kafka flags, over an environment that says SASL_SSL
    KafkaOptions o =
        parse(
            "--bootstrap-servers", "b1:9093",
            "--kafka", "security.protocol=SSL",
            "--kafka", "ssl.truststore.location=/etc/kafka/truststore.p12",
            "--kafka", "ssl.truststore.password=changeit",
            "--kafka", "ssl.keystore.location=/etc/kafka/peer-1.p12",
            "--kafka", "ssl.keystore.password=changeit",
            "--kafka", "ssl.key.password=changeit");

    // when the options make the settings and a client's properties
    Properties p = o.settings(SASL_ENV).properties(Map.of("isolation.level", "read_committed"));

    // then the flags are there, the flag's protocol wins, and the environment's other settings stay
    assertThat(p)
        .containsEntry("bootstrap.servers", "b1:9093")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.keystore.location", "/etc/kafka/peer-1.p12")
        .containsEntry("ssl.keystore.password", "changeit")
        .containsEntry("ssl.key.password", "changeit")
        .containsEntry("ssl.truststore.password", "changeit")
        .containsEntry("sasl.jaas.config", JAAS)
        .containsEntry("isolation.level", "read_committed");
  }

  @Test
  void aJaasConfigWithEqualsSignsSurvivesTheFlag() {
    KafkaOptions o = parse("--bootstrap-servers", "b:1", "--kafka", "sasl.jaas.config=" + JAAS);
    assertThat(o.settings(Map.of()).overrides()).containsEntry("sasl.jaas.config", JAAS);
  }
}

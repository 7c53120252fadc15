package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Redundancy;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code consensus-streams} lays its flags over the config's defaults in one step. */
class ConsensusCommandTest {
  private static final ConsensusConfig DEFAULTS =
      ConsensusConfig.defaults(
          KafkaSettings.of("b:9092", Map.of(), Map.of()), Path.of("state", "consensus"));

  private static ConsensusConfig parse(String... args) {
    ConsensusCommand c = new ConsensusCommand();
    new CommandLine(c).parseArgs(args);
    return c.config(DEFAULTS);
  }

  @Test
  void withoutFlagsTheConfigIsTheDefaults() {
    // given no flags (and no MG_EXACTLY_ONCE or MG_REDUNDANCY in the test's environment)
    // when the command builds its config, then it is the defaults, salt included
    ConsensusConfig c = parse();
    assertThat(System.getenv()).doesNotContainKeys("MG_EXACTLY_ONCE", "MG_REDUNDANCY");
    assertThat(c).isEqualTo(DEFAULTS);
  }

  @Test
  void flagsReplaceTheirSettingsAndLeaveTheRest() {
    // given a flag for every setting the command exposes
    ConsensusConfig c =
        parse(
            "--timeout-ms",
            "4000",
            "--exactly-once",
            "--audit-rate",
            "0.5",
            "--newcomer-audit-rate",
            "0.7",
            "--redundancy",
            "all",
            "--roster-interval-ms",
            "250",
            "--seat-timeout-ms",
            "900");

    // then each lands in the config, and what no flag names keeps its default
    assertThat(c.decisionTimeoutMs()).isEqualTo(4000);
    assertThat(c.exactlyOnce()).isTrue();
    assertThat(c.auditRate()).isEqualTo(0.5);
    assertThat(c.committees())
        .isEqualTo(new ConsensusConfig.Committees(Redundancy.ALL, 250, 0.7, 900));
    assertThat(c.commitIntervalMs()).isEqualTo(DEFAULTS.commitIntervalMs());
    assertThat(c.auditSalt()).isEqualTo(DEFAULTS.auditSalt());
    assertThat(c.stateDir()).isEqualTo(DEFAULTS.stateDir());
  }

  @Test
  void anOutOfRangeFlagIsRefusedByTheConfig() {
    assertThatThrownBy(() -> parse("--audit-rate", "1.5"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parse("--redundancy", "0"))
        .isInstanceOf(CommandLine.ParameterException.class);
  }

  @Test
  void anInstanceIdMakesTheMainConsumerAStaticMember() {
    // given --instance-id
    ConsensusCommand c = new ConsensusCommand();
    new CommandLine(c).parseArgs("--instance-id", "consensus-1");

    // when the Streams properties are made from the settings it gives
    var props =
        ConsensusTopology.streamsProperties(DEFAULTS.withKafka(c.staticMember(DEFAULTS.kafka())));

    // then only the main consumer (not the restore or global consumer) gets the id; Streams adds
    // each stream thread's index
    assertThat(props)
        .containsEntry("main.consumer.group.instance.id", "consensus-1")
        .doesNotContainKey("group.instance.id");
    assertThat(new StreamsConfig(props).getMainConsumerConfigs("g", "c", 0))
        .containsEntry("group.instance.id", "consensus-1-0");
  }

  @Test
  void withoutAnInstanceIdMembershipIsDynamic() {
    ConsensusCommand c = new ConsensusCommand();
    new CommandLine(c).parseArgs();
    assertThat(c.staticMember(DEFAULTS.kafka())).isEqualTo(DEFAULTS.kafka());
  }

  @Test
  void anInstanceIdKafkaWouldRefuseIsRefusedWithItsRule() {
    ConsensusCommand c = new ConsensusCommand();
    new CommandLine(c).parseArgs("--instance-id", "a b");
    assertThatThrownBy(() -> c.staticMember(DEFAULTS.kafka()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a-z, A-Z, 0-9")
        .hasMessageContaining("'a b'");
  }

  @Test
  void aBlankInstanceIdIsRefused() {
    ConsensusCommand c = new ConsensusCommand();
    new CommandLine(c).parseArgs("--instance-id", " ");
    assertThatThrownBy(() -> c.staticMember(DEFAULTS.kafka()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--instance-id");
  }
}

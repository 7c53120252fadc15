package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.ConsensusService;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.TopicAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consensus app stopped cleanly leaves its consumer group, so its partitions (and the tasks
 * waiting on them) go to another instance at once rather than after the session timeout; a crashed
 * one stays a member until the broker expires it. A static member ({@code consensus-streams
 * --instance-id}) killed and started again takes its own place back at once.
 */
class ConsensusCloseIT {
  @TempDir Path state;

  @Test
  void aCleanStopLeavesTheGroupACrashDoesNot() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of());
      TopicAdmin.ensureTopics(settings, 3, Optional.empty(), Duration.ofSeconds(30));
      ConsensusConfig config = ConsensusConfig.defaults(settings, state);
      try (Admin admin = Admin.create(settings.properties(Map.of()))) {
        ConsensusService stopped = new ConsensusService(config.withStateDir(state.resolve("a")));
        stopped.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> stopped.state() == KafkaStreams.State.RUNNING);
        assertThat(members(admin, config.applicationId())).isEqualTo(1);
        stopped.close();
        assertThat(members(admin, config.applicationId()))
            .as("a stopped instance has left")
            .isZero();

        ConsensusService crashed = new ConsensusService(config.withStateDir(state.resolve("b")));
        crashed.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> crashed.state() == KafkaStreams.State.RUNNING);
        crashed.crash();
        assertThat(members(admin, config.applicationId()))
            .as("a crashed instance stays until its session expires")
            .isEqualTo(1);
      }
    }
  }

  @Test
  void aStaticMemberKilledAndStartedAgainTakesItsPartitionsBackWithoutWaitingForItsSession()
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
      KafkaSettings settings =
          KafkaSettings.of(
              kafka.bootstrapServers(),
              Map.of("main.consumer.group.instance.id", "consensus-1"),
              Map.of());
      TopicAdmin.ensureTopics(settings, 3, Optional.empty(), Duration.ofSeconds(30));
      ConsensusConfig config = ConsensusConfig.defaults(settings, state);
      try (Admin admin = Admin.create(settings.properties(Map.of()))) {
        ConsensusService first = new ConsensusService(config.withStateDir(state.resolve("a")));
        first.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> first.state() == KafkaStreams.State.RUNNING);
        first.crash();

        // the same instance id, as the process started again after a kill -9 (on another state
        // folder: the crashed instance's lock on its folder lasts as long as this JVM)
        ConsensusService again = new ConsensusService(config.withStateDir(state.resolve("b")));
        again.start();
        // a dynamic member would wait for the crashed one's session (45 s) to expire first
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> again.state() == KafkaStreams.State.RUNNING);
        ConsumerGroupDescription d =
            admin
                .describeConsumerGroups(List.of(config.applicationId()))
                .all()
                .get()
                .get(config.applicationId());
        assertThat(d.members())
            .as("the restarted instance took the crashed one's place")
            .singleElement()
            .satisfies(
                m -> {
                  assertThat(m.groupInstanceId())
                      .hasValueSatisfying(id -> id.startsWith("consensus-1-"));
                  assertThat(m.assignment().topicPartitions()).isNotEmpty();
                });

        again.close();
        assertThat(members(admin, config.applicationId()))
            .as("a static member stopped cleanly still leaves")
            .isZero();
      }
    }
  }

  private static int members(Admin admin, String group) throws Exception {
    ConsumerGroupDescription d =
        admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    return d.members().size();
  }
}

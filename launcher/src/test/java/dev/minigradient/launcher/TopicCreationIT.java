package dev.minigradient.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * A component killed while it creates the topics leaves some of them made and the others absent
 * (the controller creates each topic whole, in one metadata record); the next component to start
 * makes the rest and leaves the ones there as they are, with nothing to repair by hand.
 */
class TopicCreationIT {
  @Test
  void aStartAfterAKillDuringTopicCreationMakesTheRestOfTheTopics() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(1)) {
      KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers(), Map.of(), Map.of());
      try (Admin admin = Admin.create(settings.properties(Map.of()))) {
        // given every other topic made, as a process killed half-way through creating them leaves
        List<NewTopic> half = new ArrayList<>();
        List<String> made = new ArrayList<>();
        for (int i = 0; i < Topics.ALL.size(); i += 2) {
          Topic<?> t = Topics.ALL.get(i);
          half.add(new NewTopic(t.name(), Optional.of(3), Optional.empty()).configs(t.configs()));
          made.add(t.name());
        }
        admin.createTopics(half).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContainAnyElementsOf(missing(made));

        // when the next component starts
        TopicAdmin.ensureTopics(settings, 3, Optional.empty(), Duration.ofSeconds(30));

        // then every topic is there, co-partitioned, with its own configuration
        List<String> names = Topics.ALL.stream().map(Topic::name).toList();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        assertThat(described).containsOnlyKeys(names);
        assertThat(described.values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(3));
        for (Topic<?> t : Topics.ALL) {
          ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t.name());
          Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
          t.configs()
              .forEach((k, v) -> assertThat(c.get(k).value()).as(t.name() + " " + k).isEqualTo(v));
        }
      }
    }
  }

  private static List<String> missing(List<String> made) {
    return Topics.ALL.stream().map(Topic::name).filter(n -> !made.contains(n)).toList();
  }
}

package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
  @Test
  void aTaskRoundTripsWithItsBytesAsBase64() {
    Task t = Task.of("t1", "m".repeat(64), new byte[] {0, 1, (byte) 255}, "image/png", "cli", "a.png");
    byte[] json = Topics.TASKS.valueSerde().serializer().serialize("x", t);
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"input\":\"AAH/\"");
    assertThat(Topics.TASKS.valueSerde().deserializer().deserialize("x", json)).isEqualTo(t);
    assertThat(t.inputSha256()).isEqualTo(Hashes.sha256Hex(new byte[] {0, 1, (byte) 255}));
  }

  @Test
  void unknownFieldsAreIgnoredSoNewerWritersCanAddThem() {
    byte[] json = "{\"taskId\":\"t\",\"modelId\":\"m\",\"input\":\"AA==\",\"future\":42}".getBytes(StandardCharsets.UTF_8);
    assertThat(Topics.TASKS.valueSerde().deserializer().deserialize("x", json).taskId()).isEqualTo("t");
  }

  @Test
  void garbageIsASerializationExceptionNamingTheTypeAndTopic() {
    assertThatThrownBy(() -> Topics.TASKS.valueSerde().deserializer().deserialize("inference.tasks", "{oops".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a valid Task on inference.tasks");
    assertThatThrownBy(() -> Topics.TASKS.valueSerde().deserializer().deserialize("t", "{\"taskId\":\"t\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void theLenientSerdeReadsGarbageAsATombstoneForGlobalTables() {
    JsonSerde<Peer> lenient = JsonSerde.lenient(Peer.class);
    assertThat(lenient.deserializer().deserialize("peers.registry", "[1,2,3]".getBytes(StandardCharsets.UTF_8))).isNull();
    Peer p = Peer.builder().peerId("p1").publicKey("k").stake(1).hardware("hw").heartbeatAt(5).heartbeatIntervalMs(2000).build();
    assertThat(lenient.deserializer().deserialize("t", lenient.serializer().serialize("t", p))).isEqualTo(p);
  }

  @Test
  void kafkaSettingsPassClientSettingsThroughAndRefuseEmptyServers() {
    KafkaSettings s = KafkaSettings.of("h:1", Map.of("security.protocol", "SSL"));
    assertThat(s.properties(Map.of("acks", "all")))
        .containsEntry("bootstrap.servers", "h:1")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("acks", "all");
    assertThatThrownBy(() -> new KafkaSettings(" ", Map.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compactedTopicsSayWhy() {
    assertThat(Topics.PEERS.configs()).containsEntry("cleanup.policy", "compact");
    assertThat(Topics.TASKS.configs()).containsEntry("message.timestamp.type", "LogAppendTime");
    assertThat(Topics.VOTES.configs()).isEmpty();
    assertThat(Topics.ALL).extracting(Topic::name).doesNotHaveDuplicates().hasSize(10);
    assertThat(Topics.NETWORK_KEYS.configs()).containsEntry("cleanup.policy", "compact");
    assertThat(Topics.SETTLEMENTS.configs()).as("the ledger's audit log keeps every record").isEmpty();
    assertThat(Topics.ROSTERS.configs()).as("replay reads every roster back").isEmpty();
  }
}

package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
  @Test
  void aTaskRoundTripsWithItsBytesAsBase64() {
    Task t =
        Task.of("t1", "m".repeat(64), new byte[] {0, 1, (byte) 255}, "image/png", "cli", "a.png");
    byte[] json = Topics.TASKS.valueSerde().serializer().serialize("x", t);
    assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"input\":\"AAH/\"");
    assertThat(Topics.TASKS.valueSerde().deserializer().deserialize("x", json)).isEqualTo(t);
    assertThat(t.inputSha256()).isEqualTo(Hashes.sha256Hex(new byte[] {0, 1, (byte) 255}));
  }

  @Test
  void unknownFieldsAreIgnoredSoNewerWritersCanAddThem() {
    byte[] json =
        "{\"taskId\":\"t\",\"modelId\":\"m\",\"input\":\"AA==\",\"future\":42}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(Topics.TASKS.valueSerde().deserializer().deserialize("x", json).taskId())
        .isEqualTo("t");
  }

  @Test
  void garbageIsASerializationExceptionNamingTheTypeAndTopic() {
    assertThatThrownBy(
            () ->
                Topics.TASKS
                    .valueSerde()
                    .deserializer()
                    .deserialize("inference.tasks", "{oops".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a valid Task on inference.tasks");
    assertThatThrownBy(
            () ->
                Topics.TASKS
                    .valueSerde()
                    .deserializer()
                    .deserialize("t", "{\"taskId\":\"t\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SerializationException.class);
  }

  @Test
  void theLenientSerdeWarnsOfAMalformedRecordOnceHoweverOftenItIsRead() {
    JsonSerde<Peer> lenient = JsonSerde.lenient(Peer.class);
    byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 3; i++) {
      assertThat(lenient.deserializer().deserialize("peers.registry", garbage)).isNull();
    }
    assertThat(lenient.warnedRecords()).isEqualTo(1);
    assertThat(
            lenient
                .deserializer()
                .deserialize("peers.registry", "[1]".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    assertThat(lenient.warnedRecords()).isEqualTo(2);
  }

  @Test
  void theLenientSerdeReadsGarbageAsATombstoneForGlobalTables() {
    JsonSerde<Peer> lenient = JsonSerde.lenient(Peer.class);
    assertThat(
            lenient
                .deserializer()
                .deserialize("peers.registry", "[1,2,3]".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    Peer p =
        Peer.builder()
            .peerId("p1")
            .publicKey("k")
            .stake(1)
            .hardware("hw")
            .heartbeatAt(5)
            .heartbeatIntervalMs(2000)
            .build();
    assertThat(lenient.deserializer().deserialize("t", lenient.serializer().serialize("t", p)))
        .isEqualTo(p);
  }

  @Test
  void kafkaSettingsPassClientSettingsThroughAndRefuseEmptyServers() {
    KafkaSettings s = KafkaSettings.of("h:1", Map.of("security.protocol", "SSL"));
    assertThat(s.properties(Map.of("acks", "all")))
        .containsEntry("bootstrap.servers", "h:1")
        .containsEntry("security.protocol", "SSL")
        .containsEntry("acks", "all");
    assertThatThrownBy(() -> new KafkaSettings(" ", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void compactedTopicsSayWhy() {
    assertThat(Topics.PEERS.configs()).containsEntry("cleanup.policy", "compact");
    assertThat(Topics.TASKS.configs()).containsEntry("message.timestamp.type", "LogAppendTime");
    assertThat(Topics.VOTES.configs()).isEmpty();
    assertThat(Topics.ALL).extracting(Topic::name).doesNotHaveDuplicates().hasSize(10);
    assertThat(Topics.NETWORK_KEYS.configs()).containsEntry("cleanup.policy", "compact");
    assertThat(Topics.SETTLEMENTS.configs())
        .as("the ledger's audit log keeps every record")
        .isEmpty();
    assertThat(Topics.ROSTERS.configs()).as("replay reads every roster back").isEmpty();
  }

  @Test
  void aCompactSerdeWritesCborThatReadsBackEqualAndSmallerThanJson() {
    Settlement s = settlement(0.123456789, 1_700_000_000_000L, 100.5);
    byte[] cbor = Topics.SETTLEMENTS.valueSerde().serializer().serialize("peers.settlements", s);
    byte[] json = new JsonSerde<>(Settlement.class).serializer().serialize("peers.settlements", s);

    assertThat(cbor[0] & 0xFF).as("a CBOR map").isGreaterThanOrEqualTo(0xA0);
    assertThat(json[0]).isEqualTo((byte) '{');
    assertThat(cbor.length).isLessThan(json.length);
    assertThat(
            Topics.SETTLEMENTS.valueSerde().deserializer().deserialize("peers.settlements", cbor))
        .isEqualTo(s);
  }

  @Test
  void everyDeserializerReadsBothEncodingsSoOldRecordsAndHandWrittenOnesStillRead() {
    Settlement s = settlement(0.5, 7L, 100);
    byte[] json = new JsonSerde<>(Settlement.class).serializer().serialize("x", s);
    byte[] cbor = JsonSerde.compact(Settlement.class).serializer().serialize("x", s);

    assertThat(JsonSerde.compact(Settlement.class).deserializer().deserialize("x", json))
        .isEqualTo(s);
    assertThat(new JsonSerde<>(Settlement.class).deserializer().deserialize("x", cbor))
        .isEqualTo(s);
    assertThat(JsonSerde.lenient(Settlement.class).deserializer().deserialize("x", cbor))
        .isEqualTo(s);
    // with a byte-order mark, JSON is still JSON
    byte[] bom = new byte[json.length + 3];
    bom[0] = (byte) 0xEF;
    bom[1] = (byte) 0xBB;
    bom[2] = (byte) 0xBF;
    System.arraycopy(json, 0, bom, 3, json.length);
    assertThat(JsonSerde.isCbor(bom)).isFalse();
  }

  @Test
  void cborGarbageIsASerializationExceptionNamingTheTypeAndTopic() {
    byte[] truncated =
        Arrays.copyOf(
            JsonSerde.compact(Settlement.class)
                .serializer()
                .serialize("x", settlement(0.5, 7L, 100)),
            9);
    assertThatThrownBy(
            () ->
                Topics.SETTLEMENTS
                    .valueSerde()
                    .deserializer()
                    .deserialize("peers.settlements", truncated))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("not a valid Settlement on peers.settlements");
  }

  /** A settlement of task t1 with peer p1's agreed vote for 3. */
  private static Settlement settlement(double reward, long settledAt, double declaredStake) {
    return new Settlement(
        Settlement.SCHEMA_VERSION,
        "t1",
        new PeerVerdict("p1", 3, Verdict.AGREED, null, 12, null, reward),
        settledAt,
        declaredStake);
  }
}

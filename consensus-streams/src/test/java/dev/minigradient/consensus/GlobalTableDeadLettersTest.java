package dev.minigradient.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Which registry and ledger records the consensus app dead-letters, and how. */
class GlobalTableDeadLettersTest {

  private static ConsumerRecord<String, byte[]> record(String topic, String key, byte[] value) {
    return new ConsumerRecord<>(topic, 2, 41L, key, value);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aMalformedRegistryRecordIsAMalformedPeerFromTheConsensusApp() {
    ProducerRecord<String, byte[]> dead =
        GlobalTableDeadLetters.check(record(Topics.PEERS.name(), "bad-peer", utf8("[1,2,3]")));

    assertThat(dead).isNotNull();
    assertThat(dead.topic()).isEqualTo(Topics.DEAD_LETTERS.name());
    assertThat(dead.key()).isEqualTo("bad-peer");
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("[1,2,3]");
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON)).isEqualTo("malformed-peer");
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.COMPONENT))
        .isEqualTo("consensus-streams");
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.TOPIC))
        .isEqualTo(Topics.PEERS.name());
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.PARTITION)).isEqualTo("2");
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.OFFSET)).isEqualTo("41");
    assertThat(DeadLetters.header(dead.headers(), DeadLetters.MESSAGE))
        .contains("not a valid Peer");
  }

  @Test
  void aMalformedOrEmptyLedgerEntryIsAMalformedReputation() {
    for (byte[] bad : List.of(utf8("not cbor"), new byte[0], new byte[] {(byte) 0xA1, 0x01})) {
      ProducerRecord<String, byte[]> dead =
          GlobalTableDeadLetters.check(record(Topics.REPUTATION.name(), "p1", bad));
      assertThat(dead).as(new String(bad, StandardCharsets.ISO_8859_1)).isNotNull();
      assertThat(DeadLetters.header(dead.headers(), DeadLetters.REASON))
          .isEqualTo("malformed-reputation");
    }
  }

  @Test
  void validRecordsTombstonesAndOtherTopicsAreLeftAlone() {
    Peer peer =
        Peer.builder()
            .peerId("p1")
            .publicKey("AAAA")
            .stake(10)
            .models(List.of("m"))
            .hardware("test")
            .heartbeatAt(1L)
            .heartbeatIntervalMs(2_000)
            .build();
    byte[] peerBytes = Topics.PEERS.valueSerde().serializer().serialize("t", peer);
    Reputation entry = Reputation.initial("p1", 0.5, 0.0);
    byte[] entryBytes = Topics.REPUTATION.valueSerde().serializer().serialize("t", entry);

    assertThat(GlobalTableDeadLetters.check(record(Topics.PEERS.name(), "p1", peerBytes))).isNull();
    assertThat(GlobalTableDeadLetters.check(record(Topics.REPUTATION.name(), "p1", entryBytes)))
        .isNull();
    assertThat(GlobalTableDeadLetters.check(record(Topics.PEERS.name(), "p1", null))).isNull();
    assertThat(GlobalTableDeadLetters.check(record(Topics.TASKS.name(), "t", utf8("x")))).isNull();
  }

  @Test
  void itChecksTheRegistryAndTheLedger() {
    assertThat(GlobalTableDeadLetters.topics())
        .containsExactly(Topics.PEERS.name(), Topics.REPUTATION.name());
  }
}

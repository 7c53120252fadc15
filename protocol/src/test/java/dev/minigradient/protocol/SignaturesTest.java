package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignaturesTest {
  private final KeyPair keys = KeyKind.SIGNING.generate();
  private final String publicKey = KeyKind.encode(keys.getPublic());
  private final Vote vote = SampleVotes.answer(List.of(0.1, 0.9));

  @Test
  void aSignedVoteVerifiesAgainstItsPeersKey() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    assertThat(signed.signature()).isNotBlank();
    assertThat(Signatures.verify(signed, publicKey)).isTrue();
  }

  @Test
  void changingAnySignedFieldBreaksTheSignature() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    List<Vote> tampered =
        List.of(
            signed.toBuilder().taskId("t2").build(),
            signed.toBuilder().peerId("p2").build(),
            signed.toBuilder().modelId("x".repeat(64)).build(),
            signed.toBuilder().inputSha256("y".repeat(64)).build(),
            signed.toBuilder().label(8).build(),
            signed.toBuilder().rejection("x").build(),
            signed.toBuilder().probabilities(List.of(0.2, 0.8)).build());
    for (Vote t : tampered) {
      assertThat(Signatures.verify(t, publicKey)).as(t.toString()).isFalse();
    }
  }

  @Test
  void anotherPeersKeyOrGarbageNeverVerifies() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    String other = KeyKind.encode(KeyKind.SIGNING.generate().getPublic());
    assertThat(Signatures.verify(signed, other)).isFalse();
    assertThat(Signatures.verify(signed, "not base64!")).isFalse();
    assertThat(Signatures.verify(signed, null)).isFalse();
    assertThat(Signatures.verify(signed.withSignature("AAAA"), publicKey)).isFalse();
    assertThat(Signatures.verify(vote, publicKey)).isFalse();
  }

  @Test
  void aKeyFileGivesEveryInstanceOfAPeerTheSameKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys").resolve("p1.key");
    KeyPair first = KeyKind.SIGNING.loadOrCreate(file);
    KeyPair again = KeyKind.SIGNING.loadOrCreate(file);
    assertThat(again.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
    Vote signed = Signatures.sign(vote, again.getPrivate());
    assertThat(Signatures.verify(signed, KeyKind.encode(first.getPublic()))).isTrue();
    assertThat(Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void aCorruptKeyFileIsAClearError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.key");
    Files.writeString(file, "not a key\n");
    Assertions.assertThatThrownBy(() -> KeyKind.SIGNING.loadOrCreate(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.key");
  }

  @Test
  void aBatchSignedUnderOneRootVerifiesVoteByVote() {
    List<Vote> votes =
        List.of(vote, vote.toBuilder().taskId("t2").build(), vote.toBuilder().taskId("t3").build());
    List<Vote> signed = Signatures.signer(keys.getPrivate()).signAll(votes);

    assertThat(signed).extracting(Vote::taskId).containsExactly("t1", "t2", "t3");
    assertThat(signed).extracting(Vote::signature).containsOnly(signed.get(0).signature());
    assertThat(signed).extracting(Vote::batchProof).doesNotContainNull().doesNotHaveDuplicates();
    for (Vote v : signed) {
      assertThat(Signatures.verify(v, publicKey)).as(v.taskId()).isTrue();
    }
  }

  @Test
  void aBatchSignatureSpeaksOnlyForItsOwnVotesAndKey() {
    List<Vote> signed =
        Signatures.signer(keys.getPrivate())
            .signAll(List.of(vote, vote.toBuilder().taskId("t2").build()));
    String other = KeyKind.encode(KeyKind.SIGNING.generate().getPublic());
    assertThat(Signatures.verify(signed.get(0), publicKey)).as("root now remembered").isTrue();

    assertThat(Signatures.verify(signed.get(0), other)).as("another key").isFalse();
    assertThat(Signatures.verify(signed.get(0).toBuilder().label(3).build(), publicKey))
        .as("a changed vote under a remembered root")
        .isFalse();
    assertThat(
            Signatures.verify(
                signed.get(0).toBuilder().batchProof(signed.get(1).batchProof()).build(),
                publicKey))
        .as("its sibling's proof")
        .isFalse();
    assertThat(Signatures.verify(signed.get(0).toBuilder().batchProof("AAAA").build(), publicKey))
        .as("a malformed proof")
        .isFalse();
    assertThat(Signatures.verify(signed.get(0).toBuilder().batchProof(null).build(), publicKey))
        .as("the root's signature read as the vote's own")
        .isFalse();
  }

  @Test
  void aBatchOfOneIsSignedAlone() {
    List<Vote> signed = Signatures.signer(keys.getPrivate()).signAll(List.of(vote));
    assertThat(signed.get(0).batchProof()).isNull();
    assertThat(signed.get(0)).isEqualTo(Signatures.sign(vote, keys.getPrivate()));
  }

  @Test
  void theSignatureSurvivesTheWire() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    JsonSerde<Vote> serde = new JsonSerde<>(Vote.class);
    Vote back = serde.deserializer().deserialize("t", serde.serializer().serialize("t", signed));
    assertThat(back).isEqualTo(signed);
    assertThat(Signatures.verify(back, publicKey)).isTrue();
  }
}

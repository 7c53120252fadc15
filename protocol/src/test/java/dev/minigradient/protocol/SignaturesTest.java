package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignaturesTest {
  private final KeyPair keys = Signatures.generateKeyPair();
  private final String publicKey = Signatures.encodePublicKey(keys.getPublic());
  private final Vote vote =
      new Vote(1, "t1", "p1", "m".repeat(64), "h".repeat(64), 7, null, List.of(0.1, 0.9), 1.2, 5L, null);

  @Test
  void aSignedVoteVerifiesAgainstItsPeersKey() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    assertThat(signed.signature()).isNotBlank();
    assertThat(Signatures.verify(signed, publicKey)).isTrue();
  }

  @Test
  void changingAnySignedFieldBreaksTheSignature() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    String sig = signed.signature();
    List<Vote> tampered = List.of(
        new Vote(1, "t2", "p1", vote.modelId(), vote.inputSha256(), 7, null, vote.probabilities(), 1.2, 5L, sig),
        new Vote(1, "t1", "p2", vote.modelId(), vote.inputSha256(), 7, null, vote.probabilities(), 1.2, 5L, sig),
        new Vote(1, "t1", "p1", "x".repeat(64), vote.inputSha256(), 7, null, vote.probabilities(), 1.2, 5L, sig),
        new Vote(1, "t1", "p1", vote.modelId(), "y".repeat(64), 7, null, vote.probabilities(), 1.2, 5L, sig),
        new Vote(1, "t1", "p1", vote.modelId(), vote.inputSha256(), 8, null, vote.probabilities(), 1.2, 5L, sig),
        new Vote(1, "t1", "p1", vote.modelId(), vote.inputSha256(), 7, "x", vote.probabilities(), 1.2, 5L, sig),
        new Vote(1, "t1", "p1", vote.modelId(), vote.inputSha256(), 7, null, List.of(0.2, 0.8), 1.2, 5L, sig));
    for (Vote t : tampered) {
      assertThat(Signatures.verify(t, publicKey)).as(t.toString()).isFalse();
    }
  }

  @Test
  void anotherPeersKeyOrGarbageNeverVerifies() {
    Vote signed = Signatures.sign(vote, keys.getPrivate());
    String other = Signatures.encodePublicKey(Signatures.generateKeyPair().getPublic());
    assertThat(Signatures.verify(signed, other)).isFalse();
    assertThat(Signatures.verify(signed, "not base64!")).isFalse();
    assertThat(Signatures.verify(signed, null)).isFalse();
    assertThat(Signatures.verify(signed.withSignature("AAAA"), publicKey)).isFalse();
    assertThat(Signatures.verify(vote, publicKey)).isFalse();
  }

  @Test
  void aKeyFileGivesEveryInstanceOfAPeerTheSameKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("keys").resolve("p1.key");
    KeyPair first = Signatures.loadOrCreate(file);
    KeyPair again = Signatures.loadOrCreate(file);
    assertThat(again.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
    Vote signed = Signatures.sign(vote, again.getPrivate());
    assertThat(Signatures.verify(signed, Signatures.encodePublicKey(first.getPublic()))).isTrue();
    assertThat(java.nio.file.Files.getPosixFilePermissions(file))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void aCorruptKeyFileIsAClearError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("bad.key");
    java.nio.file.Files.writeString(file, "not a key\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Signatures.loadOrCreate(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.key");
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

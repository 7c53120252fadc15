package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealingTest {
  private final KeyPair consensus = KeyKind.SEALING.generate();
  private final KeyPair peer = KeyKind.SIGNING.generate();
  private final Vote signed =
      Signatures.sign(SampleVotes.answer(List.of(0.05, 0.95)), peer.getPrivate());

  @Test
  void aSealedVoteHidesItsAnswerAndOpensToTheSignedVote() {
    Vote sealed = Sealing.sealer(consensus.getPublic()).seal(signed);

    assertThat(sealed.isReadable()).isFalse();
    assertThat(sealed.label()).isZero();
    assertThat(sealed.probabilities()).isEmpty();
    assertThat(sealed.sealKey()).isNotBlank();
    assertThat(sealed.signature()).isEqualTo(signed.signature());
    assertThat(Signatures.verify(sealed, KeyKind.encode(peer.getPublic()))).isFalse();

    Vote opened = Sealing.opener(consensus.getPrivate()).open(sealed);
    assertThat(opened).isEqualTo(signed);
    assertThat(Signatures.verify(opened, KeyKind.encode(peer.getPublic()))).isTrue();
  }

  @Test
  void twoSealsOfOneVoteDiffer() {
    Sealing.Sealer sealer = Sealing.sealer(consensus.getPublic());
    assertThat(sealer.seal(signed).sealed()).isNotEqualTo(sealer.seal(signed).sealed());
  }

  @Test
  void anotherKeyCannotOpenIt() {
    Vote sealed = Sealing.sealer(consensus.getPublic()).seal(signed);
    Sealing.Opener other = Sealing.opener(KeyKind.SEALING.generate().getPrivate());
    assertThatThrownBy(() -> other.open(sealed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("p1")
        .hasMessageContaining("t1");
  }

  @Test
  void aTamperedCiphertextOrAMovedVoteIsRefused() {
    Vote sealed = Sealing.sealer(consensus.getPublic()).seal(signed);
    byte[] box = Base64.getDecoder().decode(sealed.sealed());
    box[box.length - 1] ^= 1;
    Vote flipped =
        withSealed(
            sealed, sealed.taskId(), sealed.peerId(), Base64.getEncoder().encodeToString(box));
    // the task and peer ids are associated data: a sealed answer cannot be replayed under another
    Vote moved = withSealed(sealed, "t2", sealed.peerId(), sealed.sealed());
    Vote stolen = withSealed(sealed, sealed.taskId(), "p2", sealed.sealed());
    Vote truncated = withSealed(sealed, sealed.taskId(), sealed.peerId(), "AAAA");
    Sealing.Opener opener = Sealing.opener(consensus.getPrivate());
    for (Vote bad : List.of(flipped, moved, stolen, truncated)) {
      assertThatThrownBy(() -> opener.open(bad))
          .as(bad.toString())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(opener.open(sealed)).isEqualTo(signed);
  }

  @Test
  void theRuntimeDescriptionSurvivesSealingTheTopicAndOpeningOutsideTheSignature() {
    Vote described = signed.withRuntime("onnxruntime 1.29.0; CPU; amd64 avx2 fma");

    Vote sealed = Sealing.sealer(consensus.getPublic()).seal(described);
    byte[] onTopic = Topics.VOTES.valueSerde().serializer().serialize(Topics.VOTES.name(), sealed);
    Vote read = Topics.VOTES.valueSerde().deserializer().deserialize(Topics.VOTES.name(), onTopic);
    Vote opened = Sealing.opener(consensus.getPrivate()).open(read);

    assertThat(read.runtime()).isEqualTo("onnxruntime 1.29.0; CPU; amd64 avx2 fma");
    assertThat(opened).isEqualTo(described);
    assertThat(Signatures.verify(opened, KeyKind.encode(peer.getPublic())))
        .as("the runtime is not signed: the peer's signature over the answer still holds")
        .isTrue();
  }

  @Test
  void aVoteInTheClearOpensAsItIs() {
    assertThat(Sealing.opener(consensus.getPrivate()).open(signed)).isSameAs(signed);
  }

  @Test
  void keysSurviveEncodingAndAKeyFile(@TempDir Path dir) {
    assertThat(Sealing.decode(KeyKind.encode(consensus.getPublic())).getEncoded())
        .isEqualTo(consensus.getPublic().getEncoded());
    assertThatThrownBy(() -> Sealing.decode("not a key"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sealing.decode(KeyKind.encode(peer.getPublic())))
        .isInstanceOf(IllegalArgumentException.class);

    Path file = dir.resolve("seal.key");
    KeyPair first = KeyKind.SEALING.loadOrCreate(file);
    assertThat(Files.exists(file)).isTrue();
    Vote sealed = Sealing.sealer(first.getPublic()).seal(signed);
    assertThat(Sealing.opener(KeyKind.SEALING.loadOrCreate(file).getPrivate()).open(sealed))
        .isEqualTo(signed);
  }

  private static Vote withSealed(Vote v, String taskId, String peerId, String sealed) {
    return v.toBuilder().taskId(taskId).peerId(peerId).sealed(sealed).build();
  }
}

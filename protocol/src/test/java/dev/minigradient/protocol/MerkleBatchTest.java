package dev.minigradient.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleBatchTest {
  private static List<byte[]> payloads(int n) {
    return IntStream.range(0, n)
        .mapToObj(i -> ("vote " + i).getBytes(StandardCharsets.UTF_8))
        .toList();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 64})
  void everyLeafFoldsToTheRootThroughItsOwnProof(int n) {
    List<byte[]> payloads = payloads(n);
    MerkleBatch tree = MerkleBatch.of(payloads);
    for (int i = 0; i < n; i++) {
      assertThat(MerkleBatch.rootOf(payloads.get(i), tree.proof(i)))
          .as("leaf %d", i)
          .isEqualTo(tree.root());
    }
  }

  @Test
  void theRootIsRfc9162sTreeHash() throws Exception {
    // RFC 9162 2.1.1: MTH of 3 leaves = H(0x01 || H(0x01 || L0 || L1) || L2), Li = H(0x00 || di)
    List<byte[]> d = payloads(3);
    byte[] l0 = sha256(new byte[] {0}, d.get(0));
    byte[] l1 = sha256(new byte[] {0}, d.get(1));
    byte[] l2 = sha256(new byte[] {0}, d.get(2));
    byte[] expected = sha256(new byte[] {1}, sha256(new byte[] {1}, l0, l1), l2);
    assertThat(HexFormat.of().formatHex(MerkleBatch.of(d).root()))
        .isEqualTo(HexFormat.of().formatHex(expected));
  }

  @Test
  void anotherPayloadOrAnotherPositionFoldsToAnotherRoot() {
    List<byte[]> payloads = payloads(5);
    MerkleBatch tree = MerkleBatch.of(payloads);
    assertThat(MerkleBatch.rootOf(payloads.get(1), tree.proof(2))).isNotEqualTo(tree.root());
    assertThat(MerkleBatch.rootOf("forged".getBytes(StandardCharsets.UTF_8), tree.proof(2)))
        .isNotEqualTo(tree.root());
  }

  @Test
  void aMalformedProofFoldsToNothing() {
    MerkleBatch tree = MerkleBatch.of(payloads(4));
    byte[] proof = Base64.getDecoder().decode(tree.proof(1));
    byte[] shortPath = Arrays.copyOf(proof, proof.length - 32);
    byte[] indexOutside = proof.clone();
    indexOutside[3] = 9;
    List<String> bad = new ArrayList<>(List.of("not base64!", "", "AAA="));
    bad.add(Base64.getEncoder().encodeToString(shortPath));
    bad.add(Base64.getEncoder().encodeToString(indexOutside));
    for (String b : bad) {
      assertThat(MerkleBatch.rootOf(payloads(4).get(1), b)).as(b).isNull();
    }
  }

  @Test
  void aBatchHoldsAtLeastOnePayload() {
    assertThatThrownBy(() -> MerkleBatch.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to");
  }

  private static byte[] sha256(byte[]... parts) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    for (byte[] p : parts) {
      md.update(p);
    }
    return md.digest();
  }
}

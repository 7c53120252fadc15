package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Sealed votes: a peer encrypts its label and probabilities to the consensus app's X25519 key, so
 * other peers reading {@code inference.votes} cannot copy them (a copycat sees only ciphertext).
 * The signature still covers the plaintext vote ({@link Vote#signedPayload()}), checked after
 * opening.
 *
 * <p>Scheme (ECIES in the style of RFC 9180's HPKE base mode): each peer process has one ephemeral
 * X25519 key pair; key = HKDF-SHA256 (RFC 5869) of the X25519 shared secret (RFC 7748) with info
 * {@code mini-gradient/vote-seal/v1}; each vote is AES-256-GCM with a random 96-bit nonce and the
 * task id and peer id as associated data. {@link Vote#sealKey()} carries the ephemeral public key,
 * {@link Vote#sealed()} the nonce and ciphertext. The opener caches the derived key per ephemeral
 * key, so opening costs one AES-GCM decryption per vote.
 */
public final class Sealing {
  private static final String ALGORITHM = KeyKind.SEALING.algorithm();
  private static final byte[] INFO = "mini-gradient/vote-seal/v1".getBytes(StandardCharsets.UTF_8);
  private static final int NONCE_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Sealing() {}

  /**
   * Decodes a public key written by {@link KeyKind#encode}.
   *
   * @param base64 the encoded key
   * @return the key
   * @throws IllegalArgumentException if it is not an X25519 public key
   */
  public static PublicKey decode(String base64) {
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("not an X25519 public key", e);
    }
  }

  private static byte[] deriveKey(PrivateKey mine, PublicKey theirs)
      throws GeneralSecurityException {
    KeyAgreement ka = KeyAgreement.getInstance(ALGORITHM);
    ka.init(mine);
    ka.doPhase(theirs, true);
    byte[] shared = ka.generateSecret();
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(shared, null, INFO));
    byte[] key = new byte[32];
    hkdf.generateBytes(key, 0, key.length);
    return key;
  }

  private static byte[] aad(Vote v) {
    return (v.taskId() + "\n" + v.peerId()).getBytes(StandardCharsets.UTF_8);
  }

  /** What a sealed vote hides. */
  private record Hidden(
      int label,
      String rejection,
      List<Double> probabilities,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Double> values) {}

  /** Seals votes to one recipient key; thread-safe. */
  public static final class Sealer {
    private final String sealKey;
    private final SecretKeySpec key;

    private Sealer(PublicKey recipient) {
      KeyPair ephemeral = KeyKind.SEALING.generate();
      try {
        this.key = new SecretKeySpec(deriveKey(ephemeral.getPrivate(), recipient), "AES");
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot agree a key with " + recipient, e);
      }
      this.sealKey = KeyKind.encode(ephemeral.getPublic());
    }

    /**
     * Seals a signed vote: its label, rejection, probabilities and values go into {@link
     * Vote#sealed()} and are cleared in the clear fields (label 0, no rejection, no probabilities).
     *
     * @param vote a signed vote in the clear
     * @return the sealed vote, with the same signature
     */
    public Vote seal(Vote vote) {
      try {
        byte[] plain =
            JsonSerde.MAPPER.writeValueAsBytes(
                new Hidden(vote.label(), vote.rejection(), vote.probabilities(), vote.values()));
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        c.updateAAD(aad(vote));
        byte[] ct = c.doFinal(plain);
        byte[] box = ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
        return vote.toBuilder()
            .label(0)
            .rejection(null)
            .probabilities(List.of())
            .values(List.of())
            .sealKey(sealKey)
            .sealed(Base64.getEncoder().encodeToString(box))
            .build();
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("cannot seal vote " + vote.taskId(), e);
      }
    }
  }

  /**
   * A sealer for a recipient.
   *
   * @param recipient the consensus app's X25519 public key
   * @return a sealer with a fresh ephemeral key
   */
  public static Sealer sealer(PublicKey recipient) {
    return new Sealer(recipient);
  }

  /** Opens votes sealed to one key pair; caches derived keys; thread-confined. */
  public static final class Opener {
    private final PrivateKey key;
    private final Map<String, SecretKeySpec> derived =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, SecretKeySpec> eldest) {
            return size() > 4096;
          }
        };

    private Opener(PrivateKey key) {
      this.key = key;
    }

    /**
     * Opens a vote; a vote in the clear is returned as it is.
     *
     * @param vote a vote read from the topic
     * @return the vote with its label, rejection and probabilities restored
     * @throws IllegalArgumentException if it was not sealed to this key or was tampered with
     */
    public Vote open(Vote vote) {
      if (vote.isReadable()) {
        return vote;
      }
      try {
        SecretKeySpec k = derived.get(vote.sealKey());
        if (k == null) {
          k = new SecretKeySpec(deriveKey(key, decode(vote.sealKey())), "AES");
          derived.put(vote.sealKey(), k);
        }
        byte[] box = Base64.getDecoder().decode(vote.sealed());
        if (box.length <= NONCE_BYTES) {
          throw new IllegalArgumentException("sealed vote too short");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(128, box, 0, NONCE_BYTES));
        c.updateAAD(aad(vote));
        byte[] plain = c.doFinal(box, NONCE_BYTES, box.length - NONCE_BYTES);
        Hidden h = JsonSerde.MAPPER.readValue(plain, Hidden.class);
        return vote.toBuilder()
            .label(h.label())
            .rejection(h.rejection())
            .probabilities(h.probabilities())
            .values(h.values() == null ? List.of() : h.values())
            .sealKey(null)
            .sealed(null)
            .build();
      } catch (GeneralSecurityException | IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot open sealed vote of "
                + vote.peerId()
                + " for "
                + vote.taskId()
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  /**
   * An opener for votes sealed to {@code key}.
   *
   * @param key the consensus app's X25519 private key
   * @return the opener
   */
  public static Opener opener(PrivateKey key) {
    return new Opener(key);
  }
}

package dev.minigradient.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Ed25519 (RFC 8032) keys and vote signatures, with the JDK's provider. Public keys travel as
 * base64 X.509 SubjectPublicKeyInfo.
 */
public final class Signatures {
  private static final String ALGORITHM = "Ed25519";

  /** Decoded public keys by their base64 form: decoding costs about as much as verifying. */
  private static final Map<String, PublicKey> KEYS =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PublicKey> eldest) {
              return size() > 10_000;
            }
          });

  private Signatures() {}

  /**
   * Generates a fresh key pair.
   *
   * @return an Ed25519 key pair
   */
  public static KeyPair generateKeyPair() {
    try {
      return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is in every JDK since 15", e);
    }
  }

  /**
   * Encodes a public key for {@link Peer#publicKey()}.
   *
   * @param key an Ed25519 public key
   * @return base64 of its X.509 encoding
   */
  public static String encodePublicKey(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /**
   * Signs a vote's {@link Vote#signedPayload()}.
   *
   * @param vote the vote (its signature field is ignored)
   * @param key the peer's private key
   * @return the vote carrying its base64 signature
   */
  public static Vote sign(Vote vote, PrivateKey key) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initSign(key);
      s.update(vote.signedPayload());
      return vote.withSignature(Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + key.getAlgorithm(), e);
    }
  }

  /**
   * Verifies a vote's signature against a registered public key.
   *
   * @param vote the vote
   * @param publicKeyBase64 the peer's key as in {@link Peer#publicKey()}
   * @return true only if the key decodes and the signature verifies; false for any malformed
   *     input
   */
  public static boolean verify(Vote vote, String publicKeyBase64) {
    if (vote.signature() == null || publicKeyBase64 == null) {
      return false;
    }
    try {
      PublicKey key = KEYS.get(publicKeyBase64);
      if (key == null) {
        key =
            KeyFactory.getInstance(ALGORITHM)
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKeyBase64)));
        KEYS.put(publicKeyBase64, key);
      }
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(vote.signedPayload());
      return s.verify(Base64.getDecoder().decode(vote.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}

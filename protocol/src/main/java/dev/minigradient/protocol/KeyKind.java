package dev.minigradient.protocol;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * The two kinds of key pair in the network: a peer's signing key ({@link Signatures}) and the
 * consensus app's sealing key ({@link Sealing}). Each kind generates pairs, keeps them in key files
 * (two base64 lines: the PKCS#8 private key, then the X.509 public key) and encodes public keys for
 * the wire the same way.
 */
public enum KeyKind {
  /**
   * Ed25519 (RFC 8032): a peer signs its votes. Every instance and every restart of one peer id
   * must sign with the same key, since the registry holds one key per peer id: give them the same
   * file.
   */
  SIGNING("Ed25519"),

  /**
   * X25519 (RFC 7748): peers seal their votes to the consensus app. Every instance of the consensus
   * app must use the same file.
   */
  SEALING("X25519");

  private final String algorithm;

  KeyKind(String algorithm) {
    this.algorithm = algorithm;
  }

  /**
   * The JCA algorithm name.
   *
   * @return {@code Ed25519} or {@code X25519}
   */
  public String algorithm() {
    return algorithm;
  }

  /**
   * A fresh key pair of this kind.
   *
   * @return the pair
   * @throws IllegalStateException if this JDK lacks the algorithm (every JDK since 15 has both)
   */
  public KeyPair generate() {
    return KeyFiles.generate(algorithm);
  }

  /**
   * Loads a key pair of this kind from {@code file}, or creates one there (owner-only permissions
   * where the file system has them).
   *
   * @param file two base64 lines: the PKCS#8 private key, then the X.509 public key
   * @return the key pair
   * @throws java.io.UncheckedIOException if the file cannot be read or written
   * @throws IllegalArgumentException if the file does not hold a key pair of this kind
   */
  public KeyPair loadOrCreate(Path file) {
    return KeyFiles.loadOrCreate(file, algorithm);
  }

  /**
   * Encodes a public key for the wire ({@link Peer#publicKey()}, {@link NetworkKey#publicKey()},
   * {@link Vote#sealKey()}).
   *
   * @param key a public key of either kind
   * @return base64 of its X.509 encoding
   */
  public static String encode(PublicKey key) {
    return KeyFiles.encode(key);
  }
}

package dev.minigradient.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** Key pairs kept in files: two base64 lines, the PKCS#8 private key then the X.509 public key. */
final class KeyFiles {
  private KeyFiles() {}

  /**
   * A fresh key pair.
   *
   * @param algorithm the JCA key algorithm ({@code Ed25519}, {@code X25519}: in every JDK since 15)
   * @return the pair
   * @throws IllegalStateException if this JDK lacks the algorithm
   */
  static KeyPair generate(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is missing from this JDK", e);
    }
  }

  /**
   * Encodes a public key for the wire.
   *
   * @param key the key
   * @return base64 of its X.509 encoding
   */
  static String encode(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /**
   * Loads a key pair from {@code file}, or creates one there with owner-only permissions where the
   * file system has them.
   *
   * @param file the key file
   * @param algorithm the JCA key algorithm ({@code Ed25519}, {@code X25519}); a new pair is {@link
   *     #generate}d when the file does not exist
   * @return the key pair
   * @throws UncheckedIOException if the file cannot be read or written
   * @throws IllegalArgumentException if the file does not hold a key pair of {@code algorithm}
   */
  static KeyPair loadOrCreate(Path file, String algorithm) {
    try {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() < 2) {
          throw new IllegalArgumentException("not a key file (two base64 lines expected): " + file);
        }
        KeyFactory kf = KeyFactory.getInstance(algorithm);
        return new KeyPair(
            kf.generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(lines.get(1).trim()))),
            kf.generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(lines.get(0).trim()))));
      }
      KeyPair kp = generate(algorithm);
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(
          file,
          Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded())
              + "\n"
              + Base64.getEncoder().encodeToString(kp.getPublic().getEncoded())
              + "\n");
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
      return kp;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write key file " + file, e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "not an " + algorithm + " key file: " + file + " (" + e.getMessage() + ")", e);
    }
  }
}

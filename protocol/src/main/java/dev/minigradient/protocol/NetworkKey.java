package dev.minigradient.protocol;

/**
 * A public key the network's services announce on {@link Topics#NETWORK_KEYS}, keyed by {@code
 * name}.
 *
 * @param schemaVersion wire schema version
 * @param name what the key is for; {@link #CONSENSUS_SEAL} is the X25519 key peers seal votes to
 * @param publicKey X.509 SubjectPublicKeyInfo, base64
 * @param publishedAt when it was announced, epoch ms
 */
public record NetworkKey(int schemaVersion, String name, String publicKey, long publishedAt) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** Name of the consensus app's vote-sealing key. */
  public static final String CONSENSUS_SEAL = "consensus-seal";
}

package dev.minigradient.protocol;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Merkle tree over a batch of signed payloads, so that one Ed25519 signature over its root speaks
 * for every vote in the batch, and each vote carries the inclusion proof that ties it to that root.
 * Hashing and proofs follow RFC 9162 (Certificate Transparency 2.0) section 2.1: a leaf is {@code
 * SHA-256(0x00 || payload)}, an interior node {@code SHA-256(0x01 || left || right)}, a tree of n
 * leaves splits at the largest power of two below n, and the audit path is verified with the
 * algorithm of its section 2.1.3.2. The two prefixes keep a leaf from passing for a node, so nobody
 * can fold a different payload to a signed root without a SHA-256 collision. Signing a batch's root
 * rather than each payload is the batch signing of Benjamin et al., "Batch Signing for TLS"
 * (draft-ietf-tls-batch-signing-00, 2019).
 *
 * <p>A proof travels as base64 of: the tree size and the leaf's index (two unsigned 16-bit
 * big-endian integers), then the audit path's hashes (32 bytes each, leaf to root).
 */
public final class MerkleBatch {
  /** The most leaves a batch may hold (the proof's size field is 16 bits). */
  public static final int MAX_LEAVES = (1 << 16) - 1;

  private static final int HASH = 32;

  private final byte[][] leaves;

  /** Subtree hashes by {@code from << 32 | to}, so n proofs cost O(n) hashes, not O(n^2). */
  private final Map<Long, byte[]> subtrees = new HashMap<>();

  private final byte[] root;

  private MerkleBatch(byte[][] leaves) {
    this.leaves = leaves;
    this.root = hashRange(0, leaves.length);
  }

  /**
   * Builds the tree over {@code payloads}, in their order.
   *
   * @param payloads the signed payloads, at least one
   * @return the tree
   * @throws IllegalArgumentException if there are none or more than {@link #MAX_LEAVES}
   */
  public static MerkleBatch of(List<byte[]> payloads) {
    if (payloads.isEmpty() || payloads.size() > MAX_LEAVES) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + MAX_LEAVES + " payloads, not " + payloads.size());
    }
    byte[][] leaves = new byte[payloads.size()][];
    for (int i = 0; i < leaves.length; i++) {
      leaves[i] = leafHash(payloads.get(i));
    }
    return new MerkleBatch(leaves);
  }

  /**
   * The tree's root, the bytes that get signed.
   *
   * @return the 32-byte root hash (a copy)
   */
  public byte[] root() {
    return root.clone();
  }

  /**
   * The inclusion proof of one leaf.
   *
   * @param index the leaf's position, from 0
   * @return the base64 proof described in the class comment
   */
  public String proof(int index) {
    List<byte[]> path = new ArrayList<>();
    auditPath(index, 0, leaves.length, path);
    ByteBuffer out = ByteBuffer.allocate(4 + HASH * path.size());
    out.putShort((short) leaves.length).putShort((short) index);
    path.forEach(out::put);
    return Base64.getEncoder().encodeToString(out.array());
  }

  /**
   * The root that a payload and its proof fold to (RFC 9162, 2.1.3.2).
   *
   * @param payload the signed payload of one vote
   * @param proof the base64 proof from {@link #proof(int)}
   * @return the 32-byte root, or null if the proof is malformed (wrong length, an index outside the
   *     tree, or a path of the wrong length for the tree's size)
   */
  public static byte[] rootOf(byte[] payload, String proof) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(proof);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length < 4 || (bytes.length - 4) % HASH != 0) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int size = Short.toUnsignedInt(in.getShort());
    long fn = Short.toUnsignedInt(in.getShort());
    long sn = size - 1L;
    if (size == 0 || fn > sn) {
      return null;
    }
    byte[] r = leafHash(payload);
    byte[] p = new byte[HASH];
    while (in.hasRemaining()) {
      in.get(p);
      if (sn == 0) {
        return null;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }

  private void auditPath(int index, int from, int to, List<byte[]> path) {
    int n = to - from;
    if (n == 1) {
      return;
    }
    int k = Integer.highestOneBit(n - 1);
    if (index < k) {
      auditPath(index, from, from + k, path);
      path.add(hashRange(from + k, to));
    } else {
      auditPath(index - k, from + k, to, path);
      path.add(hashRange(from, from + k));
    }
  }

  private byte[] hashRange(int from, int to) {
    int n = to - from;
    if (n == 1) {
      return leaves[from];
    }
    Long key = (long) from << 32 | to;
    byte[] hash = subtrees.get(key);
    if (hash == null) {
      int k = Integer.highestOneBit(n - 1);
      hash = node(hashRange(from, from + k), hashRange(from + k, to));
      subtrees.put(key, hash);
    }
    return hash;
  }

  private static byte[] leafHash(byte[] payload) {
    MessageDigest md = sha256();
    md.update((byte) 0);
    return md.digest(payload);
  }

  private static byte[] node(byte[] left, byte[] right) {
    MessageDigest md = sha256();
    md.update((byte) 1);
    md.update(left);
    return md.digest(right);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

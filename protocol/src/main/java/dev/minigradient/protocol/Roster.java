package dev.minigradient.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The candidates that committees are drawn from during one epoch, with the beacon that seeds the
 * draws, published by the consensus app to {@link Topics#ROSTERS} keyed by {@link #key()} one epoch
 * before it takes effect. Every peer, the consensus app and {@code replay} read the same records,
 * so each computes every task's committee ({@link Committee}) on its own and gets the same seats.
 *
 * <p>The roster of a task is the one with the largest {@link #effectiveFrom} not after the task
 * record's timestamp (the broker's append time: {@code inference.tasks} uses {@code
 * LogAppendTime}); a task older than every roster has no committee and every active peer serves it.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param effectiveFrom the first task append time the roster applies to, epoch ms
 * @param beacon 64 hex characters, an HMAC-SHA256 under the consensus app's secret of the epoch
 *     ({@link #beacon(byte[], long)}): unknown to anyone before the roster is published, and the
 *     same if it is published again
 * @param defaultRedundancy seats of a task that names no redundancy ({@link Redundancy#ALL} for
 *     every peer)
 * @param members the candidates: peers active when the roster was made, each with its draw weight
 *     and the models it serves, sorted by peer id
 */
public record Roster(
    int schemaVersion,
    long effectiveFrom,
    String beacon,
    int defaultRedundancy,
    List<Member> members) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** Validates and copies the members. */
  public Roster {
    Objects.requireNonNull(beacon, "beacon");
    if (effectiveFrom < 0 || defaultRedundancy < 0) {
      throw new IllegalArgumentException("effectiveFrom and defaultRedundancy must be >= 0");
    }
    members = members == null ? List.of() : List.copyOf(members);
  }

  /**
   * The record key: {@link #effectiveFrom} zero-padded to 15 digits, so keys sort by time.
   *
   * @return the key
   */
  public String key() {
    return key(effectiveFrom);
  }

  /**
   * The record key of the roster effective from {@code effectiveFrom}.
   *
   * @param effectiveFrom epoch ms
   * @return the zero-padded key
   */
  public static String key(long effectiveFrom) {
    return String.format("%015d", effectiveFrom);
  }

  /**
   * The beacon of the epoch starting at {@code effectiveFrom}, as the consensus app derives it:
   * HMAC-SHA256 under the app's secret, so nobody can compute it before the roster is published,
   * and an instance publishing it again after a restart publishes the same value.
   *
   * @param secret the consensus app's secret
   * @param effectiveFrom the epoch's start, epoch ms
   * @return 64 hex characters
   */
  public static String beacon(byte[] secret, long effectiveFrom) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update("mini-gradient/beacon/v1".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of()
          .formatHex(mac.doFinal(ByteBuffer.allocate(8).putLong(effectiveFrom).array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }

  /**
   * One candidate.
   *
   * @param peerId the peer
   * @param weight its draw weight (stake x reputation, newcomers capped: the consensus app's {@code
   *     StakeWeights}); a seat goes to it with probability weight / total weight of the candidates
   *     serving the task's model
   * @param models ids of the models it serves
   */
  public record Member(String peerId, double weight, List<String> models) {
    /** Copies the models. */
    public Member {
      Objects.requireNonNull(peerId, "peerId");
      models = models == null ? List.of() : List.copyOf(models);
    }
  }
}

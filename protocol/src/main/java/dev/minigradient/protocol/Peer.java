package dev.minigradient.protocol;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.List;

/**
 * A peer's registration and heartbeat, published to the compacted {@link Topics#PEERS} keyed by
 * {@code peerId}. A peer is active while its last heartbeat is younger than {@link
 * #ACTIVE_HEARTBEATS} heartbeat intervals.
 *
 * @param schemaVersion wire schema version
 * @param peerId the peer's id; also its consumer group's suffix
 * @param publicKey the peer's Ed25519 public key, X.509 SubjectPublicKeyInfo, base64
 * @param stake the stake the peer declares, in tokens
 * @param models ids (SHA-256) of the models the peer serves
 * @param hardware free-form description of the peer's hardware
 * @param heartbeatAt time of this heartbeat, epoch ms
 * @param heartbeatIntervalMs how often the peer promises to beat, ms
 * @param leaving true when the peer announces a clean shutdown
 */
@RecordBuilder
public record Peer(
    int schemaVersion,
    String peerId,
    String publicKey,
    double stake,
    List<String> models,
    String hardware,
    long heartbeatAt,
    long heartbeatIntervalMs,
    boolean leaving) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** Heartbeat intervals a peer may miss before it counts as inactive. */
  public static final int ACTIVE_HEARTBEATS = 3;

  /** Copies the model list. */
  public Peer {
    models = models == null ? List.of() : List.copyOf(models);
  }

  /**
   * Whether the peer counts as active at {@code nowMs}, judged by the time the broker stamped its
   * latest registry record ({@code peers.registry} uses {@code LogAppendTime}), never by the peer's
   * own clock ({@link #heartbeatAt}).
   *
   * @param stampedAtMs the registry record's timestamp, epoch ms
   * @param nowMs wall-clock time, epoch ms
   * @return true unless it left or that record is older than {@link #ACTIVE_HEARTBEATS} intervals
   */
  public boolean isActive(long stampedAtMs, long nowMs) {
    return !leaving && nowMs - stampedAtMs <= ACTIVE_HEARTBEATS * heartbeatIntervalMs;
  }

  /**
   * A builder for a heartbeat: schema version {@link #SCHEMA_VERSION}, no models, not leaving, and
   * every other component 0 or null until set.
   *
   * @return a new builder
   */
  public static PeerBuilder builder() {
    return PeerBuilder.builder().schemaVersion(SCHEMA_VERSION).models(List.of());
  }

  /**
   * A builder holding this heartbeat's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public PeerBuilder toBuilder() {
    return PeerBuilder.builder(this);
  }
}

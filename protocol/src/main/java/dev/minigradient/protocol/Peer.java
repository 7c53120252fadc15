package dev.minigradient.protocol;

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
   * Whether the peer counts as active at {@code nowMs}, judged by the time the broker stamped
   * its latest registry record ({@code peers.registry} uses {@code LogAppendTime}), never by the
   * peer's own clock ({@link #heartbeatAt}).
   *
   * @param stampedAtMs the registry record's timestamp, epoch ms
   * @param nowMs wall-clock time, epoch ms
   * @return true unless it left or that record is older than {@link #ACTIVE_HEARTBEATS}
   *     intervals
   */
  public boolean isActive(long stampedAtMs, long nowMs) {
    return !leaving && nowMs - stampedAtMs <= ACTIVE_HEARTBEATS * heartbeatIntervalMs;
  }

  /**
   * A builder for a heartbeat: schema version {@link #SCHEMA_VERSION}, no models, not leaving,
   * and every other component 0 or null until set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this heartbeat's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Sets a heartbeat's components by name; each setter is named after the component it sets. */
  public static final class Builder {
    private int schemaVersion = SCHEMA_VERSION;
    private String peerId;
    private String publicKey;
    private double stake;
    private List<String> models = List.of();
    private String hardware;
    private long heartbeatAt;
    private long heartbeatIntervalMs;
    private boolean leaving;

    private Builder() {}

    private Builder(Peer p) {
      schemaVersion = p.schemaVersion;
      peerId = p.peerId;
      publicKey = p.publicKey;
      stake = p.stake;
      models = p.models;
      hardware = p.hardware;
      heartbeatAt = p.heartbeatAt;
      heartbeatIntervalMs = p.heartbeatIntervalMs;
      leaving = p.leaving;
    }

    /**
     * Sets the wire schema version.
     *
     * @param schemaVersion the value
     * @return this builder
     */
    public Builder schemaVersion(int schemaVersion) {
      this.schemaVersion = schemaVersion;
      return this;
    }

    /**
     * Sets the peer's id.
     *
     * @param peerId the value
     * @return this builder
     */
    public Builder peerId(String peerId) {
      this.peerId = peerId;
      return this;
    }

    /**
     * Sets the peer's Ed25519 public key, X.509 SubjectPublicKeyInfo, base64.
     *
     * @param publicKey the value
     * @return this builder
     */
    public Builder publicKey(String publicKey) {
      this.publicKey = publicKey;
      return this;
    }

    /**
     * Sets the stake the peer declares, tokens.
     *
     * @param stake the value
     * @return this builder
     */
    public Builder stake(double stake) {
      this.stake = stake;
      return this;
    }

    /**
     * Sets the ids (SHA-256) of the models the peer serves.
     *
     * @param models the value
     * @return this builder
     */
    public Builder models(List<String> models) {
      this.models = models;
      return this;
    }

    /**
     * Sets the free-form description of the peer's hardware.
     *
     * @param hardware the value
     * @return this builder
     */
    public Builder hardware(String hardware) {
      this.hardware = hardware;
      return this;
    }

    /**
     * Sets the time of this heartbeat, epoch ms.
     *
     * @param heartbeatAt the value
     * @return this builder
     */
    public Builder heartbeatAt(long heartbeatAt) {
      this.heartbeatAt = heartbeatAt;
      return this;
    }

    /**
     * Sets how often the peer promises to beat, ms.
     *
     * @param heartbeatIntervalMs the value
     * @return this builder
     */
    public Builder heartbeatIntervalMs(long heartbeatIntervalMs) {
      this.heartbeatIntervalMs = heartbeatIntervalMs;
      return this;
    }

    /**
     * Sets whether the peer announces a clean shutdown.
     *
     * @param leaving the value
     * @return this builder
     */
    public Builder leaving(boolean leaving) {
      this.leaving = leaving;
      return this;
    }

    /**
     * Builds the heartbeat.
     *
     * @return the heartbeat
     */
    public Peer build() {
      return new Peer(
          schemaVersion,
          peerId,
          publicKey,
          stake,
          models,
          hardware,
          heartbeatAt,
          heartbeatIntervalMs,
          leaving);
    }
  }
}

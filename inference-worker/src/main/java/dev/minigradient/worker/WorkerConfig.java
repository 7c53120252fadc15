package dev.minigradient.worker;

import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.KafkaSettings;
import java.util.Objects;

/**
 * A peer's configuration, validated once.
 *
 * @param peerId the peer's id; its consumer group is {@code peer-<peerId>}
 * @param kafka Kafka client settings
 * @param stake the stake the peer declares in the registry, tokens
 * @param heartbeatIntervalMs how often the peer republishes its registry record, ms
 * @param maxTaskAgeMs tasks older than this when read are skipped (their deadline has passed), ms
 * @param maxPixels images whose header promises more pixels are refused before decoding
 * @param instanceId this instance's static member id in the peer's consumer group ({@code
 *     group.instance.id}), unique per instance of the peer id; null for a dynamic member
 */
public record WorkerConfig(
    String peerId,
    KafkaSettings kafka,
    double stake,
    long heartbeatIntervalMs,
    long maxTaskAgeMs,
    long maxPixels,
    String instanceId) {

  /**
   * Default pixel limit: images whose header promises more are refused before decoding ({@link
   * InputLimits#MAX_PIXELS}, 12 Mi pixels, which the consensus app's audits use too).
   */
  public static final long DEFAULT_MAX_PIXELS = InputLimits.MAX_PIXELS;

  /** Default declared stake, tokens. */
  public static final double DEFAULT_STAKE = 100;

  /** Default registry heartbeat interval, ms. */
  public static final long DEFAULT_HEARTBEAT_MS = 2_000;

  /** Default age beyond which a task is skipped when read (its deadline has passed), ms. */
  public static final long DEFAULT_MAX_TASK_AGE_MS = 60_000;

  /** Validates the settings. */
  public WorkerConfig {
    Objects.requireNonNull(kafka, "kafka");
    if (peerId == null || !peerId.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "peer id must be 1-64 letters, digits, '.', '_' or '-', got: " + peerId);
    }
    if (stake < 0 || !Double.isFinite(stake)) {
      throw new IllegalArgumentException("stake must be a finite number >= 0, got: " + stake);
    }
    if (heartbeatIntervalMs < 100) {
      throw new IllegalArgumentException("heartbeat interval must be >= 100 ms");
    }
    if (maxTaskAgeMs <= 0 || maxPixels <= 0) {
      throw new IllegalArgumentException("max task age and max pixels must be positive");
    }
    if (instanceId != null && !instanceId.matches("[A-Za-z0-9._@-]{1,128}")) {
      throw new IllegalArgumentException(
          "instance id must be 1-128 letters, digits, '.', '_', '@' or '-', got: " + instanceId);
    }
  }

  /**
   * Settings without a static instance id (the instance joins its peer's consumer group as a
   * dynamic member).
   *
   * @param peerId the peer id
   * @param kafka Kafka settings
   * @param stake declared stake, tokens
   * @param heartbeatIntervalMs registry heartbeat interval, ms
   * @param maxTaskAgeMs tasks older than this are skipped, ms
   * @param maxPixels images whose header promises more pixels are refused
   */
  public WorkerConfig(
      String peerId,
      KafkaSettings kafka,
      double stake,
      long heartbeatIntervalMs,
      long maxTaskAgeMs,
      long maxPixels) {
    this(peerId, kafka, stake, heartbeatIntervalMs, maxTaskAgeMs, maxPixels, null);
  }

  /**
   * The same settings with a static instance id: Kafka's static group membership (KIP-345), so a
   * restarted instance with the same id takes its partitions back at once, without a rebalance that
   * would wait for the dead instance to time out.
   *
   * @param id unique per instance of this peer id (e.g. the host name), or null for none
   * @return the settings
   */
  public WorkerConfig withInstanceId(String id) {
    return new WorkerConfig(peerId, kafka, stake, heartbeatIntervalMs, maxTaskAgeMs, maxPixels, id);
  }

  /**
   * Defaults for everything but the peer id and Kafka.
   *
   * @param peerId the peer id
   * @param kafka Kafka settings
   * @return a config with stake 100, 2 s heartbeats, 60 s max task age, 40 Mpx limit
   */
  public static WorkerConfig defaults(String peerId, KafkaSettings kafka) {
    return new WorkerConfig(
        peerId,
        kafka,
        DEFAULT_STAKE,
        DEFAULT_HEARTBEAT_MS,
        DEFAULT_MAX_TASK_AGE_MS,
        DEFAULT_MAX_PIXELS);
  }
}

package dev.minigradient.worker;

import dev.minigradient.protocol.KafkaSettings;
import java.util.Objects;

/**
 * A peer's configuration, validated once.
 *
 * @param peerId the peer's id; its consumer group is {@code peer-<peerId>}
 * @param kafka Kafka client settings
 * @param stake the stake the peer declares in the registry, tokens
 * @param heartbeatIntervalMs how often the peer republishes its registry record, ms
 * @param maxTaskAgeMs tasks older than this when read are skipped (their deadline has passed),
 *     ms
 * @param maxPixels images whose header promises more pixels are refused before decoding
 */
public record WorkerConfig(
    String peerId,
    KafkaSettings kafka,
    double stake,
    long heartbeatIntervalMs,
    long maxTaskAgeMs,
    long maxPixels) {

  /** Default pixel limit: images whose header promises more are refused before decoding. */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

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
  }

  /**
   * Defaults for everything but the peer id and Kafka.
   *
   * @param peerId the peer id
   * @param kafka Kafka settings
   * @return a config with stake 100, 2 s heartbeats, 60 s max task age, 40 Mpx limit
   */
  public static WorkerConfig defaults(String peerId, KafkaSettings kafka) {
    return new WorkerConfig(peerId, kafka, 100, 2_000, 60_000, DEFAULT_MAX_PIXELS);
  }
}

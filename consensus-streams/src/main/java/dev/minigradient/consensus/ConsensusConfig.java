package dev.minigradient.consensus;

import dev.minigradient.protocol.KafkaSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Configuration of the consensus Streams application, validated once.
 *
 * @param applicationId Kafka Streams {@code application.id} (consumer group and internal topic
 *     prefix)
 * @param kafka Kafka client settings
 * @param stateDir directory of the local state stores
 * @param decisionTimeoutMs a task without quorum is decided this long after it arrived (wall
 *     clock), ms
 * @param punctuateIntervalMs how often the wall-clock punctuator checks deadlines, ms
 * @param retentionMs how long a decided task is remembered, so late or repeated votes cannot
 *     re-open it, ms
 * @param commitIntervalMs Streams {@code commit.interval.ms}: with exactly-once, decisions become
 *     visible to {@code read_committed} readers at each commit
 * @param exactlyOnce {@code exactly_once_v2} when true, else {@code at_least_once} (votes are
 *     still counted once per task and peer by the state store)
 */
public record ConsensusConfig(
    String applicationId,
    KafkaSettings kafka,
    Path stateDir,
    long decisionTimeoutMs,
    long punctuateIntervalMs,
    long retentionMs,
    long commitIntervalMs,
    boolean exactlyOnce) {

  /** Validates the settings. */
  public ConsensusConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(stateDir, "stateDir");
    if (decisionTimeoutMs <= 0 || punctuateIntervalMs <= 0 || retentionMs <= 0) {
      throw new IllegalArgumentException("timeouts and intervals must be positive");
    }
    if (commitIntervalMs < 0) {
      throw new IllegalArgumentException("commit interval must be >= 0");
    }
  }

  /**
   * Defaults: application id {@code mini-gradient-consensus}, 10 s decision timeout, 100 ms
   * punctuator, 10 min retention, 100 ms commits, exactly-once.
   *
   * @param kafka Kafka settings
   * @param stateDir state directory
   * @return the config
   */
  public static ConsensusConfig defaults(KafkaSettings kafka, Path stateDir) {
    return new ConsensusConfig(
        "mini-gradient-consensus", kafka, stateDir, 10_000, 100, 600_000, 100, true);
  }
}

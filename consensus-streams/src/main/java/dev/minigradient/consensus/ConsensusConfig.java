package dev.minigradient.consensus;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Redundancy;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * Configuration of the consensus Streams application, validated once. A copy that differs in some
 * settings comes from the generated withers ({@code withStateDir}, {@code withCommittees}, ...) or
 * from {@code with()}'s builder, so every copy passes the same validation.
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
 * @param exactlyOnce {@code exactly_once_v2} when true, else {@code at_least_once} (votes are still
 *     counted once per task and peer by the state store, settlements once per task and peer by the
 *     ledger ({@code LedgerProcessor}), and a decision already published stands when a task is
 *     decided again after a failure)
 * @param auditRate fraction of tasks, in [0,1], whose votes are audited by re-executing the model
 * @param auditSalt secret mixed into the choice of audited tasks, so peers cannot predict it
 * @param lateGraceMs a correct vote that arrives more than this after the decision is judged {@code
 *     LATE}, ms
 * @param committees how tasks are given committees ({@link Committees})
 */
@RecordBuilder
public record ConsensusConfig(
    String applicationId,
    KafkaSettings kafka,
    Path stateDir,
    long decisionTimeoutMs,
    long punctuateIntervalMs,
    long retentionMs,
    long commitIntervalMs,
    boolean exactlyOnce,
    double auditRate,
    long auditSalt,
    long lateGraceMs,
    Committees committees)
    implements ConsensusConfigBuilder.With {

  /** Default decision deadline after a task arrives, ms. */
  public static final long DEFAULT_DECISION_TIMEOUT_MS = 10_000;

  /** Default fraction of tasks audited by re-execution. */
  public static final double DEFAULT_AUDIT_RATE = 0.02;

  /**
   * Default processing guarantee: {@code at_least_once}. A decision reaches its requester as soon
   * as it is made instead of at the next transaction commit (p50 about 10 ms against 110 ms at 100
   * ms commits, in {@code bench}), and the idempotent ledger and the decisions table keep each task
   * decided and counted once per peer across a crash (rule 8 in docs/consensus.md lists what is
   * left).
   */
  public static final boolean DEFAULT_EXACTLY_ONCE = false;

  /** Default grace period after a decision before a correct vote counts as late, ms. */
  public static final long DEFAULT_LATE_GRACE_MS = 1_000;

  /** Validates the settings. */
  public ConsensusConfig {
    Objects.requireNonNull(applicationId, "applicationId");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(committees, "committees");
    if (decisionTimeoutMs <= 0 || punctuateIntervalMs <= 0 || retentionMs <= 0) {
      throw new IllegalArgumentException("timeouts and intervals must be positive");
    }
    if (commitIntervalMs < 0 || lateGraceMs < 0) {
      throw new IllegalArgumentException("commit interval and late grace must be >= 0");
    }
    if (!(auditRate >= 0 && auditRate <= 1)) {
      throw new IllegalArgumentException("audit rate must be in [0,1], got: " + auditRate);
    }
  }

  /**
   * Defaults: application id {@code mini-gradient-consensus}, 10 s decision timeout, 100 ms
   * punctuator, 10 min retention, 100 ms commits, at-least-once ({@link #DEFAULT_EXACTLY_ONCE}), 2%
   * of tasks audited (with a random secret salt), 1 s late grace.
   *
   * @param kafka Kafka settings
   * @param stateDir state directory
   * @return the config
   */
  public static ConsensusConfig defaults(KafkaSettings kafka, Path stateDir) {
    return ConsensusConfigBuilder.builder()
        .applicationId("mini-gradient-consensus")
        .kafka(kafka)
        .stateDir(stateDir)
        .decisionTimeoutMs(DEFAULT_DECISION_TIMEOUT_MS)
        .punctuateIntervalMs(100)
        .retentionMs(600_000)
        .commitIntervalMs(100)
        .exactlyOnce(DEFAULT_EXACTLY_ONCE)
        .auditRate(DEFAULT_AUDIT_RATE)
        .auditSalt(new SecureRandom().nextLong())
        .lateGraceMs(DEFAULT_LATE_GRACE_MS)
        .committees(Committees.DEFAULTS)
        .build();
  }

  /**
   * Committee settings; {@code withRedundancy} and the other generated withers make copies.
   *
   * @param redundancy seats of a task that names none: a positive integer, or {@link
   *     Redundancy#ALL} for every active peer; published in each roster so every peer applies the
   *     same default
   * @param rosterIntervalMs length of a roster's epoch, ms: the candidates and the beacon change
   *     this often, and each roster is published one epoch before it takes effect
   * @param newcomerAuditRate fraction of tasks audited, in [0,1], when a seat is held by a peer
   *     judged on fewer than {@link StakeWeights#PROBATION_VERDICTS} tasks (BOINC trusts a host
   *     only after a run of valid results); the plain audit rate applies when it is lower
   * @param seatTimeoutMs a seat that has not voted this long after its task arrived is replaced by
   *     its next-ranked candidate ({@link Replacements}), and a replacement silent this long again
   *     escalates the task to the referee (at once when no candidate is left), ms; the task still
   *     settles at the decision deadline, so a slow seat's vote is judged {@code LATE} rather than
   *     {@code MISSED}
   */
  @RecordBuilder
  public record Committees(
      int redundancy, long rosterIntervalMs, double newcomerAuditRate, long seatTimeoutMs)
      implements ConsensusConfigCommitteesBuilder.With {
    /** Default seats per task. */
    public static final int DEFAULT_REDUNDANCY = 3;

    /** Default epoch of a roster, ms. */
    public static final long DEFAULT_ROSTER_INTERVAL_MS = 1_000;

    /** Default audit rate of tasks a newcomer holds a seat on. */
    public static final double DEFAULT_NEWCOMER_AUDIT_RATE = 0.2;

    /**
     * Default seat timeout, ms: far above a seat's answer time (p50 under 10 ms, under a second
     * with hundreds of tasks queued in {@code bench}), far below the 10 s decision deadline.
     */
    public static final long DEFAULT_SEAT_TIMEOUT_MS = 2_000;

    /** Three seats, one-second rosters, newcomers' tasks audited at 20%, 2 s seat timeout. */
    public static final Committees DEFAULTS =
        new Committees(
            DEFAULT_REDUNDANCY,
            DEFAULT_ROSTER_INTERVAL_MS,
            DEFAULT_NEWCOMER_AUDIT_RATE,
            DEFAULT_SEAT_TIMEOUT_MS);

    /** Validates the settings. */
    public Committees {
      Redundancy.check(redundancy);
      if (seatTimeoutMs <= 0) {
        throw new IllegalArgumentException("seat timeout must be positive, got: " + seatTimeoutMs);
      }
      if (rosterIntervalMs <= 0) {
        throw new IllegalArgumentException(
            "roster interval must be positive, got: " + rosterIntervalMs);
      }
      if (!(newcomerAuditRate >= 0 && newcomerAuditRate <= 1)) {
        throw new IllegalArgumentException(
            "newcomer audit rate must be in [0,1], got: " + newcomerAuditRate);
      }
    }
  }

  /**
   * A copy with another decision timeout and processing guarantee.
   *
   * @param timeoutMs decision deadline, ms
   * @param commitMs commit interval, ms
   * @param eos exactly-once when true
   * @return the config
   */
  public ConsensusConfig withTiming(long timeoutMs, long commitMs, boolean eos) {
    return with().decisionTimeoutMs(timeoutMs).commitIntervalMs(commitMs).exactlyOnce(eos).build();
  }
}

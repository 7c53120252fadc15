package dev.minigradient.consensus;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Vote;

/**
 * The {@link Consensus} record of a task just decided, built from its pending state: the decided
 * label (only for {@code DECIDED}), the refusal reason (only for {@code REJECTED}: the first
 * agreeing refusal's), the confidence (the mean probability the agreeing valid votes gave the
 * label, 0 unless {@code DECIDED}), the support (the agreeing weight, 0 without a leading label)
 * against the total weight, the verdicts at decision time ({@link Verdicts}), the final seats
 * ({@link Replacements#finalSeats}) and the model runs asked of the network. One implementation,
 * applied by {@link ConsensusProcessor}.
 */
final class ConsensusRecord {
  private ConsensusRecord() {}

  /**
   * The record of a decided task.
   *
   * @param taskId the task
   * @param p the task, decided: its {@link PendingTask#status} and {@link PendingTask#leader} are
   *     the decision's
   * @param leaderWeight weight of the votes for the leading label
   * @param total weight of the eligible peers, as the {@link DecisionRule} counts it
   * @param lateGraceMs a correct vote arriving more than this after the decision is LATE, ms
   * @param now the time of the decision, epoch ms
   * @return the record to publish
   */
  static Consensus of(
      String taskId, PendingTask p, double leaderWeight, double total, long lateGraceMs, long now) {
    ConsensusStatus status = p.status;
    Integer leader = p.leader;
    double confidenceSum = 0;
    int agreeing = 0;
    String rejection = null;
    boolean decided = status == ConsensusStatus.DECIDED || status == ConsensusStatus.REJECTED;
    for (PendingTask.CountedVote v : p.votes.values()) {
      if (decided && v.valid() && leader != null && v.label() == leader) {
        confidenceSum += v.probability();
        agreeing++;
        if (rejection == null && v.rejection() != null) {
          rejection = v.rejection();
        }
      }
    }
    return new Consensus(
        Consensus.SCHEMA_VERSION,
        taskId,
        p.modelId,
        p.name,
        status,
        status == ConsensusStatus.DECIDED ? leader : null,
        status == ConsensusStatus.REJECTED ? rejection : null,
        status == ConsensusStatus.DECIDED && agreeing > 0 ? confidenceSum / agreeing : 0,
        leader == null ? 0 : leaderWeight,
        total,
        Verdicts.of(p, lateGraceMs, now >= p.deadline),
        p.submittedAt,
        now,
        p.submittedAt > 0 ? Math.max(0, now - p.submittedAt) : 0,
        p.forged,
        p.reference != null,
        Replacements.finalSeats(p.committee, p.replacements),
        p.escalation,
        p.eligible.size() + (p.reference != null ? 1 : 0),
        status == ConsensusStatus.DECIDED ? p.values : null);
  }

  /**
   * The label a published record decided, as the processor keeps it: the refusal ({@link
   * Vote#REJECTED}) for a rejection, whose record carries no label, else the record's label.
   *
   * @param c a published record
   * @return the label, or null when none was decided
   */
  static Integer decidedLabel(Consensus c) {
    return c.status() == ConsensusStatus.REJECTED ? Integer.valueOf(Vote.REJECTED) : c.label();
  }
}

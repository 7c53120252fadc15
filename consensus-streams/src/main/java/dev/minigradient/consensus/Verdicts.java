package dev.minigradient.consensus;

import dev.minigradient.protocol.Agreement;
import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pure rules that turn one task's votes, decision and the referee's answer into its audit and
 * its peers' verdicts and rewards: drift, audit failures and the reward split (which tasks are
 * audited is {@link AuditSample}'s, when an audit overrules unanimous seats {@link
 * DecisionRule}'s). One implementation, applied by {@link ConsensusProcessor} to every task and by
 * {@link CommitteeTrial} to simulated ones.
 */
final class Verdicts {
  /**
   * Largest difference allowed between an audited vote's probability and the referee's, per class.
   * ONNX Runtime is deterministic on one machine; across CPUs (other SIMD paths) float32 results
   * differ in the last bits, far below this; a made-up probability vector does not.
   */
  static final double AUDIT_TOLERANCE = 1e-4;

  /** {@link #AUDIT_TOLERANCE}, element-wise absolute: the audits' tolerance by default. */
  static final Agreement.Tolerance DEFAULT_AUDIT_TOLERANCE =
      new Agreement.Tolerance(Agreement.Tolerance.Kind.ABSOLUTE, AUDIT_TOLERANCE);

  private Verdicts() {}

  /**
   * Each eligible peer's verdict on a task's decision, sorted by peer id, with its weight, audit
   * result and reward. A peer without a vote is PENDING until the task settles, then MISSED. A
   * correct vote is LATE, and unpaid, when it arrives more than the late grace after the decision,
   * or when its peer's seat was replaced ({@link Replacements}): it came after the seat timeout.
   * When the referee answered (an audit or an escalation), every valid vote is audited: PASSED when
   * its label and probabilities match, FAILED otherwise, except drift ({@link #isDrift}), which is
   * DRIFTED and PASSED. The task's reward is split by {@link RewardSplit}.
   *
   * @param p the task: its eligible peers, counted votes, status, leading label, reference and
   *     decision time
   * @param lateGraceMs a correct vote arriving more than this after the decision is LATE, ms
   * @param settled whether the task is being settled (a missing vote is then MISSED)
   * @return one verdict per eligible peer
   */
  static List<PeerVerdict> of(PendingTask p, long lateGraceMs, boolean settled) {
    boolean decided = p.status == ConsensusStatus.DECIDED || p.status == ConsensusStatus.REJECTED;
    Set<String> replaced = Replacements.replaced(p.replacements);
    List<PeerVerdict> verdicts = new ArrayList<>();
    Set<String> earners = new HashSet<>();
    for (String peerId : new TreeSet<>(p.eligible.keySet())) {
      PendingTask.CountedVote v = p.votes.get(peerId);
      Verdict verdict;
      if (v == null) {
        verdict = settled ? Verdict.MISSED : Verdict.PENDING;
      } else if (!v.valid()) {
        verdict = Verdict.INVALID;
      } else if (!decided) {
        verdict = Verdict.UNDECIDED;
      } else if (p.leader != null && v.label() == p.leader) {
        // a replaced peer's vote came after its seat's timeout, whenever it came: its seat went on
        boolean late = replaced.contains(peerId) || v.arrivedAt() > p.decidedAt + lateGraceMs;
        verdict = late ? Verdict.LATE : Verdict.AGREED;
      } else if (p.reference != null
          && v.label() != p.reference.label()
          && isDrift(v, p.reference, auditTolerance(p))) {
        verdict = Verdict.DRIFTED; // a near-tie flipped by other hardware: escalated, never slashed
      } else {
        verdict = Verdict.DISAGREED;
      }
      AuditResult audit = null;
      String reason = v == null ? null : v.reason();
      if (p.reference != null && v != null && v.valid()) {
        String failure =
            verdict == Verdict.DRIFTED ? null : auditFailure(v, p.reference, auditTolerance(p));
        audit = failure == null ? AuditResult.PASSED : AuditResult.FAILED;
        reason =
            verdict == Verdict.DRIFTED
                ? "drift: probabilities match re-execution, argmax differs"
                : failure;
      }
      double weight = p.eligible.getOrDefault(peerId, 0.0);
      if (v != null && RewardSplit.earns(verdict, audit, v.arrivedAt(), p.decidedAt)) {
        earners.add(peerId);
      }
      verdicts.add(
          new PeerVerdict(peerId, v == null ? null : v.label(), verdict, reason, weight, audit, 0));
    }
    return RewardSplit.split(verdicts, earners);
  }

  /**
   * Whether a vote whose label differs from the referee's is hardware drift: every probability
   * within {@link #AUDIT_TOLERANCE} of the re-execution's, so the two top classes were a near-tie
   * that another CPU, execution provider or ONNX Runtime version flipped. A made-up vote cannot
   * match the model's probabilities without running it.
   *
   * @param v the vote
   * @param ref the referee's answer
   * @return true for drift
   */
  static boolean isDrift(
      PendingTask.CountedVote v, Referee.Reference ref, Agreement.Tolerance tolerance) {
    List<Double> mine = v.probabilities() == null ? List.of() : v.probabilities();
    return v.label() >= 0
        && ref.label() >= 0
        && !mine.isEmpty()
        && tolerance.agrees(mine, ref.probabilities());
  }

  /**
   * The tolerance audits compare a class vote's probabilities with: the model's own, when its
   * description states one for its classes (its hardware's spread), else {@link #AUDIT_TOLERANCE}
   * absolute.
   *
   * @param p the task
   * @return the tolerance
   */
  static Agreement.Tolerance auditTolerance(PendingTask p) {
    return p.classTolerance != null ? p.classTolerance : DEFAULT_AUDIT_TOLERANCE;
  }

  /**
   * Why a vote differs from the referee's answer.
   *
   * @param v the vote
   * @param ref the referee's answer
   * @return the reason, or null if label and probabilities match
   */
  static String auditFailure(
      PendingTask.CountedVote v, Referee.Reference ref, Agreement.Tolerance tolerance) {
    if (v.label() != ref.label()) {
      return "audit: voted " + v.label() + ", re-execution gives " + ref.label();
    }
    List<Double> mine = v.probabilities() == null ? List.of() : v.probabilities();
    if (mine.size() != ref.probabilities().size()) {
      return "audit: "
          + mine.size()
          + " probabilities, re-execution gives "
          + ref.probabilities().size();
    }
    double worst = 0;
    for (int i = 0; i < mine.size(); i++) {
      double d = Math.abs(mine.get(i) - ref.probabilities().get(i));
      worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
    }
    return tolerance.agrees(mine, ref.probabilities())
        ? null
        : String.format(
            Locale.ROOT, "audit: probabilities differ from re-execution by up to %.3g", worst);
  }
}

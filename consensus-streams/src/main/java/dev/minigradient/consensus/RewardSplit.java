package dev.minigradient.consensus;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Who earns a decided task's reward, and how it is split: each decided task pays {@link
 * ReputationRules#TASK_REWARD} tokens, split in proportion to weight (seats held, with a committee)
 * among the peers whose agreeing vote had arrived by the decision and passed any audit, as
 * Bittensor splits emission by consensus weight. A vote after the decision did not help reach it,
 * and paying it would pay copying the published answer. One implementation, applied by {@link
 * Verdicts} for the consensus processor and the trust trial.
 */
final class RewardSplit {
  private RewardSplit() {}

  /**
   * Whether a verdict earns a share of its task's reward.
   *
   * @param verdict the peer's verdict
   * @param audit its audit result, or null when the task was not re-executed
   * @param arrivedAt when its vote arrived, epoch ms
   * @param decidedAt when the task was decided, epoch ms
   * @return true for an AGREED vote in by the decision that did not fail an audit
   */
  static boolean earns(Verdict verdict, AuditResult audit, long arrivedAt, long decidedAt) {
    return verdict == Verdict.AGREED && audit != AuditResult.FAILED && arrivedAt <= decidedAt;
  }

  /**
   * Pays a task's reward to its earners in proportion to their weight (equal shares when they all
   * weigh 0); everyone else gets 0.
   *
   * @param verdicts one verdict per eligible peer, in peer order, with its weight
   * @param earners the peers that earn a share ({@link #earns})
   * @return the verdicts with their rewards, in the same order; {@code verdicts} itself when nobody
   *     earns
   */
  static List<PeerVerdict> split(List<PeerVerdict> verdicts, Set<String> earners) {
    double earnedWeight = 0;
    int earning = 0;
    for (PeerVerdict v : verdicts) {
      if (earners.contains(v.peerId())) {
        earnedWeight += v.weight();
        earning++;
      }
    }
    if (earning == 0) {
      return verdicts;
    }
    List<PeerVerdict> paid = new ArrayList<>(verdicts.size());
    for (PeerVerdict v : verdicts) {
      double share = 0;
      if (earners.contains(v.peerId())) {
        share = earnedWeight > 0 ? v.weight() / earnedWeight : 1.0 / earning;
      }
      paid.add(
          new PeerVerdict(
              v.peerId(),
              v.label(),
              v.verdict(),
              v.reason(),
              v.weight(),
              v.audit(),
              share * ReputationRules.TASK_REWARD));
    }
    return paid;
  }
}

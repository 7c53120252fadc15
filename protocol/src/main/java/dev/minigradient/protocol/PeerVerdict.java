package dev.minigradient.protocol;

/**
 * One peer's part in a consensus.
 *
 * @param peerId the peer
 * @param label the label it voted, or null when it did not vote
 * @param verdict how its vote was judged
 * @param reason why a vote was judged {@link Verdict#INVALID} (e.g. {@code wrong-model}, {@code
 *     equivocation}) or why an audit failed, else null
 * @param weight the weight the peer's vote had in this task (stake x reputation when the task
 *     arrived, see the consensus module's {@code StakeWeights})
 * @param audit the result of re-executing the task to check this vote, null when not audited
 * @param reward tokens the peer earns for this task (its share of the task's reward), 0 if none
 */
public record PeerVerdict(
    String peerId,
    Integer label,
    Verdict verdict,
    String reason,
    double weight,
    AuditResult audit,
    double reward) {

  /**
   * A verdict without weight, audit or reward.
   *
   * @param peerId the peer
   * @param label its label or null
   * @param verdict the verdict
   * @param reason the reason or null
   */
  public PeerVerdict(String peerId, Integer label, Verdict verdict, String reason) {
    this(peerId, label, verdict, reason, 0, null, 0);
  }
}

package dev.minigradient.protocol;

/**
 * A peer's entry in the reputation and stake ledger: the value of the reputation KTable and of
 * its changelog {@link Topics#REPUTATION}, keyed by {@code peerId}. Every settled task the peer
 * was eligible for updates it once.
 *
 * @param peerId the peer
 * @param score reputation in [0,1]; an exponential moving average of agreement, see the
 *     consensus module's {@code ReputationRules}
 * @param agreed decisions the peer agreed with in time
 * @param disagreed decisions the peer voted against
 * @param missed tasks the peer did not vote on before they were settled
 * @param late decisions the peer agreed with only after the late-vote grace period
 * @param invalid signed votes that did not count: wrong model, wrong input, equivocation
 * @param audited votes checked by re-executing the model
 * @param auditFailed audited votes whose label or probabilities differed from the re-execution
 * @param bond the stake the peer declared when it first entered the ledger, tokens
 * @param rewards total tokens earned for agreeing with decisions
 * @param slashed total tokens slashed for provable misbehaviour
 * @param stake current stake: {@code bond + rewards - slashed}, never below 0, tokens
 * @param updatedAt time of the last update, epoch ms
 * @param lapsePenalizedAt when a missed or late vote last lowered the score, epoch ms (0 never):
 *     lagging costs score per second, not per task
 */
public record Reputation(
    String peerId,
    double score,
    long agreed,
    long disagreed,
    long missed,
    long late,
    long invalid,
    long audited,
    long auditFailed,
    double bond,
    double rewards,
    double slashed,
    double stake,
    long updatedAt,
    long lapsePenalizedAt) {

  /**
   * An entry whose score no missed vote has lowered yet.
   *
   * @param peerId the peer
   * @param score reputation in [0,1]
   * @param agreed decisions agreed with in time
   * @param disagreed decisions voted against
   * @param missed tasks not voted on
   * @param late decisions agreed with late
   * @param invalid signed votes that did not count
   * @param audited votes audited
   * @param auditFailed audits failed
   * @param bond declared stake counted as bond, tokens
   * @param rewards tokens earned
   * @param slashed tokens slashed
   * @param stake current stake, tokens
   * @param updatedAt time of the last update, epoch ms
   */
  public Reputation(
      String peerId, double score, long agreed, long disagreed, long missed, long late, long invalid, long audited,
      long auditFailed, double bond, double rewards, double slashed, double stake, long updatedAt) {
    this(peerId, score, agreed, disagreed, missed, late, invalid, audited, auditFailed, bond, rewards, slashed, stake,
        updatedAt, 0);
  }

  /**
   * Verdicts the peer has been judged on (agreed, disagreed, missed, late, invalid); a peer with
   * fewer than the probation count is a newcomer.
   *
   * @return the count
   */
  public long judged() {
    return agreed + disagreed + missed + late + invalid;
  }
}

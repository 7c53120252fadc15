package dev.minigradient.protocol;

import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * A peer's entry in the reputation and stake ledger: the value of the reputation KTable and of its
 * changelog {@link Topics#REPUTATION}, keyed by {@code peerId}. Every settled task the peer was
 * eligible for updates it once.
 *
 * @param peerId the peer
 * @param score reputation in [0,1]; an exponential moving average of agreement, see the consensus
 *     module's {@code ReputationRules}
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
@RecordBuilder
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
   * The entry of a peer the ledger has not judged yet: no verdicts, rewards or slashes, its stake
   * equal to its bond, never updated (time 0).
   *
   * @param peerId the peer
   * @param score its starting reputation in [0,1]
   * @param bond the declared stake counted as bond, tokens
   * @return the entry
   */
  public static Reputation initial(String peerId, double score, double bond) {
    return ReputationBuilder.builder().peerId(peerId).score(score).bond(bond).stake(bond).build();
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

  /**
   * A builder holding this entry's components, for the next entry or a copy that differs in some of
   * them.
   *
   * @return a new builder
   */
  public ReputationBuilder toBuilder() {
    return ReputationBuilder.builder(this);
  }
}

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
   * The entry of a peer the ledger has not judged yet: no verdicts, rewards or slashes, its
   * stake equal to its bond, never updated (time 0).
   *
   * @param peerId the peer
   * @param score its starting reputation in [0,1]
   * @param bond the declared stake counted as bond, tokens
   * @return the entry
   */
  public static Reputation initial(String peerId, double score, double bond) {
    return new Builder().peerId(peerId).score(score).bond(bond).stake(bond).build();
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
   * A builder holding this entry's components, for the next entry or a copy that differs in
   * some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Sets an entry's components by name; each setter is named after the component it sets. */
  public static final class Builder {
    private String peerId;
    private double score;
    private long agreed;
    private long disagreed;
    private long missed;
    private long late;
    private long invalid;
    private long audited;
    private long auditFailed;
    private double bond;
    private double rewards;
    private double slashed;
    private double stake;
    private long updatedAt;
    private long lapsePenalizedAt;

    private Builder() {}

    private Builder(Reputation r) {
      peerId = r.peerId;
      score = r.score;
      agreed = r.agreed;
      disagreed = r.disagreed;
      missed = r.missed;
      late = r.late;
      invalid = r.invalid;
      audited = r.audited;
      auditFailed = r.auditFailed;
      bond = r.bond;
      rewards = r.rewards;
      slashed = r.slashed;
      stake = r.stake;
      updatedAt = r.updatedAt;
      lapsePenalizedAt = r.lapsePenalizedAt;
    }

    /**
     * Sets the peer.
     *
     * @param peerId the value
     * @return this builder
     */
    public Builder peerId(String peerId) {
      this.peerId = peerId;
      return this;
    }

    /**
     * Sets the reputation in [0,1].
     *
     * @param score the value
     * @return this builder
     */
    public Builder score(double score) {
      this.score = score;
      return this;
    }

    /**
     * Sets the decisions the peer agreed with in time.
     *
     * @param agreed the value
     * @return this builder
     */
    public Builder agreed(long agreed) {
      this.agreed = agreed;
      return this;
    }

    /**
     * Sets the decisions the peer voted against.
     *
     * @param disagreed the value
     * @return this builder
     */
    public Builder disagreed(long disagreed) {
      this.disagreed = disagreed;
      return this;
    }

    /**
     * Sets the tasks the peer did not vote on.
     *
     * @param missed the value
     * @return this builder
     */
    public Builder missed(long missed) {
      this.missed = missed;
      return this;
    }

    /**
     * Sets the decisions the peer agreed with late.
     *
     * @param late the value
     * @return this builder
     */
    public Builder late(long late) {
      this.late = late;
      return this;
    }

    /**
     * Sets the signed votes that did not count.
     *
     * @param invalid the value
     * @return this builder
     */
    public Builder invalid(long invalid) {
      this.invalid = invalid;
      return this;
    }

    /**
     * Sets the votes audited.
     *
     * @param audited the value
     * @return this builder
     */
    public Builder audited(long audited) {
      this.audited = audited;
      return this;
    }

    /**
     * Sets the audits failed.
     *
     * @param auditFailed the value
     * @return this builder
     */
    public Builder auditFailed(long auditFailed) {
      this.auditFailed = auditFailed;
      return this;
    }

    /**
     * Sets the declared stake counted as bond, tokens.
     *
     * @param bond the value
     * @return this builder
     */
    public Builder bond(double bond) {
      this.bond = bond;
      return this;
    }

    /**
     * Sets the tokens earned.
     *
     * @param rewards the value
     * @return this builder
     */
    public Builder rewards(double rewards) {
      this.rewards = rewards;
      return this;
    }

    /**
     * Sets the tokens slashed.
     *
     * @param slashed the value
     * @return this builder
     */
    public Builder slashed(double slashed) {
      this.slashed = slashed;
      return this;
    }

    /**
     * Sets the current stake, tokens.
     *
     * @param stake the value
     * @return this builder
     */
    public Builder stake(double stake) {
      this.stake = stake;
      return this;
    }

    /**
     * Sets the time of the last update, epoch ms.
     *
     * @param updatedAt the value
     * @return this builder
     */
    public Builder updatedAt(long updatedAt) {
      this.updatedAt = updatedAt;
      return this;
    }

    /**
     * Sets when a missed or late vote last lowered the score, epoch ms (0 never).
     *
     * @param lapsePenalizedAt the value
     * @return this builder
     */
    public Builder lapsePenalizedAt(long lapsePenalizedAt) {
      this.lapsePenalizedAt = lapsePenalizedAt;
      return this;
    }

    /**
     * Builds the entry.
     *
     * @return the entry
     */
    public Reputation build() {
      return new Reputation(
          peerId,
          score,
          agreed,
          disagreed,
          missed,
          late,
          invalid,
          audited,
          auditFailed,
          bond,
          rewards,
          slashed,
          stake,
          updatedAt,
          lapsePenalizedAt);
    }
  }
}

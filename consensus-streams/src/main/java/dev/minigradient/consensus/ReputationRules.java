package dev.minigradient.consensus;

import dev.minigradient.protocol.AuditResult;
import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Verdict;

/**
 * How one settled verdict moves a peer's entry in the reputation and stake ledger.
 *
 * <p>Reputation is an exponential moving average of agreement with decisions, in the spirit of
 * EigenTrust's normalised local trust (Kamvar et al., WWW 2003) and of Bittensor's bonds, which are
 * EMAs of agreement with consensus: {@code score' = score + rate * (target - score)}.
 *
 * <table>
 *   <caption>Rules per verdict</caption>
 *   <tr><th>verdict</th><th>rate</th><th>target</th><th>stake</th></tr>
 *   <tr><td>AGREED</td><td>{@link #ALPHA}</td><td>1</td><td>+ the verdict's reward</td></tr>
 *   <tr><td>LATE</td><td>{@link #ALPHA}, at most once per {@link #MISSED_PENALTY_INTERVAL_MS} with MISSED</td><td>{@link #LATE_TARGET_FACTOR} x score</td><td>-</td></tr>
 *   <tr><td>MISSED</td><td>{@link #ALPHA}, at most once per {@link #MISSED_PENALTY_INTERVAL_MS}</td><td>{@link #MISSED_TARGET_FACTOR} x score</td><td>-</td></tr>
 *   <tr><td>DISAGREED</td><td>{@link #ALPHA}</td><td>0</td><td>-</td></tr>
 *   <tr><td>INVALID</td><td>{@link #INVALID_RATE}</td><td>0</td><td>slash {@link #SLASH_INVALID} of stake</td></tr>
 *   <tr><td>UNDECIDED</td><td>-</td><td>unchanged</td><td>-</td></tr>
 *   <tr><td>audit FAILED (any verdict)</td><td>1</td><td>0</td><td>slash {@link #SLASH_AUDIT} of stake, no reward</td></tr>
 * </table>
 *
 * <p>So, per task: a late correct vote costs half of a missed one, a missed one half of a wrong
 * one; an invalid vote (wrong model, wrong input, equivocation: each signed, so provable) costs
 * five wrong ones and a tenth of the stake; a lie caught by re-execution costs everything the
 * peer's reputation holds and half its stake. Slashing is proportional to the stake, as in
 * Ethereum's and Cosmos' proof of stake. {@code stake = max(0, bond + rewards - slashed)}, where
 * the bond is the stake the peer declared when it first entered the ledger.
 */
public final class ReputationRules {
  /**
   * Most bond a peer can declare, tokens. A stake declared in {@code peers.registry} cannot be
   * checked (there is no token ledger outside the network), so it counts only up to this; stake
   * beyond it is earned through rewards.
   */
  public static final double MAX_BOND = 100.0;

  /** Score of a peer never judged before. */
  public static final double INITIAL_SCORE = 0.5;

  /** Learning rate of the moving average: about the last 1/ALPHA = 10 decisions dominate. */
  public static final double ALPHA = 0.1;

  /** A missed vote pulls the score towards this fraction of itself. */
  public static final double MISSED_TARGET_FACTOR = 0.5;

  /**
   * Missed and late votes lower the score at most once per this many ms between them (they are all
   * counted): a peer that is down, or catching up on a backlog after a restart, pays for how long
   * it lags, not for how many tasks arrived meanwhile.
   */
  public static final long MISSED_PENALTY_INTERVAL_MS = 1_000;

  /** A late vote pulls the score towards this fraction of itself. */
  public static final double LATE_TARGET_FACTOR = 0.75;

  /** Learning rate of an invalid vote: half the way to 0 at once. */
  public static final double INVALID_RATE = 0.5;

  /** Fraction of its stake a peer loses for an invalid (signed, provably wrong) vote. */
  public static final double SLASH_INVALID = 0.1;

  /** Fraction of its stake a peer loses when re-execution shows it did not run the model. */
  public static final double SLASH_AUDIT = 0.5;

  /**
   * Tokens each decided task pays, split among the peers that agreed in time (and passed any audit)
   * in proportion to their weight, as Bittensor splits emission by consensus weight.
   */
  public static final double TASK_REWARD = 1.0;

  private ReputationRules() {}

  /**
   * The ledger entry of a peer never seen before.
   *
   * @param peerId the peer
   * @param bond the stake it declares, tokens (counted up to {@link #MAX_BOND})
   * @return a fresh ledger entry
   */
  public static Reputation initial(String peerId, double bond) {
    return Reputation.initial(peerId, INITIAL_SCORE, bond(bond));
  }

  /**
   * The bond a declared stake stands for: the stake up to {@link #MAX_BOND}, 0 if it is not a
   * positive number.
   *
   * @param declared the stake a peer declares, tokens
   * @return the bond, tokens
   */
  public static double bond(double declared) {
    return Double.isFinite(declared) && declared > 0 ? Math.min(declared, MAX_BOND) : 0;
  }

  /**
   * Applies one settled verdict.
   *
   * @param current the peer's ledger entry so far
   * @param verdict its verdict in one task, with its reward and audit result
   * @param now time of the settlement, epoch ms
   * @return the updated entry
   */
  public static Reputation apply(Reputation current, PeerVerdict verdict, long now) {
    Verdict v = verdict.verdict();
    double s = current.score();
    double rewards = current.rewards();
    double slashed = current.slashed();
    double stake = current.stake();
    long lapsePenalizedAt = current.lapsePenalizedAt();
    Double lapseTarget = null; // a late or missing vote: its target factor
    switch (v) {
      case AGREED -> s += ALPHA * (1 - s);
      case LATE -> lapseTarget = LATE_TARGET_FACTOR;
      case DISAGREED -> s += ALPHA * (0 - s);
      case MISSED -> lapseTarget = MISSED_TARGET_FACTOR;
      case INVALID -> {
        s += INVALID_RATE * (0 - s);
        slashed += SLASH_INVALID * stake;
        stake -= SLASH_INVALID * stake;
      }
      case UNDECIDED, PENDING, DRIFTED -> {
        // agreement is undefined without a decision; PENDING never reaches the ledger; a near-tie
        // flipped by other hardware is not a lie (the referee's probabilities match)
      }
    }
    // a lapse lowers the score at most once per interval; every lapse is counted
    if (lapseTarget != null && now - lapsePenalizedAt >= MISSED_PENALTY_INTERVAL_MS) {
      s += ALPHA * (lapseTarget * s - s);
      lapsePenalizedAt = now;
    }
    long audited = current.audited();
    long auditFailed = current.auditFailed();
    if (verdict.audit() != null) {
      audited++;
      if (verdict.audit() == AuditResult.FAILED) {
        auditFailed++;
        s = 0;
        slashed += SLASH_AUDIT * stake;
        stake -= SLASH_AUDIT * stake;
      }
    }
    if (verdict.audit() != AuditResult.FAILED
        && Double.isFinite(verdict.reward())
        && verdict.reward() > 0) {
      rewards += verdict.reward();
    }
    return current.toBuilder()
        .score(s)
        .agreed(current.agreed() + (v == Verdict.AGREED ? 1 : 0))
        .disagreed(current.disagreed() + (v == Verdict.DISAGREED ? 1 : 0))
        .missed(current.missed() + (v == Verdict.MISSED ? 1 : 0))
        .late(current.late() + (v == Verdict.LATE ? 1 : 0))
        .invalid(current.invalid() + (v == Verdict.INVALID ? 1 : 0))
        .audited(audited)
        .auditFailed(auditFailed)
        .rewards(rewards)
        .slashed(slashed)
        .stake(Math.max(0, current.bond() + rewards - slashed))
        .updatedAt(now)
        .lapsePenalizedAt(lapsePenalizedAt)
        .build();
  }
}

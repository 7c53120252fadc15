package dev.minigradient.consensus;

import dev.minigradient.protocol.PeerVerdict;
import dev.minigradient.protocol.Reputation;

/**
 * How one consensus verdict moves a peer's reputation: an exponential moving average of the
 * peer's agreement with decisions, in the spirit of EigenTrust's normalised local trust (Kamvar
 * et al., WWW 2003) and Bittensor's bonds, which are EMAs of agreement with consensus.
 *
 * <p>score' = score + ALPHA * (target - score), with target 1 for {@code AGREED}, 0 for {@code
 * DISAGREED} and {@code INVALID}, and {@code MISSED_TARGET_FACTOR * score} for {@code MISSED}
 * (a missed vote costs half of a wrong one). {@code UNDECIDED} leaves the score unchanged. New
 * peers start at {@link #INITIAL_SCORE}.
 */
public final class ReputationRules {
  /** Score of a peer never judged before. */
  public static final double INITIAL_SCORE = 0.5;

  /** Learning rate of the moving average: about the last 1/ALPHA = 10 decisions dominate. */
  public static final double ALPHA = 0.1;

  /** A missed vote pulls the score towards this fraction of itself. */
  public static final double MISSED_TARGET_FACTOR = 0.5;

  private ReputationRules() {}

  /**
   * The reputation of a peer never seen before.
   *
   * @param peerId the peer
   * @param stake its declared stake
   * @return a fresh ledger entry
   */
  public static Reputation initial(String peerId, double stake) {
    return new Reputation(peerId, INITIAL_SCORE, 0, 0, 0, 0, stake, 0, 0);
  }

  /**
   * Applies one verdict.
   *
   * @param current the peer's reputation so far
   * @param verdict its verdict in one consensus
   * @param stake its current declared stake (NaN keeps the ledger's)
   * @param now time of the decision, epoch ms
   * @return the updated reputation
   */
  public static Reputation apply(Reputation current, PeerVerdict verdict, double stake, long now) {
    double s = current.score();
    long agreed = current.agreed();
    long disagreed = current.disagreed();
    long missed = current.missed();
    long invalid = current.invalid();
    switch (verdict.verdict()) {
      case AGREED -> {
        s += ALPHA * (1 - s);
        agreed++;
      }
      case DISAGREED -> {
        s += ALPHA * (0 - s);
        disagreed++;
      }
      case INVALID -> {
        s += ALPHA * (0 - s);
        invalid++;
      }
      case MISSED -> {
        s += ALPHA * (MISSED_TARGET_FACTOR * s - s);
        missed++;
      }
      case UNDECIDED -> {
        // agreement is undefined without a decision
      }
    }
    return new Reputation(
        current.peerId(),
        s,
        agreed,
        disagreed,
        missed,
        invalid,
        Double.isNaN(stake) ? current.stake() : stake,
        current.slashed(),
        now);
  }
}

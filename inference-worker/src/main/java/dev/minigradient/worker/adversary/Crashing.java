package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Vote;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Honest until it has sent a number of votes, then stops without a word, as a killed process does
 * ({@link VotingPeer#crash()}).
 */
public final class Crashing extends PeerBound {
  private final int crashAfter;
  private final AtomicInteger sent = new AtomicInteger();

  /**
   * Creates the adversary.
   *
   * @param crashAfter votes it sends before it stops
   */
  public Crashing(int crashAfter) {
    this.crashAfter = crashAfter;
  }

  @Override
  public void vote(Vote vote, ServedModel model, Ballot ballot) {
    ballot.sendNow(vote); // before the crash, not queued behind it
    if (sent.incrementAndGet() >= crashAfter) {
      peer().crash();
    }
  }
}

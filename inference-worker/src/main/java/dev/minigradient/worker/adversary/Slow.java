package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.DaemonThreads;
import dev.minigradient.protocol.Vote;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the model honestly but sends each vote late, on a thread of its own; no task offset waits
 * for a late vote.
 */
public final class Slow extends PeerBound {
  private final long delayMs;
  private ScheduledExecutorService delayed;

  /**
   * Creates the adversary.
   *
   * @param delayMs how long each vote is held back, ms
   */
  public Slow(long delayMs) {
    this.delayMs = delayMs;
  }

  @Override
  void started() {
    delayed =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("peer-" + peer().peerId() + "-delayed"));
  }

  @Override
  public void vote(Vote vote, ServedModel model, Ballot ballot) {
    delayed.schedule(() -> peer().sendDetached(vote), delayMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (delayed != null) {
      delayed.shutdownNow();
    }
  }
}

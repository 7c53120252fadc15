package dev.minigradient.worker.adversary;

/**
 * An adversary that acts through the peer it runs in after it has answered (a crash, a late or
 * copied vote, a forged one), so it keeps that peer from {@link #start}.
 */
abstract class PeerBound implements Adversary {
  private VotingPeer peer;

  @Override
  public final void start(VotingPeer peer) {
    this.peer = peer;
    started();
  }

  /** Starts what the adversary runs beside the peer's own threads, once {@link #peer()} is set. */
  void started() {}

  /**
   * The peer the adversary runs in.
   *
   * @return it, or null until {@link #start}
   */
  final VotingPeer peer() {
    return peer;
  }
}

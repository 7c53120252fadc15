package dev.minigradient.worker.adversary;

import dev.minigradient.protocol.Vote;

/**
 * Sends the votes for one task: each is signed with the peer's key, sealed to the consensus app's
 * key and sent, and the offset of the task's poll is committed only once the broker has
 * acknowledged every one of them.
 */
public interface Ballot {

  /**
   * Sends a vote on the peer's outbox thread, so signing, sealing and sending overlap the next
   * task's decoding and inference.
   *
   * @param vote the unsigned vote
   */
  void send(Vote vote);

  /**
   * Sends a vote now, on the calling thread.
   *
   * @param vote the unsigned vote; its peer id may differ from the peer's own (a forgery, counted
   *     apart)
   */
  void sendNow(Vote vote);
}

package dev.minigradient.worker.adversary;

import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Vote;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;

/** The peer an {@link Adversary} runs in, as the adversary may use it. */
public interface VotingPeer {

  /**
   * The peer's id.
   *
   * @return the id
   */
  String peerId();

  /**
   * Whether the peer is still running; loops of the adversary's own stop when it is not.
   *
   * @return true until the peer stops or crashes
   */
  boolean isRunning();

  /**
   * An unsigned vote in the peer's name, stamped now, carrying the peer's runtime description.
   *
   * @param task the task answered
   * @param label the label, or {@link Vote#REJECTED}
   * @param rejection the refusal's reason, or null
   * @param probabilities one per class; empty for a refusal
   * @param startNanos {@link System#nanoTime()} when the answer began, for the vote's inference
   *     time
   * @return the vote
   */
  Vote newVote(Task task, int label, String rejection, List<Double> probabilities, long startNanos);

  /**
   * Signs, seals and sends a vote on the calling thread, with no task offset waiting for it (a
   * delayed or copied vote).
   *
   * @param vote the unsigned vote
   */
  void sendDetached(Vote vote);

  /**
   * Stops the peer the way a killed process stops, from any of its threads, without waiting: no
   * more votes or heartbeats, no leaving record, no offsets committed.
   */
  void crash();

  /**
   * A new consumer outside any consumer group that reads committed records only; the caller
   * assigns, seeks and closes it.
   *
   * @param role names the client ({@code peer-<id>-<role>})
   * @return the consumer
   */
  Consumer<String, byte[]> observer(String role);
}

package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Vote;

/**
 * How a peer answers the tasks it serves: honestly ({@link Honest}) or as one of the simulated
 * adversaries the consensus must withstand (for tests, the {@code simulate} command and demos). The
 * peer decodes and checks each task the same way whatever it runs, asks {@link #answer} what to
 * vote, builds the vote in its own name and hands it to {@link #vote}; it never asks which
 * adversary it runs.
 *
 * <p>Adding an adversary touches two files: its class in this package, and one constant of {@link
 * dev.minigradient.worker.Behavior.Kind}, which maps the name the {@code --behavior} option and the
 * {@code simulate} mixes use to a new instance of the class. One instance serves one peer.
 */
public interface Adversary {

  /**
   * Starts what the adversary runs beside the peer's own threads (a copier, a delay line), once,
   * before the first task.
   *
   * @param peer the peer it runs in
   */
  default void start(VotingPeer peer) {}

  /**
   * The answer to vote for a task the peer serves and holds a seat on; called on the poll thread
   * and on the appointments' thread.
   *
   * <p>By default the honest answer: the model's, run on the task's input.
   *
   * @param task the decoded task
   * @param model the model the task names, which the peer serves
   * @return the answer to vote, or null for no vote now (one may follow later, detached)
   */
  default ServedModel.Prediction answer(Task task, ServedModel model) {
    return model.infer(task.input());
  }

  /**
   * Sends the vote built from {@link #answer}'s prediction, unsigned and in the peer's name. Honest
   * peers send it once, through the outbox.
   *
   * @param vote the vote
   * @param model the model it answers for
   * @param ballot sends votes that the task's offset commit waits for
   */
  default void vote(Vote vote, ServedModel model, Ballot ballot) {
    ballot.send(vote);
  }

  /** Stops what {@link #start} started; called once the peer stopped polling. */
  default void close() {}
}

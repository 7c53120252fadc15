package dev.minigradient.worker;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Rosters;
import dev.minigradient.protocol.TaskPeek;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a peer answers a task, decided from the task's peeked fields ({@link TaskPeek}) before
 * its input is decoded. The committee is the one the consensus app draws ({@link Committee}): the
 * roster in effect at the task record's append time, seeded by the roster's beacon and the record's
 * partition, offset and append time. A task has no committee, and every peer serving its model
 * answers it, when it asks for {@link Redundancy#ALL}, when no roster read so far was in effect at
 * its time, or when no roster member serves its model.
 *
 * <p>A peer's view of the rosters may lag the consensus app's (it reads {@code network.rosters} on
 * its own). The consensus app's view decides which votes count, so a lagging peer can only run a
 * task it holds no seat on (its vote is ignored) or miss a seat it holds (the committee is short of
 * a vote and the task escalates to the referee); it never makes an unseated vote count.
 *
 * <p>Thread-safe: {@link Rosters} is.
 */
public final class Seating {

  /** What a peer does with a task. */
  public enum Decision {
    /** Decode, run and vote: the peer holds a seat, or the task has no committee. */
    SERVE,
    /** Skip without decoding: the committee seats other peers only. */
    SKIP_UNSEATED,
    /** Skip without decoding: the peer does not serve the task's model. */
    SKIP_MODEL
  }

  private final Rosters rosters;
  private final String peerId;
  private final Set<String> servedModels;

  /**
   * Creates the rule for one peer.
   *
   * @param rosters the rosters the peer has read (it may keep reading into them)
   * @param peerId the peer
   * @param servedModels ids of the models it serves
   */
  public Seating(Rosters rosters, String peerId, Set<String> servedModels) {
    this.rosters = Objects.requireNonNull(rosters, "rosters");
    this.peerId = Objects.requireNonNull(peerId, "peerId");
    this.servedModels = Set.copyOf(servedModels);
  }

  /**
   * Decides for one task record.
   *
   * @param task the task's peeked fields (model id not null)
   * @param partition the record's partition of {@code inference.tasks}
   * @param offset its offset
   * @param appendTime its timestamp (the broker's append time), epoch ms
   * @return {@link Decision#SKIP_MODEL} if the model is not served, else {@link
   *     Decision#SKIP_UNSEATED} if the task has a committee without this peer, else {@link
   *     Decision#SERVE}
   */
  public Decision decide(TaskPeek task, int partition, long offset, long appendTime) {
    if (!servedModels.contains(task.modelId())) {
      return Decision.SKIP_MODEL;
    }
    Committee committee = committee(rosters, task, partition, offset, appendTime);
    if (committee == null || committee.seats().isEmpty() || committee.seats(peerId)) {
      return Decision.SERVE;
    }
    return Decision.SKIP_UNSEATED;
  }

  /**
   * The committee of a task record, as the consensus app draws it.
   *
   * @param rosters the rosters read
   * @param task the task's peeked fields
   * @param partition the record's partition
   * @param offset its offset
   * @param appendTime its timestamp, epoch ms
   * @return the committee (empty when no roster member serves the model), or null when the task has
   *     none: it asks for {@link Redundancy#ALL}, or no roster read was in effect at its time
   */
  public static Committee committee(
      Rosters rosters, TaskPeek task, int partition, long offset, long appendTime) {
    return Committee.ofTask(
        rosters.at(appendTime), task.modelId(), task.redundancy(), partition, offset, appendTime);
  }

  /**
   * Peeks at a task record for its seating, unless only reading it in full can say what is wrong
   * with it.
   *
   * @param key the record key
   * @param value the record value
   * @return the peeked fields, or null when the value is not a task JSON object, its redundancy is
   *     invalid, its task or model id is missing, or its task id is not the record key (the full
   *     reading sends such a record to the dead-letter topic with its reason)
   */
  public static TaskPeek peek(String key, byte[] value) {
    if (value == null) {
      return null;
    }
    TaskPeek p;
    try {
      p = TaskPeek.of(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return p.taskId() == null || p.modelId() == null || !p.taskId().equals(key) ? null : p;
  }
}

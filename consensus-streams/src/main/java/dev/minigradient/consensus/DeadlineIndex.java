package dev.minigradient.consensus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The wall-clock deadlines of a stream task's pending tasks, in memory: what the punctuator fires.
 * It holds nothing of its own: every deadline in it is a field of a task's entry in the
 * pending-tasks store ({@link PendingTask#deadline}, {@link PendingTask#seatDeadline}), so it is
 * rebuilt from that store when the processor starts ({@link ConsensusProcessor#init}) instead of
 * being written to a changelog of its own, which cost every task about six records. Not
 * thread-safe; one per processor.
 */
final class DeadlineIndex {
  /**
   * A deadline.
   *
   * @param time when it falls due, epoch ms (wall clock)
   * @param taskId the task it belongs to
   */
  record Due(long time, String taskId) {}

  private final NavigableSet<Due> due =
      new TreeSet<>(Comparator.comparingLong(Due::time).thenComparing(Due::taskId));

  /**
   * Adds a deadline (a second add of the same one is a no-op).
   *
   * @param time epoch ms
   * @param taskId the task
   */
  void add(long time, String taskId) {
    due.add(new Due(time, taskId));
  }

  /**
   * Removes a deadline if present.
   *
   * @param time epoch ms
   * @param taskId the task
   */
  void remove(long time, String taskId) {
    due.remove(new Due(time, taskId));
  }

  /**
   * Removes and returns every deadline at or before {@code now}, earliest first.
   *
   * @param now epoch ms
   * @return the deadlines that fell due
   */
  List<Due> pollDue(long now) {
    List<Due> out = new ArrayList<>();
    while (!due.isEmpty() && due.first().time() <= now) {
      out.add(due.pollFirst());
    }
    return out;
  }

  /** How many deadlines are held. */
  int size() {
    return due.size();
  }
}

package dev.minigradient.consensus;

/**
 * Reads a task's input bytes again from {@code inference.tasks}, for a referee that re-executes an
 * escalated task whose input the processor no longer holds in memory (after a restart, or a
 * partition that moved to this instance).
 */
@FunctionalInterface
public interface TaskInputs {
  /**
   * The input of the task record at a position.
   *
   * @param taskId the task id the record must carry
   * @param partition its partition of {@code inference.tasks}
   * @param offset its offset
   * @return the input bytes, or null if the record cannot be read or is not that task
   */
  byte[] input(String taskId, int partition, long offset);

  /**
   * Reads nothing.
   *
   * @return inputs that are never available
   */
  static TaskInputs none() {
    return (taskId, partition, offset) -> null;
  }
}

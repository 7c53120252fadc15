package dev.minigradient.api;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The newest tasks' inputs, bounded by count and by total bytes: the oldest go first. A task read
 * again replaces its input and counts as the newest. Thread-safe.
 */
final class InputCache {
  private final int maxTasks;
  private final long maxBytes;
  private final LinkedHashMap<String, LiveFeed.StoredInput> inputs = new LinkedHashMap<>();
  private long bytes;

  /**
   * Creates an empty cache.
   *
   * @param maxTasks most inputs kept
   * @param maxBytes most input bytes kept in all
   */
  InputCache(int maxTasks, long maxBytes) {
    this.maxTasks = maxTasks;
    this.maxBytes = maxBytes;
  }

  /**
   * Keeps an input as the newest, dropping the oldest while over either bound.
   *
   * @param in the input
   */
  synchronized void put(LiveFeed.StoredInput in) {
    LiveFeed.StoredInput old = inputs.remove(in.taskId());
    if (old != null) {
      bytes -= old.bytes().length;
    }
    inputs.put(in.taskId(), in);
    bytes += in.bytes().length;
    Iterator<LiveFeed.StoredInput> it = inputs.values().iterator();
    while (it.hasNext() && (inputs.size() > maxTasks || bytes > maxBytes)) {
      bytes -= it.next().bytes().length;
      it.remove();
    }
  }

  /**
   * A task's input.
   *
   * @param taskId the task
   * @return its input, or null if unknown or dropped
   */
  synchronized LiveFeed.StoredInput get(String taskId) {
    return inputs.get(taskId);
  }

  /**
   * Input bytes kept.
   *
   * @return the total, bytes
   */
  synchronized long bytes() {
    return bytes;
  }
}

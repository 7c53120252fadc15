package dev.minigradient.consensus;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Task inputs kept in memory, by task id, up to a number of bytes; the oldest are dropped first.
 * Owned by one processor (not thread-safe).
 */
final class InputCache {
  private final long capacity;
  private final LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
  private long bytes;

  /**
   * Creates an empty cache.
   *
   * @param capacity most bytes held
   */
  InputCache(long capacity) {
    this.capacity = capacity;
  }

  void put(String taskId, byte[] input) {
    remove(taskId);
    if (input.length > capacity) {
      return;
    }
    entries.put(taskId, input);
    bytes += input.length;
    Iterator<Map.Entry<String, byte[]>> it = entries.entrySet().iterator();
    while (bytes > capacity && it.hasNext()) {
      bytes -= it.next().getValue().length;
      it.remove();
    }
  }

  byte[] get(String taskId) {
    return entries.get(taskId);
  }

  void remove(String taskId) {
    byte[] old = entries.remove(taskId);
    if (old != null) {
      bytes -= old.length;
    }
  }

  long bytes() {
    return bytes;
  }
}

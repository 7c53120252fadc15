package dev.minigradient.api;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dead letters counted by reason ({@code mg.errors.reason}), source topic and component ({@code
 * mg.errors.component}), whichever component wrote them, and the newest few kept. A record without
 * a source or a component counts under {@code unknown}. Thread-safe.
 */
final class DeadLetterTally {
  private final int recentLimit;
  private final Map<String, Long> byReason = new TreeMap<>();
  private final Map<String, Long> bySource = new TreeMap<>();
  private final Map<String, Long> byComponent = new TreeMap<>();
  private final ArrayDeque<LiveFeed.DeadLetter> recent = new ArrayDeque<>();
  private long total;

  /**
   * Creates an empty tally.
   *
   * @param recentLimit most records kept (the newest)
   */
  DeadLetterTally(int recentLimit) {
    this.recentLimit = recentLimit;
  }

  /**
   * Counts a dead letter and keeps it among the newest.
   *
   * @param d the dead letter
   */
  synchronized void add(LiveFeed.DeadLetter d) {
    total++;
    byReason.merge(d.reason(), 1L, Long::sum);
    bySource.merge(d.sourceTopic() == null ? "unknown" : d.sourceTopic(), 1L, Long::sum);
    byComponent.merge(d.component() == null ? "unknown" : d.component(), 1L, Long::sum);
    recent.addLast(d);
    while (recent.size() > recentLimit) {
      recent.removeFirst();
    }
  }

  /**
   * How many dead letters were counted.
   *
   * @return the total
   */
  synchronized long total() {
    return total;
  }

  /**
   * The counts and the newest records.
   *
   * @return a copy; the newest record first
   */
  synchronized LiveFeed.DeadLetterSummary summary() {
    List<LiveFeed.DeadLetter> newestFirst = new ArrayList<>(recent);
    Collections.reverse(newestFirst);
    return new LiveFeed.DeadLetterSummary(
        total,
        new TreeMap<>(byReason),
        new TreeMap<>(bySource),
        new TreeMap<>(byComponent),
        newestFirst);
  }
}

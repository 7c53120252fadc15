package dev.minigradient.protocol;

import java.util.Map;
import java.util.TreeMap;

/**
 * The rosters read so far from {@link Topics#ROSTERS}, to find the one in effect at a task's append
 * time. Keeps the newest {@link #CAPACITY}; thread-safe.
 */
public final class Rosters {
  /** Rosters kept: ten minutes of one-second epochs. */
  public static final int CAPACITY = 600;

  private final TreeMap<Long, Roster> byStart = new TreeMap<>();

  /**
   * Adds a roster (a roster published again for the same epoch replaces it).
   *
   * @param r the roster
   */
  public synchronized void add(Roster r) {
    byStart.put(r.effectiveFrom(), r);
    while (byStart.size() > CAPACITY) {
      byStart.pollFirstEntry();
    }
  }

  /**
   * The roster in effect at {@code appendTime}: the one with the largest start not after it.
   *
   * @param appendTime a task record's timestamp, epoch ms
   * @return the roster, or null if every roster read starts later (no committee: every peer)
   */
  public synchronized Roster at(long appendTime) {
    Map.Entry<Long, Roster> e = byStart.floorEntry(appendTime);
    return e == null ? null : e.getValue();
  }

  /**
   * The newest roster read.
   *
   * @return it, or null
   */
  public synchronized Roster newest() {
    Map.Entry<Long, Roster> e = byStart.lastEntry();
    return e == null ? null : e.getValue();
  }
}

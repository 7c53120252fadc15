package dev.minigradient.launcher;

import dev.minigradient.consensus.ConsensusConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The consensus app's processing guarantee in a latency and throughput run.
 *
 * @param commitMs its commit interval, ms
 * @param exactlyOnce exactly_once_v2, else at_least_once
 */
record Guarantee(long commitMs, boolean exactlyOnce) {
  /**
   * The settings the network section measures, the consensus app's default last (throughput and
   * scaling run at it): with {@code quick} only the default; else first the other guarantee at 100
   * ms commits, then exactly_once_v2 at 10 ms.
   *
   * @param quick the CI smoke
   * @return the settings in order
   */
  static List<Guarantee> inOrder(boolean quick) {
    boolean defaultEos = ConsensusConfig.DEFAULT_EXACTLY_ONCE;
    List<Guarantee> out = new ArrayList<>();
    if (!quick) {
      out.add(new Guarantee(100, !defaultEos));
      out.add(new Guarantee(10, true));
    }
    out.add(new Guarantee(100, defaultEos));
    return out;
  }

  /**
   * The report's name for it, e.g. {@code exactly_once_v2, commit 10 ms} or {@code at_least_once}.
   */
  String label() {
    return exactlyOnce ? "exactly_once_v2, commit " + commitMs + " ms" : "at_least_once";
  }
}

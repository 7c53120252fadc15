package dev.minigradient.consensus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The problems a {@link LedgerReplay} finds: a count per kind, and up to {@link
 * LedgerReplay#EXAMPLES} examples of each, kinds in the order first found. Not thread-safe.
 */
final class ReplayProblems {
  private final Map<String, List<String>> examples = new LinkedHashMap<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();

  /**
   * Records one problem.
   *
   * @param kind what is wrong, as a sentence fragment
   * @param example the record it was found in (a task id, a peer, the values that differ)
   */
  void find(String kind, String example) {
    counts.merge(kind, 1L, Long::sum);
    List<String> list = examples.computeIfAbsent(kind, k -> new ArrayList<>());
    if (list.size() < LedgerReplay.EXAMPLES) {
      list.add(example);
    }
  }

  /**
   * The count of each kind so far.
   *
   * @return a copy, kinds in the order first found
   */
  Map<String, Long> counts() {
    return new LinkedHashMap<>(counts);
  }

  /**
   * The examples of each kind so far.
   *
   * @return a copy, kinds in the order first found
   */
  Map<String, List<String>> examples() {
    return new LinkedHashMap<>(examples);
  }
}

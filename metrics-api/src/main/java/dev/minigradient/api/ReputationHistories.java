package dev.minigradient.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Each peer's newest reputation points, a bounded number per peer, oldest first. Thread-safe. */
final class ReputationHistories {
  private final int perPeer;
  private final Map<String, ArrayDeque<ObjectNode>> histories = new HashMap<>();

  /**
   * Creates empty histories.
   *
   * @param perPeer most points kept per peer (the newest)
   */
  ReputationHistories(int perPeer) {
    this.perPeer = perPeer;
  }

  /**
   * Adds a peer's newest point, dropping its oldest beyond the bound.
   *
   * @param peerId the peer
   * @param point the point
   */
  synchronized void add(String peerId, ObjectNode point) {
    ArrayDeque<ObjectNode> h = histories.computeIfAbsent(peerId, k -> new ArrayDeque<>());
    h.addLast(point);
    while (h.size() > perPeer) {
      h.removeFirst();
    }
  }

  /**
   * A peer's points.
   *
   * @param peerId the peer
   * @return its points, oldest first; empty if none
   */
  synchronized List<ObjectNode> history(String peerId) {
    ArrayDeque<ObjectNode> h = histories.get(peerId);
    return h == null ? List.of() : List.copyOf(h);
  }
}

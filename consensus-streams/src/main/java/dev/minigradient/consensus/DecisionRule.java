package dev.minigradient.consensus;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * When a task is decided, and how: the pure rule the consensus processor applies after each vote
 * and at the deadline, and the trust simulation applies to millions of drawn committees.
 *
 * <ul>
 *   <li><b>With a committee</b> (k seats drawn by {@code Committee}): the task is decided when
 *       every seated peer has voted the same label, all votes valid (unanimity; a peer holding two
 *       seats weighs two). Any disagreement, refusal mismatch or invalid vote escalates at once; a
 *       seat still silent at the deadline escalates then. A seated peer replaced at the seat
 *       timeout ({@link Replacements}) is <em>excused</em>: unanimity no longer waits for it, its
 *       replacement's vote is needed instead, and its own vote, if it comes, still counts (an
 *       agreeing one adds weight, though it is judged late and unpaid; another label is a
 *       disagreement). An escalated task is
 *       decided by the referee's re-execution (refereed delegation, Gensyn's Verde; BOINC's
 *       adaptive replication sends a disputed workunit to more hosts).
 *   <li><b>Without one</b> (redundancy {@code all}): PBFT's quorum (Castro and Liskov, OSDI
 *       1999): decided as soon as one label holds more than 2/3 of the eligible weight. When
 *       every eligible peer has voted without that, or the deadline passes with votes, the task
 *       escalates for want of a quorum; without votes it times out.
 * </ul>
 *
 * <p>The leading label is the one with the most weight, ties going to the lowest label, so
 * nothing depends on arrival order.
 */
public final class DecisionRule {
  private DecisionRule() {}

  /** What to do with a task now. */
  public enum Kind {
    /** Not yet: more votes may come. */
    WAIT,
    /** Decide {@link Step#label()} (the refusal label for a rejection). */
    DECIDE,
    /** Let the referee re-execute the task and decide it; {@link Step#reason()} says why. */
    ESCALATE,
    /** No votes by the deadline. */
    TIMED_OUT
  }

  /**
   * One judged vote.
   *
   * @param label the label voted ({@code Vote.REJECTED} for a refusal)
   * @param valid whether it counts (signed, right model and input, no equivocation)
   */
  public record Ballot(int label, boolean valid) {}

  /**
   * The rule's answer.
   *
   * @param kind what to do
   * @param label the leading label (the decided one for {@link Kind#DECIDE}), or null without
   *     valid votes
   * @param agreeing weight of the votes for {@code label}
   * @param total weight of every eligible peer (seats with a committee), less excused peers that
   *     have not voted: at a committee's decision, the weight of the seats that answered
   * @param reason why a task escalates: {@code disagreement}, {@code invalid-vote}, {@code
   *     missing-seat} or {@code no-quorum}; else null
   */
  public record Step(Kind kind, Integer label, double agreeing, double total, String reason) {}

  /**
   * Applies the rule.
   *
   * @param eligible eligible peers and their weights (seats held, with a committee)
   * @param votes each peer's judged vote, at most one per peer; votes of peers not eligible are
   *     ignored
   * @param committee whether a committee serves the task
   * @param deadlinePassed whether the decision deadline has passed
   * @return what to do
   */
  public static Step next(
      Map<String, Double> eligible, Map<String, Ballot> votes, boolean committee, boolean deadlinePassed) {
    return next(eligible, Set.of(), votes, committee, deadlinePassed);
  }

  /**
   * Applies the rule to a committee some of whose seated peers were replaced.
   *
   * @param eligible eligible peers and their weights (seats held, with a committee), replaced
   *     peers and their replacements included
   * @param excused replaced peers: unanimity does not wait for them, and their weight counts only
   *     once they vote; ignored without a committee
   * @param votes each peer's judged vote, at most one per peer; votes of peers not eligible are
   *     ignored
   * @param committee whether a committee serves the task
   * @param deadlinePassed whether the decision deadline (or the seat timeout that ends the wait)
   *     has passed
   * @return what to do
   */
  public static Step next(
      Map<String, Double> eligible, Set<String> excused, Map<String, Ballot> votes, boolean committee, boolean deadlinePassed) {
    double total = 0;
    int needed = 0;
    for (Map.Entry<String, Double> e : eligible.entrySet()) {
      if (committee && excused.contains(e.getKey()) && !votes.containsKey(e.getKey())) {
        continue; // a replaced peer that stays silent neither blocks nor weighs
      }
      total += e.getValue();
      needed++;
    }
    Map<Integer, Double> tally = new TreeMap<>();
    int judged = 0;
    boolean anyInvalid = false;
    for (Map.Entry<String, Ballot> e : votes.entrySet()) {
      Double w = eligible.get(e.getKey());
      if (w == null) {
        continue;
      }
      judged++;
      if (e.getValue().valid()) {
        tally.merge(e.getValue().label(), w, Double::sum);
      } else {
        anyInvalid = true;
      }
    }
    Integer leader = null;
    double leaderWeight = 0;
    for (Map.Entry<Integer, Double> e : tally.entrySet()) {
      if (leader == null || e.getValue() > leaderWeight) { // TreeMap order: lowest label wins ties
        leader = e.getKey();
        leaderWeight = e.getValue();
      }
    }
    boolean everyone = needed > 0 && judged >= needed;
    if (committee) {
      if (tally.size() > 1) {
        return new Step(Kind.ESCALATE, leader, leaderWeight, total, "disagreement");
      }
      if (anyInvalid) {
        return new Step(Kind.ESCALATE, leader, leaderWeight, total, "invalid-vote");
      }
      if (everyone && leader != null) {
        return new Step(Kind.DECIDE, leader, leaderWeight, total, null);
      }
      return deadlinePassed ? new Step(Kind.ESCALATE, leader, leaderWeight, total, "missing-seat") : wait(leader, leaderWeight, total);
    }
    if (leader != null && total > 0 && leaderWeight * 3 > total * 2) {
      return new Step(Kind.DECIDE, leader, leaderWeight, total, null);
    }
    if (everyone || (deadlinePassed && leader != null)) {
      return new Step(Kind.ESCALATE, leader, leaderWeight, total, "no-quorum");
    }
    return deadlinePassed ? new Step(Kind.TIMED_OUT, null, 0, total, null) : wait(leader, leaderWeight, total);
  }

  private static Step wait(Integer leader, double weight, double total) {
    return new Step(Kind.WAIT, leader, weight, total, null);
  }
}

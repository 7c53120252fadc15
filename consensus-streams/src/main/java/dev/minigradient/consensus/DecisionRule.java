package dev.minigradient.consensus;

import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Vote;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
 *       disagreement). An escalated task is decided by the referee's re-execution (refereed
 *       delegation, Gensyn's Verde; BOINC's adaptive replication sends a disputed workunit to more
 *       hosts).
 *   <li><b>Without one</b> (redundancy {@code all}): PBFT's quorum (Castro and Liskov, OSDI 1999):
 *       decided as soon as one label holds more than 2/3 of the eligible weight. When every
 *       eligible peer has voted without that, or the deadline passes with votes, the task escalates
 *       for want of a quorum; without votes it times out.
 *   <li><b>Audited</b> tasks: when the referee's re-execution gives another answer than the one the
 *       seats (or the quorum) agree on, the task escalates ({@code audit}) and the referee decides.
 * </ul>
 *
 * <p>The leading label and the quorum are {@link Quorum}'s: the most weight, ties going to the
 * lowest label, so nothing depends on arrival order.
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
   * @param label the leading label (the decided one for {@link Kind#DECIDE}), or null without valid
   *     votes
   * @param agreeing weight of the votes for {@code label}
   * @param total weight of every eligible peer (seats with a committee), less excused peers that
   *     have not voted: at a committee's decision, the weight of the seats that answered
   * @param reason why a task escalates: {@code disagreement}, {@code invalid-vote}, {@code
   *     missing-seat}, {@code no-quorum} or {@code audit} (kept when the referee decides it, {@link
   *     #byReferee}); else null
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
      Map<String, Double> eligible,
      Map<String, Ballot> votes,
      boolean committee,
      boolean deadlinePassed) {
    return next(eligible, Set.of(), votes, committee, deadlinePassed);
  }

  /**
   * Applies the rule to a committee some of whose seated peers were replaced.
   *
   * @param eligible eligible peers and their weights (seats held, with a committee), replaced peers
   *     and their replacements included
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
      Map<String, Double> eligible,
      Set<String> excused,
      Map<String, Ballot> votes,
      boolean committee,
      boolean deadlinePassed) {
    double total = 0;
    int needed = 0;
    for (Map.Entry<String, Double> e : eligible.entrySet()) {
      if (committee && excused.contains(e.getKey()) && !votes.containsKey(e.getKey())) {
        continue; // a replaced peer that stays silent neither blocks nor weighs
      }
      total += e.getValue();
      needed++;
    }
    Quorum.Tally tally = Quorum.tally(eligible, votes);
    Integer leader = tally.leader();
    double leaderWeight = tally.weightOf(leader);
    boolean everyone = needed > 0 && tally.judged() >= needed;
    if (committee) {
      if (tally.labels() > 1) {
        return new Step(Kind.ESCALATE, leader, leaderWeight, total, "disagreement");
      }
      if (tally.anyInvalid()) {
        return new Step(Kind.ESCALATE, leader, leaderWeight, total, "invalid-vote");
      }
      if (everyone && leader != null) {
        return new Step(Kind.DECIDE, leader, leaderWeight, total, null);
      }
      return deadlinePassed
          ? new Step(Kind.ESCALATE, leader, leaderWeight, total, "missing-seat")
          : wait(leader, leaderWeight, total);
    }
    if (leader != null && Quorum.holds(leaderWeight, total)) {
      return new Step(Kind.DECIDE, leader, leaderWeight, total, null);
    }
    if (everyone || (deadlinePassed && leader != null)) {
      return new Step(Kind.ESCALATE, leader, leaderWeight, total, "no-quorum");
    }
    return deadlinePassed
        ? new Step(Kind.TIMED_OUT, null, 0, total, null)
        : wait(leader, leaderWeight, total);
  }

  /**
   * Applies the rule to a pending task, as the consensus processor does after each vote and at each
   * deadline and the trust simulation does to each simulated task: its eligible peers, its replaced
   * seats excused, its judged votes, then the audit ({@link #afterAudit}).
   *
   * @param p the task
   * @param deadlinePassed whether the decision deadline (or the seat timeout that ends the wait)
   *     has passed
   * @return what to do
   */
  static Step next(PendingTask p, boolean deadlinePassed) {
    Step step =
        next(
            p.eligible,
            Replacements.replaced(p.replacements),
            ballots(p),
            p.hasCommittee(),
            deadlinePassed);
    return afterAudit(step, p.reference);
  }

  /**
   * A pending task's judged votes as ballots.
   *
   * @param p the task
   * @return each voter's ballot, in the order the votes were judged
   */
  static Map<String, Ballot> ballots(PendingTask p) {
    Map<String, Ballot> ballots = new LinkedHashMap<>();
    p.votes.forEach((peer, v) -> ballots.put(peer, new Ballot(v.label(), v.valid())));
    return ballots;
  }

  /**
   * The rule's step, overruled by an audit: an audited task whose voters agree on another answer
   * than the model's escalates (reason {@code audit}), so the referee decides.
   *
   * @param step the rule's step
   * @param reference the referee's answer when the task is audited, else null
   * @return {@code step}, or an escalation
   */
  static Step afterAudit(Step step, Referee.Reference reference) {
    if (step.kind() == Kind.DECIDE && reference != null && step.label() != reference.label()) {
      return new Step(Kind.ESCALATE, step.label(), step.agreeing(), step.total(), "audit");
    }
    return step;
  }

  /**
   * The referee's decision of an escalated task: its answer is the decision, supported by the
   * weight of the valid votes for it ({@link Quorum}).
   *
   * @param escalated the rule's escalation
   * @param p the task, with the referee's answer in {@link PendingTask#reference}
   * @return a {@link Kind#DECIDE} step for the referee's label, keeping the escalation's total
   *     weight and reason
   */
  static Step byReferee(Step escalated, PendingTask p) {
    int label = p.reference.label();
    double agreeing = Quorum.tally(p.eligible, ballots(p)).weightOf(label);
    return new Step(Kind.DECIDE, label, agreeing, escalated.total(), escalated.reason());
  }

  /**
   * How an escalation ends when nobody can re-execute the task: as without escalation, {@link
   * ConsensusStatus#NO_QUORUM} when a valid vote leads or everyone voted, else {@link
   * ConsensusStatus#TIMED_OUT}.
   *
   * @param escalated the rule's escalation
   * @param everyoneVoted whether every eligible peer has voted
   * @return the status
   */
  static ConsensusStatus withoutReferee(Step escalated, boolean everyoneVoted) {
    return escalated.label() != null || everyoneVoted
        ? ConsensusStatus.NO_QUORUM
        : ConsensusStatus.TIMED_OUT;
  }

  /**
   * The status of a task decided for a label.
   *
   * @param label the decided label
   * @return {@link ConsensusStatus#REJECTED} for the refusal ({@link Vote#REJECTED}), else {@link
   *     ConsensusStatus#DECIDED}
   */
  static ConsensusStatus status(int label) {
    return label == Vote.REJECTED ? ConsensusStatus.REJECTED : ConsensusStatus.DECIDED;
  }

  private static Step wait(Integer leader, double weight, double total) {
    return new Step(Kind.WAIT, leader, weight, total, null);
  }
}

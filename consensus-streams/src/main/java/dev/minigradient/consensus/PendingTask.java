package dev.minigradient.consensus;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.minigradient.protocol.Agreement;
import dev.minigradient.protocol.ConsensusStatus;
import dev.minigradient.protocol.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of one task in the {@code pending-tasks} store: what its votes are checked against, who
 * may vote and with what weight, and the votes so far. Mutable; owned by one processor.
 */
final class PendingTask {
  /** Task fields; null until the task itself has been seen (a vote can arrive first). */
  public String modelId;

  public String inputSha256;
  public String name;
  public long submittedAt;

  /** Wall-clock deadline of the decision, epoch ms. */
  public long deadline;

  /**
   * Wall-clock time of a committee's next seat timeout, epoch ms; 0 without one. At the first,
   * silent seats are replaced; at the second, a silent replacement escalates.
   */
  public long seatDeadline;

  /**
   * The task record's timestamp (the broker's append time), epoch ms; a committee's seed needs it.
   */
  public long appendTime;

  /**
   * Silent seats replaced at the seat timeout, in seat order ({@link Replacements}); empty until
   * then. The appointees are in {@link #eligible} too, with a weight of the seats they took.
   */
  public List<Replacements.Appointment> replacements = new ArrayList<>();

  /**
   * Peers eligible to vote and their weights: with a committee, the seated peers and the seats each
   * holds; without one (redundancy {@code all}, or no roster yet), the peers active and serving the
   * model when the task arrived, with their stake x reputation weights.
   */
  public Map<String, Double> eligible = new LinkedHashMap<>();

  /**
   * The committee's seats in seat order as drawn (replacements are in {@link #replacements}), or
   * empty when every eligible peer serves the task.
   */
  public List<String> committee = new ArrayList<>();

  /**
   * Why the referee decided the task ({@code disagreement}, {@code missing-seat}, {@code
   * no-quorum}), or null.
   */
  public String escalation;

  /**
   * Where the task record lies on {@code inference.tasks}, to read its input again for a referee.
   */
  public int partition = -1;

  public long offset = -1;

  /** Judged votes by peer, first vote wins. */
  public Map<String, CountedVote> votes = new LinkedHashMap<>();

  /** Votes that arrived before their task, checked when it arrives. */
  public List<HeldVote> early = new ArrayList<>();

  /** Votes whose signature did not verify against the claimed peer's key. */
  public int forged;

  /** The referee's answer when the task is audited, else null. */
  public Referee.Reference reference;

  /** Set once the consensus was emitted; votes may still arrive until it is settled. */
  public boolean decided;

  /** Wall-clock time of the decision, epoch ms. */
  public long decidedAt;

  /** Set once the verdicts went to the ledger; the entry then only guards against repeats. */
  public boolean settled;

  /**
   * For a model whose votes agree by value, the tolerance they agree within (from the model's
   * description); null for agreement by class. Votes carrying values on a task without one agree
   * only when equal ({@link ValueAgreement}).
   */
  public Agreement.Tolerance tolerance;

  /**
   * For a class model whose description states a tolerance, the tolerance within which a vote's
   * probabilities match the referee's (drift, not a lie, when the argmax differs); null: {@link
   * Verdicts#AUDIT_TOLERANCE}.
   */
  public Agreement.Tolerance classTolerance;

  /** A value task's decided values (the element-wise median of the agreeing votes), else null. */
  public List<Double> values;

  /** The decision's status and leading label, once decided. */
  public ConsensusStatus status;

  public Integer leader;

  boolean hasTask() {
    return modelId != null;
  }

  /**
   * Marks the task decided.
   *
   * @param how the decision's status
   * @param label the decided (or leading) label, or null
   * @param at the time of the decision, epoch ms
   */
  void decide(ConsensusStatus how, Integer label, long at) {
    decided = true;
    decidedAt = at;
    status = how;
    leader = label;
  }

  /**
   * Whether every eligible peer has voted (valid or not): the task then settles without waiting for
   * its deadline.
   *
   * @return true when there are eligible peers and each has a judged vote
   */
  boolean everyoneVoted() {
    return !eligible.isEmpty() && votes.keySet().containsAll(eligible.keySet());
  }

  /** Whether a committee serves the task (its seats must agree, or the referee decides). */
  boolean hasCommittee() {
    return committee != null && !committee.isEmpty();
  }

  /**
   * A judged vote.
   *
   * @param label the voted label ({@link Vote#REJECTED} for a refusal)
   * @param rejection the refusal reason, or null
   * @param probabilities the vote's probabilities
   * @param valid whether it counts
   * @param reason why it does not count, or null
   * @param arrivedAt wall-clock time it was judged, epoch ms
   * @param signature its signature, to recognise a redelivery
   * @param payloadSha256 hash of its signed payload, to tell a re-signed copy from a different vote
   * @param values a value vote's output elements, else empty; its {@code label} is then its cluster
   *     among the task's votes ({@link ValueAgreement}), 0 the heaviest
   */
  record CountedVote(
      int label,
      String rejection,
      List<Double> probabilities,
      boolean valid,
      String reason,
      long arrivedAt,
      String signature,
      String payloadSha256,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Double> values) {

    /** Normalizes a missing values list to empty. */
    CountedVote {
      values = values == null ? List.of() : values;
    }

    /** A class vote (no values). */
    CountedVote(
        int label,
        String rejection,
        List<Double> probabilities,
        boolean valid,
        String reason,
        long arrivedAt,
        String signature,
        String payloadSha256) {
      this(
          label,
          rejection,
          probabilities,
          valid,
          reason,
          arrivedAt,
          signature,
          payloadSha256,
          List.of());
    }

    CountedVote invalid(String why) {
      return new CountedVote(
          label, rejection, probabilities, false, why, arrivedAt, signature, payloadSha256, values);
    }

    CountedVote withLabel(int newLabel) {
      return new CountedVote(
          newLabel,
          rejection,
          probabilities,
          valid,
          reason,
          arrivedAt,
          signature,
          payloadSha256,
          values);
    }

    double probability() {
      return label >= 0 && probabilities != null && label < probabilities.size()
          ? probabilities.get(label)
          : 0;
    }
  }

  /**
   * A vote held until its task arrives, with where it was read (for the dead-letter topic if the
   * task never comes).
   *
   * @param vote the vote, opened
   * @param partition its partition of {@code inference.votes}
   * @param offset its offset
   */
  record HeldVote(Vote vote, int partition, long offset) {}
}

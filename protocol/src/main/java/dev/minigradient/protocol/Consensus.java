package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.List;

/**
 * The network's one answer to a task, published to {@link Topics#CONSENSUS} keyed by {@code
 * taskId}; exactly one per task.
 *
 * @param schemaVersion wire schema version
 * @param taskId the task
 * @param modelId the model the task named
 * @param name the task's display name (a file name), may be null
 * @param status how it was reached
 * @param label the decided label; null unless {@code status} is {@link ConsensusStatus#DECIDED}
 * @param rejection the reason most refusing peers gave, when {@code status} is {@link
 *     ConsensusStatus#REJECTED}, else null
 * @param confidence mean probability the agreeing votes gave {@code label}, in [0,1]; 0 if none
 * @param agreeingWeight total weight of the votes for {@code label} (the leading label when not
 *     decided)
 * @param totalWeight total weight of the peers eligible for this task; with a committee, of its
 *     seated peers and replacements, less replaced peers that never voted (at a unanimous decision,
 *     the weight of the seats that answered, so it equals {@code agreeingWeight})
 * @param verdicts each eligible peer's vote and verdict, sorted by peer id
 * @param submittedAt when the task was submitted, epoch ms
 * @param decidedAt when the decision was made, epoch ms
 * @param latencyMs {@code decidedAt - submittedAt}, ms
 * @param forgedVotes votes for this task that claimed a registered peer but whose signature did not
 *     verify against its key, up to the decision; they neither count nor cost that peer
 * @param audited true when the consensus app re-executed the model on this task to audit the votes
 *     (the audit results are settled into the ledger, not written here)
 * @param committee the task's final seats in seat order (a peer once per seat it holds): seat j's
 *     drawn holder, or, when that holder was silent at the seat timeout, the peer appointed to
 *     replace it ({@link SeatReplacement} on {@link Topics#REPLACEMENTS}); so it has as many
 *     entries as seats were drawn, and a replaced holder appears only in {@code verdicts} (judged,
 *     e.g. MISSED). Empty when every eligible peer served the task (redundancy {@code all}, or no
 *     roster yet)
 * @param escalation why the seats (with any replacements) did not settle the task alone and the
 *     referee's re-execution decided it ({@code disagreement}, {@code invalid-vote}, {@code
 *     missing-seat}, {@code audit}, {@code no-quorum}), else null: null too when replacements
 *     answered for silent seats and every answering seat agreed
 * @param inferences model runs the task asks of the network: one per eligible peer (seated,
 *     replaced or appointed), plus one when the referee re-executed it (an audit or an escalation)
 * @param values for a model whose votes agree by value, the decided output: the element-wise median
 *     of the agreeing votes' values (or the referee's, when it decided alone); then {@code label}
 *     is the decided cluster's index among the votes. Empty otherwise (absent in JSON)
 */
@RecordBuilder
public record Consensus(
    int schemaVersion,
    String taskId,
    String modelId,
    String name,
    ConsensusStatus status,
    Integer label,
    String rejection,
    double confidence,
    double agreeingWeight,
    double totalWeight,
    List<PeerVerdict> verdicts,
    long submittedAt,
    long decidedAt,
    long latencyMs,
    int forgedVotes,
    boolean audited,
    List<String> committee,
    String escalation,
    int inferences,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Double> values) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** Copies the verdict list. */
  public Consensus {
    verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
    committee = committee == null ? List.of() : List.copyOf(committee);
    values = values == null ? List.of() : List.copyOf(values);
  }

  /**
   * Whether the referee's re-execution decided the task.
   *
   * @return true when {@link #escalation} is set
   */
  public boolean escalated() {
    return escalation != null;
  }

  /**
   * Support of the decision: agreeing weight over total weight, in [0,1].
   *
   * @return the fraction, 0 when the total weight is 0
   */
  public double support() {
    return totalWeight <= 0 ? 0 : agreeingWeight / totalWeight;
  }

  /**
   * A builder for an answer: schema version {@link #SCHEMA_VERSION}, no verdicts or committee, and
   * every other component 0, false or null until set.
   *
   * @return a new builder
   */
  public static ConsensusBuilder builder() {
    return ConsensusBuilder.builder()
        .schemaVersion(SCHEMA_VERSION)
        .verdicts(List.of())
        .committee(List.of());
  }

  /**
   * A builder holding this answer's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public ConsensusBuilder toBuilder() {
    return ConsensusBuilder.builder(this);
  }
}

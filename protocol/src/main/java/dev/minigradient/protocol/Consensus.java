package dev.minigradient.protocol;

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
 * @param forgedVotes votes for this task that claimed a registered peer but whose signature did
 *     not verify against its key, up to the decision; they neither count nor cost that peer
 * @param audited true when the consensus app re-executed the model on this task to audit the
 *     votes (the audit results are settled into the ledger, not written here)
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
 */
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
    int inferences) {

  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /** Copies the verdict list. */
  public Consensus {
    verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
    committee = committee == null ? List.of() : List.copyOf(committee);
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
   * A builder for an answer: schema version {@link #SCHEMA_VERSION}, no verdicts or committee,
   * and every other component 0, false or null until set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this answer's components, for a copy that differs in some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Sets an answer's components by name; each setter is named after the component it sets. */
  public static final class Builder {
    private int schemaVersion = SCHEMA_VERSION;
    private String taskId;
    private String modelId;
    private String name;
    private ConsensusStatus status;
    private Integer label;
    private String rejection;
    private double confidence;
    private double agreeingWeight;
    private double totalWeight;
    private List<PeerVerdict> verdicts = List.of();
    private long submittedAt;
    private long decidedAt;
    private long latencyMs;
    private int forgedVotes;
    private boolean audited;
    private List<String> committee = List.of();
    private String escalation;
    private int inferences;

    private Builder() {}

    private Builder(Consensus c) {
      schemaVersion = c.schemaVersion;
      taskId = c.taskId;
      modelId = c.modelId;
      name = c.name;
      status = c.status;
      label = c.label;
      rejection = c.rejection;
      confidence = c.confidence;
      agreeingWeight = c.agreeingWeight;
      totalWeight = c.totalWeight;
      verdicts = c.verdicts;
      submittedAt = c.submittedAt;
      decidedAt = c.decidedAt;
      latencyMs = c.latencyMs;
      forgedVotes = c.forgedVotes;
      audited = c.audited;
      committee = c.committee;
      escalation = c.escalation;
      inferences = c.inferences;
    }

    /**
     * Sets the wire schema version.
     *
     * @param schemaVersion the value
     * @return this builder
     */
    public Builder schemaVersion(int schemaVersion) {
      this.schemaVersion = schemaVersion;
      return this;
    }

    /**
     * Sets the task.
     *
     * @param taskId the value
     * @return this builder
     */
    public Builder taskId(String taskId) {
      this.taskId = taskId;
      return this;
    }

    /**
     * Sets the model the task named.
     *
     * @param modelId the value
     * @return this builder
     */
    public Builder modelId(String modelId) {
      this.modelId = modelId;
      return this;
    }

    /**
     * Sets the task's display name, or null.
     *
     * @param name the value
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Sets how the answer was reached.
     *
     * @param status the value
     * @return this builder
     */
    public Builder status(ConsensusStatus status) {
      this.status = status;
      return this;
    }

    /**
     * Sets the decided label, or null.
     *
     * @param label the value
     * @return this builder
     */
    public Builder label(Integer label) {
      this.label = label;
      return this;
    }

    /**
     * Sets the reason most refusing peers gave, or null.
     *
     * @param rejection the value
     * @return this builder
     */
    public Builder rejection(String rejection) {
      this.rejection = rejection;
      return this;
    }

    /**
     * Sets the mean probability the agreeing votes gave the label, in [0,1].
     *
     * @param confidence the value
     * @return this builder
     */
    public Builder confidence(double confidence) {
      this.confidence = confidence;
      return this;
    }

    /**
     * Sets the total weight of the votes for the label.
     *
     * @param agreeingWeight the value
     * @return this builder
     */
    public Builder agreeingWeight(double agreeingWeight) {
      this.agreeingWeight = agreeingWeight;
      return this;
    }

    /**
     * Sets the total weight of the peers eligible for the task.
     *
     * @param totalWeight the value
     * @return this builder
     */
    public Builder totalWeight(double totalWeight) {
      this.totalWeight = totalWeight;
      return this;
    }

    /**
     * Sets each eligible peer's vote and verdict, sorted by peer id.
     *
     * @param verdicts the value
     * @return this builder
     */
    public Builder verdicts(List<PeerVerdict> verdicts) {
      this.verdicts = verdicts;
      return this;
    }

    /**
     * Sets when the task was submitted, epoch ms.
     *
     * @param submittedAt the value
     * @return this builder
     */
    public Builder submittedAt(long submittedAt) {
      this.submittedAt = submittedAt;
      return this;
    }

    /**
     * Sets when the decision was made, epoch ms.
     *
     * @param decidedAt the value
     * @return this builder
     */
    public Builder decidedAt(long decidedAt) {
      this.decidedAt = decidedAt;
      return this;
    }

    /**
     * Sets the time from submission to decision, ms.
     *
     * @param latencyMs the value
     * @return this builder
     */
    public Builder latencyMs(long latencyMs) {
      this.latencyMs = latencyMs;
      return this;
    }

    /**
     * Sets the votes whose signature did not verify.
     *
     * @param forgedVotes the value
     * @return this builder
     */
    public Builder forgedVotes(int forgedVotes) {
      this.forgedVotes = forgedVotes;
      return this;
    }

    /**
     * Sets whether the consensus app re-executed the model on the task.
     *
     * @param audited the value
     * @return this builder
     */
    public Builder audited(boolean audited) {
      this.audited = audited;
      return this;
    }

    /**
     * Sets the task's final seats in seat order.
     *
     * @param committee the value
     * @return this builder
     */
    public Builder committee(List<String> committee) {
      this.committee = committee;
      return this;
    }

    /**
     * Sets why the referee's re-execution decided the task, or null.
     *
     * @param escalation the value
     * @return this builder
     */
    public Builder escalation(String escalation) {
      this.escalation = escalation;
      return this;
    }

    /**
     * Sets the model runs the task asks of the network.
     *
     * @param inferences the value
     * @return this builder
     */
    public Builder inferences(int inferences) {
      this.inferences = inferences;
      return this;
    }

    /**
     * Builds the answer.
     *
     * @return the answer
     */
    public Consensus build() {
      return new Consensus(
          schemaVersion,
          taskId,
          modelId,
          name,
          status,
          label,
          rejection,
          confidence,
          agreeingWeight,
          totalWeight,
          verdicts,
          submittedAt,
          decidedAt,
          latencyMs,
          forgedVotes,
          audited,
          committee,
          escalation,
          inferences);
    }
  }
}

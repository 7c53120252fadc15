package dev.minigradient.protocol;

/**
 * One peer's settled verdict in one task: the fact the reputation ledger is folded from. The
 * consensus app writes exactly one per eligible peer and task to {@link Topics#SETTLEMENTS}, key =
 * peer id, so the ledger of a peer is {@code ReputationRules.apply} over its settlements in order,
 * and anyone can recompute and audit it from the topic.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION}
 * @param taskId the task
 * @param verdict the peer's verdict, weight, audit result and reward
 * @param settledAt when the task settled, epoch ms (the ledger entry's {@code updatedAt})
 * @param declaredStake the stake the peer declared in {@code peers.registry} at settlement, tokens
 *     (its bond if this is its first settlement), NaN if it was not registered
 * @param taskPartition the partition of {@code inference.tasks} holding the task record, or null if
 *     unknown (a settlement of votes whose task never arrived, or written before the field)
 * @param taskOffset the task record's offset in that partition, or null if unknown; with the
 *     partition, where the ledger files its mark that the task was counted ({@code
 *     LedgerProcessor})
 */
public record Settlement(
    int schemaVersion,
    String taskId,
    PeerVerdict verdict,
    long settledAt,
    double declaredStake,
    Integer taskPartition,
    Long taskOffset) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * A settlement whose task record's position is unknown.
   *
   * @param schemaVersion {@link #SCHEMA_VERSION}
   * @param taskId the task
   * @param verdict the peer's verdict
   * @param settledAt when the task settled, epoch ms
   * @param declaredStake the peer's declared stake, tokens, or NaN
   */
  public Settlement(
      int schemaVersion, String taskId, PeerVerdict verdict, long settledAt, double declaredStake) {
    this(schemaVersion, taskId, verdict, settledAt, declaredStake, null, null);
  }

  /**
   * A copy naming the peer's declared stake.
   *
   * @param stake the stake declared in {@code peers.registry}, tokens, or NaN
   * @return the settlement
   */
  public Settlement withDeclaredStake(double stake) {
    return new Settlement(
        schemaVersion, taskId, verdict, settledAt, stake, taskPartition, taskOffset);
  }
}

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
 */
public record Settlement(
    int schemaVersion, String taskId, PeerVerdict verdict, long settledAt, double declaredStake) {
  /** The schema version this code writes. */
  public static final int SCHEMA_VERSION = 1;
}

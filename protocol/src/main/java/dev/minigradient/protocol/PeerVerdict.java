package dev.minigradient.protocol;

/**
 * One peer's part in a consensus.
 *
 * @param peerId the peer
 * @param label the label it voted, or null when it did not vote
 * @param verdict how its vote was judged
 * @param reason why a vote was judged {@link Verdict#INVALID}, else null
 */
public record PeerVerdict(String peerId, Integer label, Verdict verdict, String reason) {}

package dev.minigradient.protocol;

/**
 * A peer's standing, the value of the reputation KTable and of its changelog {@link
 * Topics#REPUTATION}, keyed by {@code peerId}.
 *
 * @param peerId the peer
 * @param score reputation in [0,1]; an exponential moving average of agreement, see the
 *     consensus module's {@code ReputationRules}
 * @param agreed decisions the peer agreed with
 * @param disagreed decisions the peer voted against
 * @param missed decisions the peer did not vote in
 * @param invalid votes that did not count (bad signature, wrong model, wrong input)
 * @param stake current stake, tokens
 * @param slashed total stake slashed so far, tokens
 * @param updatedAt time of the last update, epoch ms
 */
public record Reputation(
    String peerId,
    double score,
    long agreed,
    long disagreed,
    long missed,
    long invalid,
    double stake,
    double slashed,
    long updatedAt) {}

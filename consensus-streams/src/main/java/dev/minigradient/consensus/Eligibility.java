package dev.minigradient.consensus;

import dev.minigradient.protocol.Committee;
import dev.minigradient.protocol.Peer;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.Vote;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who may vote on a task, with what weight, and which of a peer's signed votes counts
 * (docs/consensus.md, rules 0 to 3):
 *
 * <ul>
 *   <li>with a committee, the seated peers (and later the peers appointed to silent seats, {@link
 *       Replacements}); a vote of anyone else is ignored, and its peer never judged;
 *   <li>without one, the peers active and serving the model when the task arrived; a signed vote of
 *       another active peer serving the model adds that peer (a late joiner raises the bar, never
 *       lowers it); any other vote is ignored;
 *   <li>a peer's first signed vote counts, judged invalid when its model or input hash is not the
 *       task's; a redelivery of it is ignored, and a second, different signed vote is equivocation:
 *       the first stops counting.
 * </ul>
 *
 * <p>Signature checks are the caller's: a vote reaches these rules only once it is provably its
 * peer's. One implementation, applied by {@link ConsensusProcessor}; {@link LedgerReplay} checks
 * the published verdicts against the same seats, and {@link CommitteeTrial} seats its simulated
 * committees with it.
 */
final class Eligibility {
  /** The reason of a vote that stopped counting because its peer signed a different one. */
  static final String EQUIVOCATION = "equivocation";

  private Eligibility() {}

  /** What happens to a signed first vote of a peer. */
  enum Admission {
    /** The peer is eligible: the vote is judged. */
    ELIGIBLE,
    /** No committee, and an active peer serving the model: it becomes eligible, then is judged. */
    LATE_JOINER,
    /** A committee serves the task and the peer holds no seat: ignored, never judged. */
    NO_SEAT,
    /** No committee, and the peer is not active or does not serve the model: ignored. */
    NOT_SERVING
  }

  /**
   * The eligible peers of a committee task and their weights: with drawn seats, the seats each peer
   * holds (a peer holding two seats weighs two and earns two seats' share); when every candidate is
   * seated, its roster weight, so identities added to reach that mode gain no reward.
   *
   * @param committee the task's committee
   * @param roster the roster it was drawn from
   * @return peer id to weight, in first-seat order
   */
  static Map<String, Double> seats(Committee committee, Roster roster) {
    Map<String, Double> eligible = new LinkedHashMap<>();
    if (committee.everyone()) {
      for (Roster.Member m : roster.members()) {
        if (committee.seats(m.peerId())) {
          eligible.put(m.peerId(), m.weight());
        }
      }
    } else {
      committee.seatsByPeer().forEach((peer, seats) -> eligible.put(peer, (double) seats));
    }
    return eligible;
  }

  /**
   * Whether a registered peer may serve a task now: active (not leaving, and its registry record,
   * stamped by the broker, younger than {@link Peer#ACTIVE_HEARTBEATS} heartbeat intervals) and
   * serving the task's model. Without a committee these are the task's eligible peers when it
   * arrives, and the late joiners after.
   *
   * @param peer its registry record, or null
   * @param stampedAt the record's timestamp (the broker's append time), epoch ms
   * @param modelId the task's model
   * @param now the time, epoch ms
   * @return true when it may serve the task
   */
  static boolean activeAndServing(Peer peer, long stampedAt, String modelId, long now) {
    return peer != null && peer.isActive(stampedAt, now) && peer.models().contains(modelId);
  }

  /**
   * Whether a peer's signed first vote on a task is judged.
   *
   * @param p the task: its eligible peers and whether a committee serves it
   * @param peerId the voting peer
   * @param activeAndServing whether the peer is active now and serves the task's model
   * @return the admission
   */
  static Admission admit(PendingTask p, String peerId, boolean activeAndServing) {
    if (p.eligible.containsKey(peerId)) {
      return Admission.ELIGIBLE;
    }
    if (p.hasCommittee()) {
      return Admission.NO_SEAT;
    }
    return activeAndServing ? Admission.LATE_JOINER : Admission.NOT_SERVING;
  }

  /**
   * Why a signed vote does not count.
   *
   * @param p the task: its model and the SHA-256 of its input bytes
   * @param vote the vote
   * @return {@code wrong-model}, {@code wrong-input}, or null when it counts
   */
  static String invalidReason(PendingTask p, Vote vote) {
    if (!p.modelId.equals(vote.modelId())) {
      return "wrong-model";
    }
    if (!p.inputSha256.equals(vote.inputSha256())) {
      return "wrong-input";
    }
    return null;
  }

  /**
   * Whether a vote needs no judging: a redelivery of the peer's judged vote (the same signature
   * over the same payload; the votes of one batch share a signature, so the signature alone does
   * not tell a copy), or any vote of a peer whose vote already stopped counting for equivocation.
   *
   * @param first the peer's judged vote, or null
   * @param signature the new vote's signature
   * @param payloadSha256 SHA-256 of the new vote's signed payload
   * @return true to ignore the vote
   */
  static boolean isRepeat(PendingTask.CountedVote first, String signature, String payloadSha256) {
    return first != null
        && ((Objects.equals(first.signature(), signature)
                && first.payloadSha256().equals(payloadSha256))
            || EQUIVOCATION.equals(first.reason()));
  }

  /**
   * Whether a second signed vote of a peer differs from its first (not a re-signed copy of the same
   * payload): provable equivocation.
   *
   * @param first the peer's judged vote
   * @param payloadSha256 SHA-256 of the second vote's signed payload
   * @return true for equivocation
   */
  static boolean equivocates(PendingTask.CountedVote first, String payloadSha256) {
    return !first.payloadSha256().equals(payloadSha256);
  }
}

package dev.minigradient.worker.adversary;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.Vote;
import java.util.List;

/**
 * Votes honestly as itself, and also sends a wrong vote in each of some other peers' names, signed
 * with its own key (which the consensus must reject).
 */
public final class Forger extends PeerBound {
  private final List<String> victims;

  /**
   * Creates the adversary.
   *
   * @param victims peer ids in whose names it forges votes (its own id is skipped)
   */
  public Forger(List<String> victims) {
    this.victims = List.copyOf(victims);
  }

  @Override
  public void vote(Vote vote, ServedModel model, Ballot ballot) {
    ballot.sendNow(vote);
    if (vote.label() < 0) {
      return; // nothing to contradict in a refusal
    }
    int wrong = (vote.label() + 1) % MadeUpAnswers.classes(model);
    for (String victim : victims) {
      if (!victim.equals(peer().peerId())) {
        ballot.sendNow(
            vote.toBuilder()
                .peerId(victim)
                .label(wrong)
                .rejection(null)
                .signature(null)
                .sealKey(null)
                .sealed(null)
                .runtime(null)
                .build());
      }
    }
  }
}

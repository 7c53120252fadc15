package dev.minigradient.consensus;

import dev.minigradient.protocol.Reputation;

/** How a published ledger entry differs from the one {@link LedgerReplay} recomputes. */
final class LedgerDifference {
  private LedgerDifference() {}

  /**
   * The first field in which two ledger entries differ: the counts exactly, the amounts within
   * {@link LedgerReplay#TOLERANCE}.
   *
   * @param published the entry the consensus app published, or null
   * @param replayed the entry the replay recomputed, or null
   * @return what differs, as "field published-value published, replayed-value replayed", or null if
   *     they agree
   */
  static String of(Reputation published, Reputation replayed) {
    if (published == null || replayed == null) {
      return published == null
          ? "not published (replay has " + replayed.judged() + " verdicts)"
          : "published, but no settlements";
    }
    long[] p = {
      published.agreed(),
      published.disagreed(),
      published.missed(),
      published.late(),
      published.invalid(),
      published.audited(),
      published.auditFailed(),
      published.lapsePenalizedAt()
    };
    long[] r = {
      replayed.agreed(),
      replayed.disagreed(),
      replayed.missed(),
      replayed.late(),
      replayed.invalid(),
      replayed.audited(),
      replayed.auditFailed(),
      replayed.lapsePenalizedAt()
    };
    String[] names = {
      "agreed",
      "disagreed",
      "missed",
      "late",
      "invalid",
      "audited",
      "auditFailed",
      "lapsePenalizedAt"
    };
    for (int i = 0; i < p.length; i++) {
      if (p[i] != r[i]) {
        return names[i] + " " + p[i] + " published, " + r[i] + " replayed";
      }
    }
    double[] pd = {
      published.score(),
      published.bond(),
      published.rewards(),
      published.slashed(),
      published.stake()
    };
    double[] rd = {
      replayed.score(), replayed.bond(), replayed.rewards(), replayed.slashed(), replayed.stake()
    };
    String[] dnames = {"score", "bond", "rewards", "slashed", "stake"};
    for (int i = 0; i < pd.length; i++) {
      if (!(Math.abs(pd[i] - rd[i]) <= LedgerReplay.TOLERANCE)) {
        return dnames[i] + " " + pd[i] + " published, " + rd[i] + " replayed";
      }
    }
    return null;
  }
}

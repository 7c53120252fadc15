package dev.minigradient.launcher;

import dev.minigradient.launcher.Simulation.MixOutcome;
import dev.minigradient.launcher.Simulation.PeerOutcome;
import dev.minigradient.protocol.Reputation;
import java.util.List;
import java.util.Locale;

/** The outcomes of {@link Simulation} runs as Markdown tables, for the console and the docs. */
final class SimulationTable {
  private SimulationTable() {}

  /**
   * The runs as two Markdown tables: one row per mix, then one row per peer.
   *
   * @param outcomes the runs
   * @return the Markdown
   */
  static String markdown(List<MixOutcome> outcomes) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| mix | audits | tasks | decided | wrong vs truth | wrong vs model | no quorum | timed out | forged rejected | bad below honest after |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (MixOutcome o : outcomes) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %d | %d | %d | %d | %d | %s | %s |%n",
              o.mix().spec(),
              pct(o.mix().auditRate()),
              o.tasks(),
              o.decided(),
              o.wrongVsTruth(),
              o.wrongVsModel(),
              o.noQuorum(),
              o.timedOut(),
              o.forgedSent() == 0 ? "-" : o.forgedRejected() + "/" + o.forgedSent(),
              o.badBelowHonestAfter() == null ? "-" : o.badBelowHonestAfter() + " tasks"));
    }
    sb.append(
        "\n| mix | peer | score @10 | @20 | @50 | final | agreed/disagreed/missed/late/invalid | audits failed | stake (slashed) |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (MixOutcome o : outcomes) {
      for (PeerOutcome p : o.peers()) {
        Reputation r = p.last();
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                o.mix().spec(),
                p.peerId(),
                num(p.scores().get(0)),
                num(p.scores().get(1)),
                num(p.scores().get(2)),
                r == null ? "-" : num(r.score()),
                r == null
                    ? "-"
                    : r.agreed()
                        + "/"
                        + r.disagreed()
                        + "/"
                        + r.missed()
                        + "/"
                        + r.late()
                        + "/"
                        + r.invalid(),
                r == null ? "-" : r.auditFailed() + "/" + r.audited(),
                r == null
                    ? "-"
                    : String.format(Locale.ROOT, "%.1f (%.1f)", r.stake(), r.slashed())));
      }
    }
    return sb.toString();
  }

  private static String num(Double d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
  }

  private static String pct(double rate) {
    return rate == 0 ? "off" : String.format(Locale.ROOT, "%.0f%%", rate * 100);
  }
}

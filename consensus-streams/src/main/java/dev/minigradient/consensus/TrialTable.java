package dev.minigradient.consensus;

import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * The {@link CommitteeTrial}'s three sections, as run by {@link CommitteeTrial#table}, and their
 * report as Markdown tables.
 *
 * @param adversaries one row per network size, adversary stake share, behaviour and k
 * @param honest honest-only networks: what committees cost
 * @param liveness colluders holding 40-50% of the stake: how long until decisions are right again
 * @param runs runs per row
 * @param millis wall-clock time of the whole table, ms
 */
public record TrialTable(
    List<TrialResult> adversaries,
    List<TrialResult> honest,
    List<TrialResult> liveness,
    int runs,
    long millis) {

  /**
   * The table as Markdown, with the stand-in model and the parameters stated.
   *
   * @return Markdown text
   */
  public String markdown() {
    CommitteeTrial.Config base =
        !adversaries.isEmpty() ? adversaries.get(0).config() : honest.get(0).config();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "Trust simulation (pure Java, the app's own draw, decision, audit, verdict and ledger rules; stand-in model: a true label "
                + "and fixed probabilities, honest peers and the referee answer exactly that). %d run(s) x %d tasks per row, audits %s "
                + "(%s with a newcomer seated), roster every %d tasks (%d ms epochs, weights published one epoch ahead), peers start "
                + "%s, seed %d; %.1f s.%n%n",
            runs,
            base.tasks(),
            pct(base.auditRate()),
            pct(base.newcomerAuditRate()),
            base.tasksPerRoster(),
            CommitteeTrial.ROSTER_MS,
            (base.history() == 0
                    ? "as newcomers"
                    : "with " + base.history() + " agreed verdicts each")
                + (base.frozen() ? ", ledger frozen (weights never move)" : ""),
            base.seed(),
            millis / 1000.0));
    sb.append(
        "Wrong accepted: decided by unanimous seats without the referee, label not the model's. Bound: f^k(1-a) at the "
            + "initial stake share f, were weights never to change. Right from task: the task after the last wrong acceptance; "
            + "bad below honest from task: from there on every adversary's score stays below every honest peer's (both the worst "
            + "run). Inferences: votes plus referee runs (audits and escalations). Bad weight: the adversaries' share of the draw "
            + "weight after the last task (mean of the runs).\n\n");
    section(
        sb,
        "| N | bad (f) | adversary | k | tasks | wrong accepted | wrong rate [95% CI] | bound f^k(1-a) | right from task "
            + "| escal./task | infer./task | bad below honest from task | bad weight at end | honest slashed |",
        adversaries,
        (r, c) ->
            String.format(
                Locale.ROOT,
                "| %d | %d (%.0f%%) | %s | %d | %d | %d | %s [%s, %s] | %s | %d | %.3f | %.2f | %s | %s | %s |%n",
                c.peers(),
                c.adversaries(),
                100 * c.share(),
                c.adversary().name().toLowerCase(Locale.ROOT),
                c.seats(),
                r.tasks(),
                r.wrong(),
                sci(r.wrongPerTask()),
                sci(r.wrongRate().low()),
                sci(r.wrongRate().high()),
                sci(c.bound()),
                r.correctAfter(),
                r.escalationsPerTask(),
                r.inferencesPerTask(),
                r.badBelowHonestAfter() == null ? "never" : r.badBelowHonestAfter(),
                pct(r.adversaryWeight()),
                r.honestSlashed() ? "**yes**" : "never"));
    section(
        sb,
        "\n| N | k | tasks | infer./task | goal <= 1.1k | wrong accepted | escal./task | audited/task |",
        honest,
        (r, c) ->
            String.format(
                Locale.ROOT,
                "| %d | %d | %d | %.2f | %.1f %s | %d | %.3f | %.3f |%n",
                c.peers(),
                c.seats(),
                r.tasks(),
                r.inferencesPerTask(),
                1.1 * c.seats(),
                r.inferencesPerTask() <= 1.1 * c.seats() ? "met" : "**missed**",
                r.wrong(),
                r.escalationsPerTask(),
                r.audited() / (double) r.tasks()));
    section(
        sb,
        "\n| N | honest share | colluders | k | tasks | wrong accepted | right from task | goal <= 50 "
            + "| escal./task | bad weight at end | honest slashed |",
        liveness,
        (r, c) ->
            String.format(
                Locale.ROOT,
                "| %d | %.0f%% | %d | %d | %d | %d | %d | %s | %.3f | %s | %s |%n",
                c.peers(),
                100 * (1 - c.share()),
                c.adversaries(),
                c.seats(),
                r.tasks(),
                r.wrong(),
                r.correctAfter(),
                r.correctAfter() <= 50 ? "met" : "**missed**",
                r.escalationsPerTask(),
                pct(r.adversaryWeight()),
                r.honestSlashed() ? "**yes**" : "never"));
    return sb.toString();
  }

  /**
   * Appends one Markdown table: its header, the separator line, and a line per result.
   *
   * @param sb where to append
   * @param header the header line, without its line break
   * @param rows the results
   * @param line a result's line, with its line break, from the result and its row
   */
  private static void section(
      StringBuilder sb,
      String header,
      List<TrialResult> rows,
      BiFunction<TrialResult, CommitteeTrial.Config, String> line) {
    sb.append(header).append('\n');
    sb.append("|---".repeat((int) header.chars().filter(ch -> ch == '|').count() - 1))
        .append("|\n");
    rows.forEach(r -> sb.append(line.apply(r, r.config())));
  }

  /** A fraction as a percentage: {@code 2.0%}, {@code 20%}. */
  private static String pct(double f) {
    return String.format(Locale.ROOT, f > 0 && f < 0.1 ? "%.1f%%" : "%.0f%%", 100 * f);
  }

  /** A number as {@code 8.0e-3}, or 0. */
  static String sci(double v) {
    if (v == 0) {
      return "0";
    }
    return String.format(Locale.ROOT, "%.1e", v).replace("e-0", "e-").replace("e+00", "");
  }
}

package dev.minigradient.launcher;

import dev.minigradient.launcher.BenchReport.Figure;
import java.util.Locale;

/**
 * Figures the throughput and scaling sections share: a run against the peers' CPU ceiling, and what
 * its committees did.
 */
final class PeerFigures {
  private final BenchContext ctx;
  private final double rawFullRate;

  /**
   * Figures for one run's report.
   *
   * @param ctx the run, whose report gets the figures and notes
   * @param rawFullRate the worker section's raw loop with hash, sign and seal, votes/s on one
   *     thread; NaN when that section did not run (no ceiling figure then)
   */
  PeerFigures(BenchContext ctx, double rawFullRate) {
    this.ctx = ctx;
    this.rawFullRate = rawFullRate;
  }

  /**
   * When section 1 ran: the figure against the most tasks/s the machine could give if every core
   * did nothing but the peers' work (each seated peer decodes, infers, hashes, signs and seals its
   * task at the raw loop's rate: min(k, peers) of them per task), and a note on what bounds it.
   */
  void ceiling(String section, String name, double tasksPerSecond, int peerCount) {
    if (Double.isNaN(rawFullRate)) {
      return;
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int runs = Math.min(Bench.SEATS, peerCount);
    double ceiling = cores * rawFullRate / runs;
    ctx.figure(
        Figure.atLeast(
            section,
            name,
            tasksPerSecond,
            "tasks/s",
            "CPU ceiling of the peers' work alone ("
                + cores
                + " cores x raw loop with signing / "
                + runs
                + " inferences per task)",
            ceiling,
            Double.NaN));
    ctx.note(
        String.format(
            Locale.ROOT,
            "%s: with committees of k = %d seats a task costs min(k, peers) = %d inferences (every peer "
                + "serves every task only while peers <= k), so with %d peers the peers' work alone (%.2f ms of a core per task) caps %d "
                + "cores at %.0f tasks/s; %.0f were decided, %.0f%% of that: the consensus app, the broker, the clients' network "
                + "threads and every peer's reading of every task (an unseated peer still fetches it, peeks at it and draws its "
                + "committee) take the rest of the CPU.",
            section,
            Bench.SEATS,
            runs,
            peerCount,
            1000.0 * runs / rawFullRate,
            cores,
            ceiling,
            tasksPerSecond,
            100 * tasksPerSecond / ceiling));
  }

  /**
   * The committees' figures of a throughput run: model runs and escalations per task, (beyond k
   * peers) the busiest peer's share of the seats, and the consensus app's stream thread's CPU, with
   * a note on the escalations and where the CPU went.
   */
  void committees(String section, String name, ThroughputRun run, int peerCount) {
    CommitteeCounts c = run.counts();
    int seats = Math.min(Bench.SEATS, peerCount);
    ctx.figure(
        Figure.atMost(
            section,
            name + ": inferences per task (seated peers + referee)",
            c.inferencesPerTask(),
            "inferences",
            "seats per task, min(k, peers)",
            seats,
            1.1));
    ctx.figure(
        Figure.atMost(
            section,
            name + ": escalations per task",
            c.escalationsPerTask(),
            "escalations/task",
            "every task escalated",
            1,
            Double.NaN));
    if (peerCount > Bench.SEATS) {
      ctx.figure(
          Figure.atMost(
              section,
              name + ": busiest peer's share of the seats",
              c.busiestShare(),
              "of seats",
              "fair share, 1 / peers",
              1.0 / peerCount,
              Double.NaN));
    }
    double stream = run.cpu().streamThread();
    ctx.figure(
        Figure.atMost(
            section,
            name + ": consensus app's stream thread CPU",
            stream,
            "cores",
            "one core, the most one thread can use",
            1,
            Double.NaN));
    ctx.note(
        String.format(
            Locale.ROOT,
            "%s, %s: %d answers, %.3f inferences and %.4f escalations per task %s; the busiest peer "
                + "(%s) held %.1f%% of the seats. CPU during the run: %s; %.2f ms of the process's CPU per task, %.2f ms of it on the "
                + "stream thread, which decides every task in turn.",
            section,
            name,
            c.answers(),
            c.inferencesPerTask(),
            c.escalationsPerTask(),
            c.escalations(),
            c.busiest(),
            100 * c.busiestShare(),
            run.cpu().describe(),
            run.cpuMsPerTask(),
            1000 * stream / run.perSecond()));
  }
}

package dev.minigradient.launcher;

import dev.minigradient.consensus.AuditOptions;
import dev.minigradient.consensus.CommitteeTrial;
import dev.minigradient.consensus.ConsensusConfig;
import dev.minigradient.consensus.TrialTable;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ReportOption;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code simulate trust}: the committee trust simulation of {@link CommitteeTrial}, without Kafka,
 * printed as Markdown tables.
 */
@Command(
    name = "trust",
    description = {
      "Measures committees at volume without Kafka: thousands of tasks through the app's own committee draw, decision rule,"
          + " audits, verdicts and ledger, against constant, random, colluding, copycat and lazy adversaries holding 20%% and 33%% of"
          + " the stake, with N = 15 and 30 peers and k = 3, 5, 7 seats; honest-only networks; and colluders against 50-60%% honest"
          + " stake. The model is a stand-in (a true label and fixed probabilities)."
    })
public final class SimulateTrustCommand extends BaseCommand {

  @Option(
      names = "--tasks",
      defaultValue = "2000",
      description = "Tasks per run (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--runs",
      defaultValue = "5",
      description =
          "Independent networks per row, seeds --seed, --seed + 1, ... (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the first run (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin AuditOptions audits;

  @Option(
      names = "--roster-every",
      defaultValue = "10",
      description =
          "Tasks per roster epoch: draw weights are recomputed from the ledger this often (default: ${DEFAULT-VALUE}).")
  int rosterEvery;

  @Option(
      names = "--history",
      defaultValue = "0",
      description =
          "Agreed verdicts every peer, adversaries included, starts with; 0: all start as newcomers, 20 or more: an established network (default: ${DEFAULT-VALUE}).")
  int history;

  @Option(
      names = "--frozen",
      description =
          "Keep the ledger as it starts: no slashing, no rewards, weights never move (the bound f^k(1-a) without the feedback).")
  boolean frozen;

  @Mixin ReportOption report;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    if (runs < 1 || runs > 1_000 || tasks < 1 || tasks > 10_000_000) {
      throw new CommandLine.ParameterException(
          cmd, "--runs must be 1..1000 and --tasks 1..10000000");
    }
    CommitteeTrial.Config base =
        Arguments.read(
            cmd,
            () ->
                CommitteeTrial.Config.of(
                        15,
                        0,
                        CommitteeTrial.Behavior.HONEST,
                        ConsensusConfig.Committees.DEFAULT_REDUNDANCY)
                    .withTasks(tasks)
                    .withAudits(audits.auditRate(), audits.newcomerAuditRate())
                    .withTasksPerRoster(rosterEvery)
                    .withHistory(history)
                    .withFrozen(frozen)
                    .withSeed(seed));
    PrintWriter err = cmd.getErr();
    err.printf("trust simulation: %d run(s) x %d tasks per row...%n", runs, tasks);
    err.flush();
    TrialTable table = CommitteeTrial.table(base, runs);
    PrintWriter out = cmd.getOut();
    out.print(table.markdown());
    out.flush();
    if (report.write(table)) {
      err.println("report written to " + report.file().get());
    }
    return 0;
  }
}

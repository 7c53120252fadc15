package dev.minigradient.launcher;

import dev.minigradient.producer.Input;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ReportOption;
import dev.minigradient.worker.Behavior;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code simulate}: runs networks of honest and adversarial peers on the sample digits, one fresh
 * in-JVM broker per mix, and prints how the consensus held as Markdown tables; {@code simulate
 * trust} ({@link SimulateTrustCommand}) measures committees at volume without Kafka.
 */
@Command(
    name = "simulate",
    subcommands = SimulateTrustCommand.class,
    description = {
      "Runs networks of honest and adversarial peers on the sample digits and prints, per mix: decisions,",
      "wrong decisions (against the true label and the honest model), NO_QUORUM, forged votes rejected,",
      "and each peer's reputation and stake over time.",
      "'simulate trust' measures committees at volume instead, without Kafka (see 'simulate trust --help')."
    })
public final class SimulateCommand extends BaseCommand {
  /** The mixes run when none is given. */
  public static final List<String> DEFAULT_MIXES =
      List.of(
          "honest:4",
          "honest:3,random:1",
          "honest:3,constant:1",
          "honest:3,copycat:1",
          "honest:3,lazy:1",
          "honest:3,slow:1",
          "honest:3,crash:1",
          "honest:3,forger:1",
          "honest:5,random:1,constant:1",
          "honest:3@100,constant:4@30,audit=0",
          "honest:3@100,constant:4@30,audit=0.1");

  @Option(
      names = "--mix",
      completionCandidates = Behavior.Names.class,
      description =
          "A mix of peers: kind[:count][@stake],... and optionally audit=RATE, e.g. honest:3,constant:4@30,audit=0 (repeatable; default: the set in docs/consensus.md). Kinds: ${COMPLETION-CANDIDATES}.")
  List<String> mixes = new ArrayList<>();

  @Option(
      names = "--tasks",
      defaultValue = "100",
      description =
          "Digits submitted per mix, taken in turn from each label (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Mixin SampleRunOptions sampleOptions;

  @Option(
      names = "--timeout-ms",
      defaultValue = "5000",
      description =
          "Decision deadline of each mix's network, ms (default: ${DEFAULT-VALUE}: simulate's own, half the network's 10 s, so that a run of mixes stays short).")
  long timeoutMs;

  @Option(
      names = "--max-in-flight",
      defaultValue = "8",
      description =
          "Tasks submitted and not yet answered at a time (default: ${DEFAULT-VALUE}: simulate's own, below a requester's 32, so that few tasks wait behind a slow or crashed peer).")
  int maxInFlight;

  @Mixin ReportOption report;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    List<Simulation.Mix> parsed = new ArrayList<>();
    for (String m : mixes.isEmpty() ? DEFAULT_MIXES : mixes) {
      parsed.add(Arguments.read(cmd, () -> Simulation.Mix.parse(m)));
    }
    ModelSpec modelSpec = Arguments.read(cmd, sampleOptions.model::resolve);
    if (tasks < 1 || maxInFlight < 1 || timeoutMs < 100) {
      throw new CommandLine.ParameterException(
          cmd, "--tasks and --max-in-flight must be >= 1, --timeout-ms >= 100");
    }
    List<Input> inputs = sampleOptions.samples.read(cmd);
    inputs = Simulation.balanced(inputs, tasks);
    PrintWriter err = cmd.getErr();
    List<Simulation.MixOutcome> outcomes = new ArrayList<>();
    for (Simulation.Mix mix : parsed) {
      err.printf("mix %s: %d peers, %d tasks...%n", mix.spec(), mix.peers().size(), inputs.size());
      err.flush();
      long t0 = System.currentTimeMillis();
      Simulation.MixOutcome o = Simulation.run(mix, modelSpec, inputs, timeoutMs, maxInFlight);
      outcomes.add(o);
      err.printf(
          "  decided %d/%d, wrong vs model %d, no quorum %d (%.0f s)%n",
          o.decided(),
          o.tasks(),
          o.wrongVsModel(),
          o.noQuorum(),
          (System.currentTimeMillis() - t0) / 1000.0);
      err.flush();
    }
    PrintWriter out = cmd.getOut();
    out.print(SimulationTable.markdown(outcomes));
    out.flush();
    if (report.write(outcomes)) {
      err.println("report written to " + report.file().get());
    }
    return 0;
  }
}

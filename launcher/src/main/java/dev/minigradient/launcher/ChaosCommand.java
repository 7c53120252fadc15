package dev.minigradient.launcher;

import dev.minigradient.consensus.ExactlyOnceOption;
import dev.minigradient.consensus.ReplayCommand;
import dev.minigradient.producer.Input;
import dev.minigradient.protocol.ModelSpec;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ReportOption;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chaos}: the fault run of {@link Chaos}, by hand, as long as you like. */
@Command(
    name = "chaos",
    description = {
      "Runs tasks through a network on three in-JVM Kafka brokers (replication 3, min.insync.replicas 2) while peers are killed"
          + " and restarted, the consensus app is killed and replaced, and a broker is stopped and started; then audits the topics"
          + " as the replay command does. The peers serve --model; --samples are reused in turn.",
      "At at_least_once (the default) the consensus app is killed so that it loses its last second of changelog writes"
          + " but not its output: the next instance settles tasks again and the books must still count each once;"
          + " with --exactly-once nothing may repeat.",
      "Exit codes: 0 every task answered and the books consistent, 1 otherwise, 2 bad arguments."
    })
public final class ChaosCommand extends BaseCommand {
  @Option(
      names = "--tasks",
      defaultValue = "10000",
      description = "Tasks to submit; the samples are reused in turn (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--peers",
      defaultValue = "4",
      description = "Honest peers; 4 keep a quorum while one is down (default: ${DEFAULT-VALUE}).")
  int peers;

  @Mixin SampleRunOptions sampleOptions;

  @Mixin ExactlyOnceOption guarantee;

  @Mixin ReportOption report;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    if (tasks < 1 || peers < 4) {
      throw new CommandLine.ParameterException(
          cmd, "--tasks must be >= 1 and --peers >= 4 (one is down at a time)");
    }
    SampleRun run = sampleOptions.resolve(cmd);
    ModelSpec spec = run.model();
    List<Input> inputs = run.inputs();
    PrintWriter err = cmd.getErr();
    Chaos.Outcome o =
        Chaos.run(
            spec,
            inputs,
            tasks,
            peers,
            guarantee.exactlyOnce(),
            line -> {
              err.println(line);
              err.flush();
            });
    PrintWriter out = cmd.getOut();
    out.printf(
        "%d tasks, %d answered, in %.0f s (consensus %s)%n",
        o.tasks(), o.answered(), o.seconds(), o.guarantee());
    o.faults().forEach(f -> out.println("fault: " + f));
    out.print(ReplayCommand.text(o.findings()));
    out.flush();
    report.write(o);
    return o.answered() == o.tasks() && o.findings() != null && o.findings().consistent() ? 0 : 1;
  }
}

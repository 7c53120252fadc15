package dev.minigradient.launcher;

import dev.minigradient.model.ServedModel;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.worker.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bench}: measures the worker, latency, throughput and scaling of the network, and the scale
 * model, in one run, each beside its baseline (see {@link Bench}), prints the table and writes
 * {@code bench.md} and {@code bench.json} to {@code --report-dir}.
 */
@Command(
    name = "bench",
    description =
        "Measures the network against its physical limits in one run, on the sample images: one peer's votes/s "
            + "against a plain decode+infer+sign+seal loop, submit-to-consensus latency against one Kafka hop, "
            + "throughput against a bare 3-hop Kafka pipeline, 3 against 15 peers at k = 3 seats per task, and networks of 3 to 60 "
            + "peers with a fixed inference time against linear scaling; the peers serve --model. Writes bench.md and bench.json.")
public final class BenchCommand extends BaseCommand {

  @Option(
      names = "--quick",
      description =
          "Small counts and only the default consensus settings (a CI smoke, under a minute).")
  boolean quick;

  @Option(
      names = "--tasks",
      description =
          "Tasks per throughput run and per worker drain (default: 3000 per throughput run, 10000 per worker drain; 300 each with --quick).")
  Integer tasks;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "SECTION",
      description =
          "Run only these sections: worker (one peer against the raw loop), models (one peer per registry model against its raw loop), network (latency, throughput, scaling, records per task), "
              + "consensus (one consensus instance draining a backlog against a bare Streams app), scale (3 to 60 peers with a fixed inference time). Default: all five.")
  Set<String> only;

  @Option(
      names = "--report-dir",
      defaultValue = "bench-report",
      description = "Where to write bench.md and bench.json (default: ${DEFAULT-VALUE}).")
  Path reportDir;

  @Mixin SampleRunOptions sampleOptions;

  @Override
  protected int run(CommandLine cmd) throws Exception {
    if (tasks != null && (tasks < 10 || tasks > 1_000_000)) {
      throw new CommandLine.ParameterException(cmd, "--tasks must be 10..1000000, got " + tasks);
    }
    if (Files.exists(reportDir) && !Files.isDirectory(reportDir)) {
      throw new CommandLine.ParameterException(cmd, "--report-dir is a file: " + reportDir);
    }
    try {
      // now, not after a run of minutes
      Files.createDirectories(reportDir);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(
          cmd, "--report-dir cannot be created: " + reportDir + " (" + e.getMessage() + ")");
    }
    Bench.Options options = Bench.Options.of(quick, tasks);
    if (only != null) {
      try {
        options = options.only(only);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(cmd, "--only: " + e.getMessage());
      }
    }
    SampleRun run = sampleOptions.resolve(cmd);
    PrintWriter err = cmd.getErr();
    BenchReport report;
    ServedModel served = ServedModel.open(run.model(), WorkerConfig.DEFAULT_MAX_PIXELS);
    try {
      Path folder = run.model().onnx().toAbsolutePath().getParent();
      String modelArg =
          Files.isRegularFile(folder.resolve("model.json"))
              ? folder.toString()
              : run.model().onnx().toAbsolutePath().toString();
      report = Bench.run(options, served, modelArg, run.inputs(), err);
    } finally {
      served.engine().close();
    }
    List<Path> files = report.write(reportDir);
    PrintWriter out = cmd.getOut();
    out.print(report.markdown());
    out.flush();
    err.println("report written to " + files.get(0) + " and " + files.get(1));
    return 0;
  }
}

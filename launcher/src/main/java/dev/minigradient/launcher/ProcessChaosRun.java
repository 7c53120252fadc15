package dev.minigradient.launcher;

import dev.minigradient.producer.Input;
import dev.minigradient.protocol.cli.Arguments;
import dev.minigradient.protocol.cli.BaseCommand;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.PartitionsOption;
import dev.minigradient.protocol.cli.ReportOption;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code process-chaos} and {@code soak} share: start a {@link LocalNetwork}, run {@link
 * ProcessChaos} on it, print and write the outcome, stop every process.
 */
public abstract class ProcessChaosRun extends BaseCommand {
  @Option(
      names = "--peers",
      defaultValue = "3",
      description = "Number of peers, 1..64 (default: ${DEFAULT-VALUE}).")
  int peers;

  @Mixin LocalClusterOptions layout;

  @Option(
      names = "--dir",
      description =
          "The run folder (logs, the brokers' data, state); a new one under the temporary folder if not given. It is kept.")
  Path dir;

  @Option(
      names = "--peer-kill-every-s",
      defaultValue = "3",
      description =
          "Seconds between a killed peer being back and the next one killed (default: ${DEFAULT-VALUE}).")
  int peerKillEvery;

  @Mixin ModelsOptions models;

  @Mixin PartitionsOption partitions;

  @Mixin SamplesOption samples;

  @Mixin ReportOption report;

  @Option(
      names = "--markdown",
      paramLabel = "FILE",
      description = "Also write the outcome as a markdown report to FILE.")
  Path markdown;

  /** For subclasses. */
  protected ProcessChaosRun() {}

  /**
   * Tasks to submit.
   *
   * @return the subclass's {@code --tasks}
   */
  protected abstract int tasks();

  /**
   * How often memory and latency are recorded.
   *
   * @return the window
   */
  protected abstract Duration window();

  @Override
  protected int run(CommandLine cmd) throws Exception {
    if (peerKillEvery < 1) {
      throw new CommandLine.ParameterException(cmd, "--peer-kill-every-s must be >= 1");
    }
    ProcessChaos.Plan plan =
        Arguments.read(
            cmd,
            () ->
                new ProcessChaos.Plan(
                    tasks(), Duration.ofSeconds(peerKillEvery), true, true, window()));
    Arguments.read(
        cmd,
        () -> {
          ReportOption.checkWritable("--markdown", markdown);
          report.checkWritable();
          return null;
        });
    // checked before the folder is made
    LocalNetworkCommand.options(
        cmd,
        layout,
        peers,
        dir != null ? dir : Path.of(System.getProperty("java.io.tmpdir")),
        0,
        models,
        partitions.partitions());
    Path folder =
        dir != null ? dir : Files.createTempDirectory("mini-gradient-" + cmd.getCommandName());
    LocalNetwork.Options options =
        LocalNetworkCommand.options(cmd, layout, peers, folder, 0, models, partitions.partitions());
    List<Input> inputs = samples.read(cmd);
    inputs = inputs.stream().filter(in -> in.error() == null).toList();
    if (inputs.isEmpty()) {
      throw new CommandLine.ParameterException(cmd, "no readable samples in " + samples.path());
    }
    try {
      LocalNetwork.refuseIfRunning(options.dir());
    } catch (IllegalStateException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    LocalNetworkCommand.checkPortsFree(cmd, options);
    PrintWriter err = cmd.getErr();
    LocalNetwork network = new LocalNetwork(options);
    AtomicBoolean closed = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            network.close();
          }
        };
    Thread hook = new Thread(stop, cmd.getCommandName() + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ProcessChaos.Outcome o;
    try {
      try {
        network.start(err, LocalNetworkCommand.READY_TIMEOUT);
      } catch (IllegalStateException e) {
        err.println(cmd.getCommandName() + ": " + e.getMessage());
        err.flush();
        return 1;
      }
      err.printf("network ready in %s; logs in %s%n", options.dir(), options.dir().resolve("logs"));
      err.flush();
      o =
          ProcessChaos.run(
              network,
              inputs,
              options.defaultModelId(),
              plan,
              line -> {
                err.println(line);
                err.flush();
              });
    } finally {
      stop.run();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already
      }
    }
    PrintWriter out = cmd.getOut();
    String text = ProcessChaos.markdown(o);
    out.print(text);
    out.flush();
    if (markdown != null) {
      Files.writeString(markdown, text, StandardCharsets.UTF_8);
    }
    report.write(o);
    return o.passed() ? 0 : 1;
  }
}

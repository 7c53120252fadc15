package dev.minigradient.launcher;

import dev.minigradient.api.ApiCommand;
import dev.minigradient.consensus.ConsensusCommand;
import dev.minigradient.consensus.ReplayCommand;
import dev.minigradient.model.EvaluateCommand;
import dev.minigradient.producer.SubmitCommand;
import dev.minigradient.worker.WorkerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mini-gradient} executable: one jar, every role. {@code network} runs all of them in
 * one process; the others run one component each against a Kafka cluster.
 */
@Command(
    name = "mini-gradient",
    mixinStandardHelpOptions = true,
    version = "mini-gradient 0.1.0",
    description = "A decentralized ONNX inference network on Apache Kafka.",
    subcommands = {
      NetworkCommand.class,
      LocalNetworkCommand.class,
      BrokerCommand.class,
      WorkerCommand.class,
      ConsensusCommand.class,
      ApiCommand.class,
      SubmitCommand.class,
      EvaluateCommand.class,
      SimulateCommand.class,
      ReplayCommand.class,
      ChaosCommand.class,
      ProcessChaosCommand.class,
      SoakCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MiniGradient implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "missing command: try 'network', or --help");
  }

  /**
   * Builds the command line with one-line error messages for bad arguments.
   *
   * @return the configured command line
   */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new MiniGradient());
    cmd.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println(c.getCommandName() + ": " + ex.getMessage() + " (see --help)");
          return c.getCommandSpec().exitCodeOnInvalidInput();
        });
    cmd.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          c.getErr().println(c.getCommandName() + ": " + ex.getMessage());
          return 2;
        });
    return cmd;
  }

  /**
   * Entry point.
   *
   * @param args command and its arguments
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

package dev.minigradient.protocol.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that runs against its own command line (a picocli base class): {@code --help} and
 * {@code --version}, and {@link #run} given the parsed command line, whose output and error streams
 * and {@code ParameterException}s are the ones the caller set up. A subclass's own {@code @Command}
 * adds its name and description.
 */
@Command(mixinStandardHelpOptions = true)
public abstract class BaseCommand implements Callable<Integer> {
  /** Injected by picocli: this command as parsed. */
  @Spec protected CommandSpec spec;

  /** For subclasses. */
  protected BaseCommand() {}

  @Override
  public final Integer call() throws Exception {
    return run(spec.commandLine());
  }

  /**
   * Runs the command.
   *
   * @param cmd the parsed command line: its streams for output, and for usage errors
   * @return the exit code
   * @throws Exception anything the command fails with; picocli prints it and exits non-zero
   */
  protected abstract int run(CommandLine cmd) throws Exception;
}

package dev.minigradient.protocol.cli;

import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * Turns a value the code rejects into picocli's usage error: its message, the usage hint, exit 2.
 */
public final class Arguments {
  private Arguments() {}

  /**
   * Reads or checks a value from the command's options.
   *
   * @param <T> the value's type
   * @param cmd the command, for the error
   * @param read reads the value, throwing {@link IllegalArgumentException} for a bad one
   * @return the value
   * @throws CommandLine.ParameterException with the rejection's message, if {@code read} rejects
   */
  public static <T> T read(CommandLine cmd, Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }
}

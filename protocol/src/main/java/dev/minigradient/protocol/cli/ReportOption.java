package dev.minigradient.protocol.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a command also writes its results as JSON (a picocli mixin). */
public final class ReportOption {
  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = "Also write the results (the summary, figures or findings printed) as JSON to FILE.")
  Path file;

  /**
   * The report file, if one was asked for.
   *
   * @return the file, or empty
   */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}

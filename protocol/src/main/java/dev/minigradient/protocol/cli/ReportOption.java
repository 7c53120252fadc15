package dev.minigradient.protocol.cli;

import dev.minigradient.protocol.JsonSerde;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a command also writes its results as JSON (a picocli mixin). */
public final class ReportOption {
  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Also write the results (the summary, figures or findings printed) as JSON to FILE.")
  Path file;

  /**
   * The report file, if one was asked for.
   *
   * @return the file, or empty
   */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /**
   * Writes {@code results} as pretty-printed JSON to the report file, if one was asked for.
   *
   * @param results what the command printed, as a record or collection Jackson can write
   * @return true when a report was written
   * @throws IOException if the file cannot be written
   */
  public boolean write(Object results) throws IOException {
    if (file == null) {
      return false;
    }
    JsonSerde.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), results);
    return true;
  }
}

package dev.minigradient.protocol.cli;

import dev.minigradient.protocol.JsonSerde;
import java.io.IOException;
import java.nio.file.Files;
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
   * Checks, before a long run, that the report file could be written at its end.
   *
   * @throws IllegalArgumentException naming the option, if its folder is missing or not writable,
   *     or if it names a folder
   */
  public void checkWritable() {
    checkWritable("--report", file);
  }

  /**
   * Checks that an output file could be written: its folder exists and is writable, and it is not a
   * folder itself.
   *
   * @param option the option that names it, for the message
   * @param file the file, or null for none (nothing to check)
   * @throws IllegalArgumentException naming the option and the file, if not
   */
  public static void checkWritable(String option, Path file) {
    if (file == null) {
      return;
    }
    Path folder = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " " + file + " is a folder, not a file");
    }
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(option + " " + file + ": no folder " + folder);
    }
    if (!Files.isWritable(folder) || (Files.exists(file) && !Files.isWritable(file))) {
      throw new IllegalArgumentException(option + " " + file + " cannot be written");
    }
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

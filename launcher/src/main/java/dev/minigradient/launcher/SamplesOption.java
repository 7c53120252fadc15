package dev.minigradient.launcher;

import dev.minigradient.producer.Input;
import dev.minigradient.producer.Submitter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The images a launcher command submits or runs (a picocli mixin). */
public final class SamplesOption {
  @Option(
      names = "--samples",
      paramLabel = "PATH",
      defaultValue = "${env:MG_HOME:-.}/models/mnist/samples",
      description = "Images to submit or run: a folder or a file (default: ${DEFAULT-VALUE}).")
  Path path;

  /**
   * The folder or file of images.
   *
   * @return the path as given
   */
  public Path path() {
    return path;
  }

  /**
   * Reads the images at the path, or fails as a bad argument (exit 2) if nothing is there.
   *
   * @param cmd the command, for its error
   * @return every image, in name order, an unreadable one carrying its error
   * @throws CommandLine.ParameterException {@code samples not found} if the path does not exist
   */
  List<Input> read(CommandLine cmd) {
    if (!Files.exists(path)) {
      throw new CommandLine.ParameterException(cmd, "samples not found: " + path);
    }
    return Submitter.read(List.of(path));
  }
}

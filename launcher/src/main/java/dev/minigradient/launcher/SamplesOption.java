package dev.minigradient.launcher;

import java.nio.file.Path;
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
}

package dev.minigradient.protocol.cli;

import picocli.CommandLine.Option;

/** Partitions of the topics a command creates when they are missing (a picocli mixin). */
public final class PartitionsOption {
  @Option(
      names = "--partitions",
      defaultValue = "6",
      description =
          "Partitions per topic when creating missing topics; topics that exist keep theirs"
              + " (default: ${DEFAULT-VALUE}).")
  int partitions;

  /**
   * The partitions per created topic.
   *
   * @return the count as given
   */
  public int partitions() {
    return partitions;
  }
}

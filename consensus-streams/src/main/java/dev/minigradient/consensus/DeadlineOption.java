package dev.minigradient.consensus;

import picocli.CommandLine.Option;

/** The consensus app's decision deadline, for every command that runs it (a picocli mixin). */
public final class DeadlineOption {
  @Option(
      names = "--timeout-ms",
      defaultValue = "" + ConsensusConfig.DEFAULT_DECISION_TIMEOUT_MS,
      description =
          "Decision deadline after a task arrives, ms: a task without quorum by then is decided as it"
              + " stands (default: ${DEFAULT-VALUE}).")
  long timeoutMs;

  /**
   * The decision deadline.
   *
   * @return ms after a task arrives
   */
  public long timeoutMs() {
    return timeoutMs;
  }
}

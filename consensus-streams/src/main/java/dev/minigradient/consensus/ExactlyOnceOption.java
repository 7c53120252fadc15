package dev.minigradient.consensus;

import picocli.CommandLine.Option;

/** The consensus app's processing guarantee, for every command that runs it (a picocli mixin). */
public final class ExactlyOnceOption {
  @Option(
      names = "--exactly-once",
      negatable = true,
      defaultValue = "${env:MG_EXACTLY_ONCE:-" + ConsensusConfig.DEFAULT_EXACTLY_ONCE + "}",
      fallbackValue = "true",
      description =
          "Run the consensus app exactly_once_v2 instead of at_least_once: no decision or settlement is"
              + " ever written twice, but decisions reach requesters only at the next commit (about 100 ms"
              + " later at the default commit interval). --no-exactly-once overrides the environment"
              + " (env MG_EXACTLY_ONCE; default: ${DEFAULT-VALUE}).")
  boolean exactlyOnce;

  /**
   * Whether the consensus app runs exactly-once.
   *
   * @return true for {@code exactly_once_v2}, false for {@code at_least_once}
   */
  public boolean exactlyOnce() {
    return exactlyOnce;
  }
}

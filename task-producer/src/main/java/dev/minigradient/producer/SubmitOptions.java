package dev.minigradient.producer;

import picocli.CommandLine.Option;

/**
 * How a requester submits inputs and prints the answers, for every command that submits (a picocli
 * mixin).
 */
public final class SubmitOptions {
  @Option(
      names = "--max-in-flight",
      defaultValue = "32",
      description =
          "Most tasks submitted and not yet answered; the rest wait at the requester instead of"
              + " behind the peers' decision deadline (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(names = "--json", description = "Print one JSON line per input instead of a table.")
  boolean json;

  /**
   * The most unanswered tasks at a time.
   *
   * @return the count as given
   */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * Whether answers print as JSON lines.
   *
   * @return true for JSON lines, false for a table
   */
  public boolean json() {
    return json;
  }
}

package dev.minigradient.worker;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a peer behaves: honestly, or as one of the simulated adversaries the consensus must
 * withstand (for tests, the {@code simulate} command and demos).
 *
 * @param kind the behaviour
 * @param constantLabel the label a {@link Kind#CONSTANT} peer always answers
 * @param delayMs how long a {@link Kind#SLOW} peer holds each vote back, ms
 * @param crashAfter votes a {@link Kind#CRASH} peer sends before it stops abruptly
 * @param forgeAs peer ids in whose name a {@link Kind#FORGER} peer sends forged votes
 */
public record Behavior(Kind kind, int constantLabel, long delayMs, int crashAfter, List<String> forgeAs) {

  /** The behaviours. */
  public enum Kind {
    /** Runs the model and votes its answer. */
    HONEST,
    /** Votes a uniformly random label with random probabilities, without running the model. */
    RANDOM,
    /** Votes the same label for every task (colluders agree on it). */
    CONSTANT,
    /** Runs nothing and copies what others vote: another peer's vote, or else the decision. */
    COPYCAT,
    /** Guesses a label from the input's bytes without decoding it or running the model. */
    LAZY,
    /** Runs the model honestly but sends each vote {@code delayMs} late. */
    SLOW,
    /** Honest until {@code crashAfter} votes, then stops without a word (no leaving record). */
    CRASH,
    /** Votes honestly as itself, and also sends wrong votes in other peers' names. */
    FORGER
  }

  /** Validates the settings. */
  public Behavior {
    Objects.requireNonNull(kind, "kind");
    forgeAs = forgeAs == null ? List.of() : List.copyOf(forgeAs);
    if (delayMs < 0 || crashAfter < 0) {
      throw new IllegalArgumentException("delay and crash-after must be >= 0");
    }
  }

  /**
   * The honest behaviour.
   *
   * @return honest
   */
  public static Behavior honest() {
    return of(Kind.HONEST);
  }

  /**
   * A behaviour with the default settings: constant label 1, 3,000 ms delay, crash after 20
   * votes, forging in no one's name.
   *
   * @param kind the behaviour
   * @return the behaviour
   */
  public static Behavior of(Kind kind) {
    return new Behavior(kind, 1, 3_000, 20, List.of());
  }

  /**
   * Parses a behaviour name, case-insensitively.
   *
   * @param name e.g. {@code honest}, {@code copycat}
   * @return the behaviour with default settings
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static Behavior parse(String name) {
    try {
      return of(Kind.valueOf(name.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown behavior '" + name + "' (known: honest, random, constant, copycat, lazy, slow, crash, forger)");
    }
  }

  /**
   * A copy with other settings.
   *
   * @param label the constant label
   * @param delay the slow peer's delay, ms
   * @param crashAfterVotes votes before a crash
   * @param forged peer ids to forge
   * @return the behaviour
   */
  public Behavior with(int label, long delay, int crashAfterVotes, List<String> forged) {
    return new Behavior(kind, label, delay, crashAfterVotes, forged);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}

package dev.minigradient.worker;

import dev.minigradient.worker.adversary.Adversary;
import dev.minigradient.worker.adversary.ConstantLabel;
import dev.minigradient.worker.adversary.Copycat;
import dev.minigradient.worker.adversary.Crashing;
import dev.minigradient.worker.adversary.Forger;
import dev.minigradient.worker.adversary.Honest;
import dev.minigradient.worker.adversary.LazyGuess;
import dev.minigradient.worker.adversary.RandomLabels;
import dev.minigradient.worker.adversary.Slow;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * How a peer behaves: honestly, or as one of the simulated adversaries the consensus must withstand
 * (for tests, the {@code simulate} command and demos); a name and the settings the adversaries
 * read, from which {@link #adversary()} makes the {@link Adversary} a peer runs.
 *
 * @param kind the behaviour
 * @param constantLabel the label a {@link Kind#CONSTANT} peer always answers
 * @param delayMs how long a {@link Kind#SLOW} peer holds each vote back, ms
 * @param crashAfter votes a {@link Kind#CRASH} peer sends before it stops abruptly
 * @param forgeAs peer ids in whose name a {@link Kind#FORGER} peer sends forged votes
 */
public record Behavior(
    Kind kind, int constantLabel, long delayMs, int crashAfter, List<String> forgeAs) {

  /**
   * The behaviours, by the names the {@code --behavior} option and the {@code simulate} mixes use:
   * the registry of {@link Adversary adversaries}, one constant each.
   */
  public enum Kind {
    /** Runs the model and votes its answer. */
    HONEST(b -> new Honest()),
    /** Votes a uniformly random label with random probabilities, without running the model. */
    RANDOM(b -> new RandomLabels()),
    /** Votes the same label for every task (colluders agree on it). */
    CONSTANT(b -> new ConstantLabel(b.constantLabel())),
    /** Runs nothing and copies what others vote: another peer's vote, or else the decision. */
    COPYCAT(b -> new Copycat()),
    /** Guesses a label from the input's bytes without decoding it or running the model. */
    LAZY(b -> new LazyGuess()),
    /** Runs the model honestly but sends each vote {@code delayMs} late. */
    SLOW(b -> new Slow(b.delayMs())),
    /** Honest until {@code crashAfter} votes, then stops without a word (no leaving record). */
    CRASH(b -> new Crashing(b.crashAfter())),
    /** Votes honestly as itself, and also sends wrong votes in other peers' names. */
    FORGER(b -> new Forger(b.forgeAs()));

    private final Function<Behavior, Adversary> factory;

    Kind(Function<Behavior, Adversary> factory) {
      this.factory = factory;
    }
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
   * A behaviour with the default settings: constant label 1, 3,000 ms delay, crash after 20 votes,
   * forging in no one's name.
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
          "unknown behavior '" + name + "' (known: " + String.join(", ", new Names()) + ")");
    }
  }

  /**
   * The behaviors' names, {@link Kind}'s constants in lower case and in their order: the values
   * {@link #parse} takes, and the completion candidates that the commands' help lists, so a new
   * kind appears there with no other change.
   */
  public static final class Names implements Iterable<String> {
    /** Creates the list (picocli instantiates it for {@code completionCandidates}). */
    public Names() {}

    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(Kind.values()).map(k -> k.name().toLowerCase(Locale.ROOT)).iterator();
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

  /**
   * A new adversary of this behaviour's kind and settings, for one peer.
   *
   * @return the adversary ({@link Honest} for the honest behaviour)
   */
  public Adversary adversary() {
    return kind.factory.apply(this);
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}

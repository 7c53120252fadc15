package dev.minigradient.consensus;

import dev.minigradient.protocol.Redundancy;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The network's default committee size, for every command that runs the consensus app (a picocli
 * mixin). A task may still name its own ({@code task-producer --redundancy}).
 */
public final class RedundancyOption {
  @Option(
      names = "--redundancy",
      paramLabel = "K|all",
      defaultValue = "${env:MG_REDUNDANCY:-" + ConsensusConfig.Committees.DEFAULT_REDUNDANCY + "}",
      converter = Parse.class,
      description =
          "Committee seats of a task that names none: a positive integer, or 'all' for every active"
              + " peer; a network of at most that many peers seats every peer (env MG_REDUNDANCY;"
              + " default: ${DEFAULT-VALUE}).")
  int redundancy;

  /**
   * The default committee size.
   *
   * @return seats per task, or {@link Redundancy#ALL}
   */
  public int redundancy() {
    return redundancy;
  }

  /** Reads K or {@code all} with {@link Redundancy#parse}, failing as a bad argument. */
  static final class Parse implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        return Redundancy.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}

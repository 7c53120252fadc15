package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the votes on a model's tasks agree, as {@code model.json} states it: by class (the argmax of
 * the output's softmax, as votes on digits always agreed) or by value (numeric outputs agree when
 * they lie within a stated tolerance).
 *
 * @param by {@link By#CLASS} or {@link By#VALUE}
 * @param output the model output the votes carry
 * @param tolerance for {@link By#VALUE}, when two outputs agree; for {@link By#CLASS}, optional:
 *     when a vote's probabilities match the referee's re-execution, so that a near-tie between
 *     classes flipped by other hardware is drift, not a lie (absent: 1e-4 absolute)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Agreement(By by, String output, Tolerance tolerance) {

  /** What a vote agrees on. */
  public enum By {
    /** The class: argmax of the softmax of the output's logits. */
    CLASS,
    /** The output's values, within a tolerance. */
    VALUE;

    @JsonCreator
    static By parse(String s) {
      return Agreement.parse(By.class, "agreement \"by\"", s);
    }

    @JsonValue
    String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Validates.
   *
   * @throws IllegalArgumentException if a value agreement has no tolerance
   */
  @JsonCreator
  public Agreement(
      @JsonProperty("by") By by,
      @JsonProperty("output") String output,
      @JsonProperty("tolerance") Tolerance tolerance) {
    this.by = Objects.requireNonNull(by, "agreement needs \"by\": class or value");
    this.output = output;
    if (by == By.VALUE && tolerance == null) {
      throw new IllegalArgumentException("agreement by value needs a tolerance");
    }
    this.tolerance = tolerance;
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String what, String s) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown "
            + what
            + " '"
            + s
            + "' (known: "
            + String.join(
                ", ",
                Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT))
                    .toList())
            + ")");
  }

  /**
   * Agreement by class on the given output.
   *
   * @param output the logits output, or null for the model's only output
   * @return the agreement
   */
  public static Agreement byClass(String output) {
    return new Agreement(By.CLASS, output, null);
  }

  /**
   * Whether the votes carry values rather than a class.
   *
   * @return true for {@link By#VALUE}
   */
  public boolean byValue() {
    return by == By.VALUE;
  }

  /**
   * When two numeric outputs agree, element by element or as vectors.
   *
   * @param kind {@link Kind#ABSOLUTE}: every {@code |a_i - b_i| <= value}; {@link Kind#RELATIVE}:
   *     every {@code |a_i - b_i| <= value * max(|a_i|, |b_i|)}; {@link Kind#COSINE}: the cosine
   *     distance {@code 1 - a.b / (|a| |b|) <= value} (two zero vectors agree, a zero vector agrees
   *     with nothing else)
   * @param value the bound, at least 0
   */
  public record Tolerance(Kind kind, double value) {

    /** How outputs are compared. */
    public enum Kind {
      /** Element-wise absolute difference. */
      ABSOLUTE,
      /** Element-wise difference relative to the larger magnitude. */
      RELATIVE,
      /** Cosine distance of the whole vectors. */
      COSINE;

      @JsonCreator
      static Kind parse(String s) {
        return Agreement.parse(Kind.class, "tolerance \"kind\"", s);
      }

      @JsonValue
      String json() {
        return name().toLowerCase(Locale.ROOT);
      }
    }

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the kind is missing or the value negative or not finite
     */
    @JsonCreator
    public Tolerance(@JsonProperty("kind") Kind kind, @JsonProperty("value") double value) {
      this.kind =
          Objects.requireNonNull(kind, "tolerance needs a kind: absolute, relative, cosine");
      if (!(value >= 0) || Double.isInfinite(value)) {
        throw new IllegalArgumentException("tolerance value must be >= 0, is " + value);
      }
      this.value = value;
    }

    /**
     * Whether two outputs agree.
     *
     * @param a one output's values
     * @param b the other's
     * @return false if their lengths differ or either holds a NaN, else the rule of {@link #kind}
     */
    public boolean agrees(List<Double> a, List<Double> b) {
      if (a.size() != b.size()) {
        return false;
      }
      if (kind == Kind.COSINE) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.size(); i++) {
          double x = a.get(i);
          double y = b.get(i);
          dot += x * y;
          na += x * x;
          nb += y * y;
        }
        if (Double.isNaN(dot) || Double.isNaN(na) || Double.isNaN(nb)) {
          return false;
        }
        if (na == 0 || nb == 0) {
          return na == nb;
        }
        return 1 - dot / Math.sqrt(na * nb) <= value;
      }
      for (int i = 0; i < a.size(); i++) {
        double x = a.get(i);
        double y = b.get(i);
        double d = Math.abs(x - y);
        double bound = kind == Kind.ABSOLUTE ? value : value * Math.max(Math.abs(x), Math.abs(y));
        if (!(d <= bound) && x != y) {
          return false;
        }
      }
      return true;
    }
  }
}

package dev.minigradient.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;

/**
 * How many committee seats a task asks for: a positive integer k, or {@code all} (every active peer
 * serving the model, the network before committees). Written as a positive number, or the string
 * {@code "all"}, in a task's JSON; a task without it gets the network's default (the roster's).
 *
 * <p>In memory {@code all} is {@link #ALL} (0), which {@link #check} accepts; as written by a
 * requester ({@link #parse}, {@link #seats}, a task's JSON) a 0 is refused like any number below 1,
 * so "every peer" is always spelled {@code all}.
 */
public final class Redundancy {
  /** The value that means every eligible peer. */
  public static final int ALL = 0;

  /** Most seats a task may ask for. */
  public static final int MAX = 1_000;

  private Redundancy() {}

  /**
   * Parses a redundancy as a requester writes it.
   *
   * @param text a positive integer up to {@link #MAX}, or {@code all} (any case)
   * @return k, or {@link #ALL}
   * @throws IllegalArgumentException with a message for the requester, if it is neither (also for
   *     {@code 0}: only the word {@code all} asks for every peer)
   */
  public static int parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equalsIgnoreCase("all")) {
      return ALL;
    }
    try {
      return seats(Integer.parseInt(t));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(message(text));
    }
  }

  /**
   * Checks a number of seats as a requester writes it (a JSON number): {@code all} is not a number,
   * so 0 is refused.
   *
   * @param k the seats
   * @return {@code k}
   * @throws IllegalArgumentException unless 1 <= k <= {@link #MAX}
   */
  public static int seats(int k) {
    if (k < 1 || k > MAX) {
      throw new IllegalArgumentException(message(Integer.toString(k)));
    }
    return k;
  }

  /**
   * Checks a redundancy held in memory, where {@link #ALL} stands for {@code all}.
   *
   * @param k the seats, or {@link #ALL}
   * @return {@code k}
   * @throws IllegalArgumentException unless 1 <= k <= {@link #MAX} or k is {@link #ALL}
   */
  public static int check(int k) {
    return k == ALL ? ALL : seats(k);
  }

  private static String message(String text) {
    return "redundancy must be a positive integer (at most " + MAX + ") or \"all\", got: " + text;
  }

  /**
   * The text of a redundancy.
   *
   * @param k seats, {@link #ALL}, or null for the network default
   * @return {@code all}, the number, or {@code default}
   */
  public static String format(Integer k) {
    return k == null ? "default" : k == ALL ? "all" : Integer.toString(k);
  }

  /**
   * Reads a redundancy from a JSON value: a positive integer number, or a string {@link #parse}
   * accepts ({@code "all"}, {@code "3"}).
   *
   * @param p the parser, at the value
   * @return k, or {@link #ALL}
   * @throws IllegalArgumentException with the rule, for any other value (0, negative, too large, a
   *     fraction, a boolean, an object or array)
   * @throws IOException if the parser fails
   */
  static int read(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT) {
      if (p.getNumberType() != JsonParser.NumberType.INT) {
        throw new IllegalArgumentException(message(p.getText()));
      }
      return seats(p.getIntValue());
    }
    if (t == JsonToken.VALUE_STRING) {
      return parse(p.getText());
    }
    throw new IllegalArgumentException(message(p.getText()));
  }

  /** Reads a positive number or {@code "all"}; anything else fails with the rule. */
  static final class Reader extends JsonDeserializer<Integer> {
    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      try {
        return read(p);
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Integer.class);
      }
    }
  }

  /** Writes {@link #ALL} as {@code "all"}, other values as numbers. */
  static final class Writer extends JsonSerializer<Integer> {
    @Override
    public void serialize(Integer value, JsonGenerator g, SerializerProvider sp)
        throws IOException {
      if (value == ALL) {
        g.writeString("all");
      } else {
        g.writeNumber(value);
      }
    }
  }
}

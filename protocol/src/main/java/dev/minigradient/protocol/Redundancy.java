package dev.minigradient.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;

/**
 * How many committee seats a task asks for: a positive integer k, or {@code all} (every active
 * peer serving the model, the network before committees). Written as a number, or the string
 * {@code "all"}, in a task's JSON; a task without it gets the network's default (the roster's).
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
   * @param text a positive integer up to {@link #MAX}, or {@code all}
   * @return k, or {@link #ALL}
   * @throws IllegalArgumentException with a message for the requester, if it is neither (also for
   *     {@code 0}: only the word {@code all} asks for every peer)
   */
  public static int parse(String text) {
    String t = text == null ? "" : text.trim();
    if (t.equalsIgnoreCase("all")) {
      return ALL;
    }
    int k;
    try {
      k = Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(message(text));
    }
    if (k == ALL) {
      throw new IllegalArgumentException(message(text));
    }
    return check(k);
  }

  /**
   * Checks a redundancy given as a number.
   *
   * @param k the seats
   * @return {@code k}
   * @throws IllegalArgumentException unless 1 <= k <= {@link #MAX} or k is {@link #ALL}
   */
  public static int check(int k) {
    if (k < 0 || k > MAX) {
      throw new IllegalArgumentException(message(Integer.toString(k)));
    }
    return k;
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

  /** Reads a number or {@code "all"}; anything else fails with the rule. */
  static final class Reader extends JsonDeserializer<Integer> {
    @Override
    public Integer deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      try {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
          return check(p.getIntValue());
        }
        if (p.currentToken() == JsonToken.VALUE_STRING) {
          return parse(p.getText());
        }
      } catch (IllegalArgumentException | IOException e) {
        throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, e.getMessage(), p.getText(), Integer.class);
      }
      throw com.fasterxml.jackson.databind.exc.InvalidFormatException.from(p, message(p.getText()), p.getText(), Integer.class);
    }
  }

  /** Writes {@link #ALL} as {@code "all"}, other values as numbers. */
  static final class Writer extends JsonSerializer<Integer> {
    @Override
    public void serialize(Integer value, JsonGenerator g, SerializerProvider sp) throws IOException {
      if (value == ALL) {
        g.writeString("all");
      } else {
        g.writeNumber(value);
      }
    }
  }
}

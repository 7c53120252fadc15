package dev.minigradient.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The few fields of a task record that decide who serves it (task id, model id, redundancy), read
 * with Jackson's streaming parser without decoding the input's base64: a peer that holds no seat
 * skips the task for the cost of scanning its JSON. Reads what {@link Task}'s JSON reading would
 * (scalars as text, the redundancy by the same rule); the other fields are not checked, so a record
 * that peeks well may still fail as a {@link Task}.
 *
 * @param taskId the task id, or null if absent
 * @param modelId the model id, or null if absent
 * @param redundancy the seats asked for, {@link Redundancy#ALL}, or null for the default
 */
public record TaskPeek(String taskId, String modelId, Integer redundancy) {

  /**
   * Reads the fields from a task record's value.
   *
   * @param json the record value (a {@link Task} as JSON)
   * @return the fields found
   * @throws IllegalArgumentException if the bytes are not a JSON object, the task or model id is an
   *     object or array, or the redundancy is not a positive integer or {@code "all"} (the message
   *     of {@link Redundancy#parse})
   */
  public static TaskPeek of(byte[] json) {
    String taskId = null;
    String modelId = null;
    Integer redundancy = null;
    try (JsonParser p = JsonSerde.MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("a task is a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "taskId" -> taskId = scalar(p, field);
          case "modelId" -> modelId = scalar(p, field);
          case "redundancy" ->
              redundancy =
                  value == JsonToken.VALUE_NULL ? null : Integer.valueOf(Redundancy.read(p));
          default -> p.skipChildren(); // the input's base64 is scanned, never decoded
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a task: " + e.getMessage(), e);
    }
    return new TaskPeek(taskId, modelId, redundancy);
  }

  /** A scalar's text (a number reads as its digits, as Jackson binds it to a String), or null. */
  private static String scalar(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (!t.isScalarValue()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return p.getText();
  }
}

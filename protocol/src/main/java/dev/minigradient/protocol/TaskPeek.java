package dev.minigradient.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The few fields of a task record that decide who serves it (task id, model id, redundancy),
 * read with Jackson's streaming parser without decoding the input's base64: a peer that holds no
 * seat skips the task for the cost of scanning its JSON.
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
   * @throws IllegalArgumentException if the bytes are not a JSON object or the redundancy is not
   *     a positive integer or {@code "all"}
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
          case "taskId" -> taskId = value == JsonToken.VALUE_NULL ? null : p.getText();
          case "modelId" -> modelId = value == JsonToken.VALUE_NULL ? null : p.getText();
          case "redundancy" -> redundancy =
              value == JsonToken.VALUE_NULL ? null
                  : value == JsonToken.VALUE_NUMBER_INT ? Integer.valueOf(Redundancy.check(p.getIntValue()))
                  : Integer.valueOf(Redundancy.parse(p.getText()));
          default -> p.skipChildren(); // the input's base64 is scanned, never decoded
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a task: " + e.getMessage(), e);
    }
    return new TaskPeek(taskId, modelId, redundancy);
  }
}

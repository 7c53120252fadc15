package dev.minigradient.protocol;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serde} writing records as UTF-8 JSON with Jackson. Byte arrays are base64.
 * Unknown properties are ignored, so newer writers can add fields.
 *
 * @param <T> the record type
 */
public final class JsonSerde<T> implements Serde<T> {

  /** The shared, thread-safe mapper used for every wire type: {@link Json#MAPPER}. */
  public static final ObjectMapper MAPPER = Json.MAPPER;

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(JsonSerde.class);

  private final Class<T> type;
  private final boolean lenient;

  /**
   * Creates a serde for {@code type}.
   *
   * @param type the record class
   */
  public JsonSerde(Class<T> type) {
    this(type, false);
  }

  private JsonSerde(Class<T> type, boolean lenient) {
    this.type = type;
    this.lenient = lenient;
  }

  /**
   * A serde whose deserializer logs a malformed record and reads it as {@code null} (a
   * tombstone) instead of throwing. For Kafka Streams global tables: their thread cannot be
   * replaced, and in Kafka 4.3 the dead-letter queue fails on it, so one bad record would stop
   * the whole application.
   *
   * @param type the record class
   * @param <T> the record type
   * @return the lenient serde
   */
  public static <T> JsonSerde<T> lenient(Class<T> type) {
    return new JsonSerde<>(type, true);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        return MAPPER.writeValueAsBytes(data);
      } catch (IOException e) {
        throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON", e);
      }
    };
  }

  /**
   * {@inheritDoc}
   *
   * <p>The deserializer throws {@link SerializationException} for bytes that are not a valid
   * {@code T}, with Jackson's message, so error handlers can route the record to the dead-letter
   * topic with its reason.
   */
  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> {
      if (data == null) {
        return null;
      }
      try {
        return MAPPER.readValue(data, type);
      } catch (IOException | RuntimeException e) {
        if (lenient) {
          log.warn("skipping a record on {} that is not a valid {}: {}", topic, type.getSimpleName(), e.getMessage());
          return null;
        }
        throw new SerializationException(
            "not a valid " + type.getSimpleName() + " on " + topic + ": " + e.getMessage(), e);
      }
    };
  }
}

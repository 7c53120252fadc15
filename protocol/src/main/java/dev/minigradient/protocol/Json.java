package dev.minigradient.protocol;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one Jackson mapper for every wire type and model card. It lives apart from {@link JsonSerde}
 * so that code reading JSON without Kafka (model cards, in {@code model-runtime}) never loads a
 * Kafka class.
 */
public final class Json {

  /**
   * The shared, thread-safe mapper: unknown properties are ignored, so newer writers can add
   * fields; byte arrays are base64.
   */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .build();

  private Json() {}
}

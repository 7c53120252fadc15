package dev.minigradient.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.minigradient.protocol.JsonSerde;
import java.io.IOException;

/**
 * The API's JSON mapper: the wire mapper ({@link JsonSerde#MAPPER}) plus one rule for HTTP clients:
 * a NaN or infinite {@code double}/{@code float} is written as {@code null}, since JSON has no such
 * numbers and browsers' {@code JSON.parse} rejects Jackson's default {@code "NaN"} strings as
 * numbers.
 */
public final class ApiJson {
  /** The mapper every API response is written with. */
  public static final ObjectMapper MAPPER =
      JsonSerde.MAPPER.copy().registerModule(nonFiniteAsNull());

  private ApiJson() {}

  private static SimpleModule nonFiniteAsNull() {
    JsonSerializer<Double> doubles = finiteOrNull((gen, v) -> gen.writeNumber(v));
    JsonSerializer<Float> floats = finiteOrNull((gen, v) -> gen.writeNumber(v));
    SimpleModule m = new SimpleModule("non-finite-as-null");
    m.addSerializer(Double.class, doubles);
    m.addSerializer(Double.TYPE, doubles);
    m.addSerializer(Float.class, floats);
    m.addSerializer(Float.TYPE, floats);
    return m;
  }

  /** Writes one finite number of a boxed type. */
  private interface NumberWriter<T extends Number> {
    void write(JsonGenerator gen, T v) throws IOException;
  }

  /**
   * A serializer that writes a finite number as {@code write} does, and null or NaN/infinity as
   * null.
   */
  private static <T extends Number> JsonSerializer<T> finiteOrNull(NumberWriter<T> write) {
    return new JsonSerializer<>() {
      @Override
      public void serialize(T v, JsonGenerator gen, SerializerProvider p) throws IOException {
        if (v == null || !Double.isFinite(v.doubleValue())) {
          gen.writeNull();
        } else {
          write.write(gen, v);
        }
      }
    };
  }
}

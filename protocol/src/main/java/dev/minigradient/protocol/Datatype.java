package dev.minigradient.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A tensor's element type, named as the Open Inference Protocol (KServe V2, "Tensor Data Types")
 * names them. The ONNX element type each maps to is the one ONNX Runtime reports for a model's
 * inputs and outputs ({@code ai.onnxruntime.OnnxJavaType}).
 */
public enum Datatype {
  /** Boolean, JSON {@code true}/{@code false}. */
  BOOL,
  /** 32-bit signed integer. */
  INT32,
  /** 64-bit signed integer. */
  INT64,
  /** IEEE-754 binary32. */
  FP32,
  /** IEEE-754 binary64. */
  FP64,
  /** Variable-length bytes; in JSON, a UTF-8 string per element. */
  BYTES;

  /**
   * Parses a V2 datatype name.
   *
   * @param name e.g. {@code FP32} (case-insensitive)
   * @return the datatype
   * @throws IllegalArgumentException for a name this network does not carry, listing those it does
   */
  @JsonCreator
  public static Datatype parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown datatype '"
              + name
              + "' (known: "
              + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
              + ")");
    }
  }

  /**
   * Whether the elements are numbers (every type but {@link #BYTES}).
   *
   * @return true for numeric and boolean types
   */
  public boolean isNumeric() {
    return this != BYTES;
  }
}

package dev.minigradient.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON of an Open Inference Protocol (KServe V2) inference request's tensors: {@code {"inputs":
 * [{"name", "datatype", "shape", "data"}]}}, the input of a tensor task ({@link Task#input()},
 * media type {@link #MEDIA_TYPE}). Spec: kserve.github.io, "Open Inference Protocol (V2 Inference
 * Protocol)", HTTP/REST "Inference Request JSON Object" and "Tensor Data".
 *
 * <p>{@code data} is row-major, flat or nested as the shape; FP32 elements are read from their
 * decimal text straight to the nearest float32, so a value written by {@link #write} reads back
 * bit-identical.
 */
public final class InferenceRequest {
  /** The media type of a tensor task's input. */
  public static final String MEDIA_TYPE = "application/json";

  private static final ObjectReader READER =
      Json.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private InferenceRequest() {}

  /**
   * Reads the input tensors of a V2 inference request.
   *
   * @param json the request's JSON bytes (UTF-8)
   * @return its inputs, in order
   * @throws IllegalArgumentException with the reason when the JSON is not a request, a tensor lacks
   *     a field, two share a name, a datatype is unknown, an element has the wrong type, or the
   *     number of elements is not what the shape holds
   */
  public static List<Tensor> readInputs(byte[] json) {
    JsonNode root;
    try {
      root = READER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + firstLine(e.getMessage()));
    }
    return readInputs(root);
  }

  /**
   * Reads the input tensors of a parsed V2 inference request.
   *
   * @param root the request object
   * @return its inputs, in order
   * @throws IllegalArgumentException as {@link #readInputs(byte[])}
   */
  public static List<Tensor> readInputs(JsonNode root) {
    if (root == null || !root.isObject() || !root.path("inputs").isArray()) {
      throw new IllegalArgumentException("an inference request needs an \"inputs\" array");
    }
    List<Tensor> tensors = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode in : root.get("inputs")) {
      Tensor t = readTensor(in);
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("input " + t.name() + " is given twice");
      }
      tensors.add(t);
    }
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("an inference request needs at least one input");
    }
    return tensors;
  }

  /**
   * Reads one V2 tensor object.
   *
   * @param in {@code {"name", "datatype", "shape", "data"}}
   * @return the tensor
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Tensor readTensor(JsonNode in) {
    if (!in.isObject() || !in.path("name").isTextual()) {
      throw new IllegalArgumentException("each input needs a \"name\"");
    }
    String name = in.get("name").asText();
    if (!in.path("datatype").isTextual()) {
      throw new IllegalArgumentException("input " + name + " needs a \"datatype\"");
    }
    Datatype type = Datatype.parse(in.get("datatype").asText());
    JsonNode shapeNode = in.path("shape");
    if (!shapeNode.isArray()) {
      throw new IllegalArgumentException("input " + name + " needs a \"shape\" array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 1) {
        throw new IllegalArgumentException(
            "input " + name + ": shape entries must be positive integers, has " + d);
      }
      shape[i] = d.asLong();
    }
    long count;
    try {
      count = Tensor.elementCount(shape);
    } catch (ArithmeticException | IllegalArgumentException e) {
      throw new IllegalArgumentException("input " + name + ": shape is too large");
    }
    List<JsonNode> flat = new ArrayList<>();
    if (!in.path("data").isArray()) {
      throw new IllegalArgumentException("input " + name + " needs a \"data\" array");
    }
    flatten(in.get("data"), flat, count, name);
    if (flat.size() != count) {
      throw new IllegalArgumentException(
          "input "
              + name
              + " has "
              + flat.size()
              + " elements, its shape "
              + shapeNode
              + " needs "
              + count);
    }
    return new Tensor(name, type, shape, elements(name, type, flat));
  }

  private static void flatten(JsonNode node, List<JsonNode> out, long limit, String name) {
    for (JsonNode e : node) {
      if (e.isArray()) {
        flatten(e, out, limit, name);
      } else {
        out.add(e);
      }
      if (out.size() > limit) {
        throw new IllegalArgumentException(
            "input " + name + " has more elements than its shape holds (" + limit + ")");
      }
    }
  }

  private static Object elements(String name, Datatype type, List<JsonNode> flat) {
    int n = flat.size();
    try {
      switch (type) {
        case FP32 -> {
          float[] a = new float[n];
          for (int i = 0; i < n; i++) {
            a[i] = Float.parseFloat(number(flat.get(i)).asText());
            if (Float.isInfinite(a[i])) {
              throw new IllegalArgumentException(flat.get(i) + " is out of FP32's range");
            }
          }
          return a;
        }
        case FP64 -> {
          double[] a = new double[n];
          for (int i = 0; i < n; i++) {
            a[i] = Double.parseDouble(number(flat.get(i)).asText());
            if (Double.isInfinite(a[i])) {
              throw new IllegalArgumentException(flat.get(i) + " is out of FP64's range");
            }
          }
          return a;
        }
        case INT32 -> {
          int[] a = new int[n];
          for (int i = 0; i < n; i++) {
            JsonNode e = integer(flat.get(i));
            if (!e.canConvertToInt()) {
              throw new IllegalArgumentException(e + " is out of INT32's range");
            }
            a[i] = e.intValue();
          }
          return a;
        }
        case INT64 -> {
          long[] a = new long[n];
          for (int i = 0; i < n; i++) {
            JsonNode e = integer(flat.get(i));
            if (!e.canConvertToLong()) {
              throw new IllegalArgumentException(e + " is out of INT64's range");
            }
            a[i] = e.longValue();
          }
          return a;
        }
        case BOOL -> {
          boolean[] a = new boolean[n];
          for (int i = 0; i < n; i++) {
            if (!flat.get(i).isBoolean()) {
              throw new IllegalArgumentException(flat.get(i) + " is not true or false");
            }
            a[i] = flat.get(i).booleanValue();
          }
          return a;
        }
        case BYTES -> {
          String[] a = new String[n];
          for (int i = 0; i < n; i++) {
            if (!flat.get(i).isTextual()) {
              throw new IllegalArgumentException(flat.get(i) + " is not a string");
            }
            a[i] = flat.get(i).asText();
          }
          return a;
        }
        default -> throw new IllegalStateException(type.name());
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("input " + name + " (" + type + "): " + e.getMessage(), e);
    }
  }

  private static JsonNode number(JsonNode e) {
    if (!e.isNumber()) {
      throw new IllegalArgumentException(e + " is not a number");
    }
    return e;
  }

  private static JsonNode integer(JsonNode e) {
    if (!e.isIntegralNumber()) {
      throw new IllegalArgumentException(e + " is not an integer");
    }
    return e;
  }

  /**
   * Checks that a request's JSON fits a task record ({@link Task#MAX_INPUT_BYTES}).
   *
   * @param json the request's JSON, as a task carries it
   * @return the same bytes
   * @throws IllegalArgumentException naming its size and the limit
   */
  public static byte[] checkFits(byte[] json) {
    if (json.length > Task.MAX_INPUT_BYTES) {
      throw new IllegalArgumentException(
          "the inputs take "
              + json.length
              + " bytes as a task's JSON > "
              + Task.MAX_INPUT_BYTES
              + ", more than a task carries");
    }
    return json;
  }

  /**
   * Writes tensors as a V2 inference request, data flat.
   *
   * @param inputs the tensors
   * @return the request's JSON, UTF-8
   */
  public static byte[] write(List<Tensor> inputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("inputs");
      for (Tensor t : inputs) {
        writeTensor(g, t);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Writes one tensor as a V2 tensor object, data flat.
   *
   * @param g the generator, positioned where a value may go
   * @param t the tensor
   * @throws IOException if the generator fails
   */
  public static void writeTensor(JsonGenerator g, Tensor t) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", t.name());
    g.writeStringField("datatype", t.datatype().name());
    g.writeArrayFieldStart("shape");
    for (long d : t.shape()) {
      g.writeNumber(d);
    }
    g.writeEndArray();
    g.writeArrayFieldStart("data");
    Object data = t.data();
    for (int i = 0; i < t.size(); i++) {
      switch (t.datatype()) {
        case FP32 -> g.writeNumber(((float[]) data)[i]);
        case FP64 -> g.writeNumber(((double[]) data)[i]);
        case INT32 -> g.writeNumber(((int[]) data)[i]);
        case INT64 -> g.writeNumber(((long[]) data)[i]);
        case BOOL -> g.writeBoolean(((boolean[]) data)[i]);
        case BYTES -> g.writeString(((String[]) data)[i]);
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}

package dev.minigradient.protocol;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor a task carries or a model answers: its element type, shape and elements in
 * row-major order, as the Open Inference Protocol (KServe V2) lays a tensor out.
 *
 * <p>The elements are held in the array type of the element type: {@code float[]} for {@link
 * Datatype#FP32}, {@code double[]} for FP64, {@code int[]} for INT32, {@code long[]} for INT64,
 * {@code boolean[]} for BOOL and {@code String[]} for BYTES.
 */
public final class Tensor {
  private final String name;
  private final Datatype datatype;
  private final long[] shape;
  private final Object data;

  /**
   * Creates a tensor.
   *
   * @param name its name (the model input it feeds)
   * @param datatype its element type
   * @param shape its dimensions, each at least 1
   * @param data its elements, row-major, in the array type of {@code datatype}
   * @throws IllegalArgumentException if the data's type or length does not match
   */
  public Tensor(String name, Datatype datatype, long[] shape, Object data) {
    this.name = Objects.requireNonNull(name, "name");
    this.datatype = Objects.requireNonNull(datatype, "datatype");
    this.shape = shape.clone();
    this.data = Objects.requireNonNull(data, "data");
    long n = elementCount(shape);
    if (!arrayType(datatype).isInstance(data)) {
      throw new IllegalArgumentException(
          "tensor " + name + ": " + datatype + " data must be a " + arrayType(datatype).getName());
    }
    if (Array.getLength(data) != n) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " has "
              + Array.getLength(data)
              + " elements, its shape "
              + Arrays.toString(shape)
              + " needs "
              + n);
    }
  }

  /**
   * A float32 tensor.
   *
   * @param name its name
   * @param data its elements, row-major
   * @param shape its dimensions
   * @return the tensor
   */
  public static Tensor fp32(String name, float[] data, long... shape) {
    return new Tensor(name, Datatype.FP32, shape, data);
  }

  /**
   * The number of elements a shape holds.
   *
   * @param shape the dimensions
   * @return their product
   * @throws IllegalArgumentException if a dimension is below 1 or the product overflows an int
   */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException("dimension " + d + " in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
      if (n > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
      }
    }
    return n;
  }

  private static Class<?> arrayType(Datatype t) {
    return switch (t) {
      case BOOL -> boolean[].class;
      case INT32 -> int[].class;
      case INT64 -> long[].class;
      case FP32 -> float[].class;
      case FP64 -> double[].class;
      case BYTES -> String[].class;
    };
  }

  /**
   * The tensor's name.
   *
   * @return the model input or output it is
   */
  public String name() {
    return name;
  }

  /**
   * The element type.
   *
   * @return the datatype
   */
  public Datatype datatype() {
    return datatype;
  }

  /**
   * The dimensions.
   *
   * @return a copy of the shape
   */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * The elements, row-major, in the array type of the datatype (not copied: do not change it).
   *
   * @return the data array
   */
  public Object data() {
    return data;
  }

  /**
   * The number of elements.
   *
   * @return the data's length
   */
  public int size() {
    return Array.getLength(data);
  }

  /**
   * Element {@code i} as a double, for numeric tensors (BOOL as 0 or 1).
   *
   * @param i the row-major index
   * @return the element's value
   * @throws IllegalStateException for a BYTES tensor
   */
  public double number(int i) {
    return switch (datatype) {
      case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
      case INT32 -> ((int[]) data)[i];
      case INT64 -> ((long[]) data)[i];
      case FP32 -> ((float[]) data)[i];
      case FP64 -> ((double[]) data)[i];
      case BYTES -> throw new IllegalStateException("tensor " + name + " holds bytes");
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t
        && name.equals(t.name)
        && datatype == t.datatype
        && Arrays.equals(shape, t.shape)
        && Objects.deepEquals(data, t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + datatype + " " + Arrays.toString(shape);
  }
}

package dev.minigradient.producer;

import dev.minigradient.protocol.Datatype;
import dev.minigradient.protocol.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one array from NumPy's {@code .npy} format (NEP 1, "A Simple File Format for NumPy Arrays",
 * versions 1.0 to 3.0): the magic string, a header dict ({@code descr}, {@code fortran_order},
 * {@code shape}), then the elements. Little-endian float32, float64, int32, int64 and bool arrays
 * in C order, the types a tensor task carries.
 */
final class NpyFile {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyFile() {}

  /**
   * Reads an array as a tensor.
   *
   * @param name the tensor's name (the model input it feeds)
   * @param bytes the file's bytes
   * @return the tensor; a 0-d array becomes shape [1]
   * @throws IllegalArgumentException naming what is wrong: not an .npy file, an element type or
   *     byte order a task cannot carry, Fortran order, or too few bytes for the shape
   */
  static Tensor read(String name, byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new IllegalArgumentException("not an .npy file (no \\x93NUMPY magic)");
    }
    int major = bytes[6];
    b.position(8);
    int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
    if (headerLength < 0 || b.position() + headerLength > bytes.length) {
      throw new IllegalArgumentException(".npy header is cut short");
    }
    String header =
        new String(
            bytes,
            b.position(),
            headerLength,
            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    b.position(b.position() + headerLength);
    String descr = group(DESCR, header, "descr");
    if (group(FORTRAN, header, "fortran_order").equals("True")) {
      throw new IllegalArgumentException(".npy array is in Fortran order; save it in C order");
    }
    String dims = group(SHAPE, header, "shape").trim();
    long[] shape =
        dims.isEmpty()
            ? new long[] {1}
            : Arrays.stream(dims.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong)
                .toArray();
    int n = (int) Tensor.elementCount(shape);
    Datatype type;
    Object data;
    int width;
    switch (descr) {
      case "<f4" -> {
        type = Datatype.FP32;
        width = 4;
      }
      case "<f8" -> {
        type = Datatype.FP64;
        width = 8;
      }
      case "<i4" -> {
        type = Datatype.INT32;
        width = 4;
      }
      case "<i8" -> {
        type = Datatype.INT64;
        width = 8;
      }
      case "|b1" -> {
        type = Datatype.BOOL;
        width = 1;
      }
      default ->
          throw new IllegalArgumentException(
              ".npy element type "
                  + descr
                  + " is not one a task carries (<f4, <f8, <i4, <i8, |b1)");
    }
    if (b.remaining() < (long) n * width) {
      throw new IllegalArgumentException(
          ".npy data holds " + b.remaining() + " bytes, shape needs " + (long) n * width);
    }
    switch (type) {
      case FP32 -> {
        float[] a = new float[n];
        b.asFloatBuffer().get(a);
        data = a;
      }
      case FP64 -> {
        double[] a = new double[n];
        b.asDoubleBuffer().get(a);
        data = a;
      }
      case INT32 -> {
        int[] a = new int[n];
        b.asIntBuffer().get(a);
        data = a;
      }
      case INT64 -> {
        long[] a = new long[n];
        b.asLongBuffer().get(a);
        data = a;
      }
      default -> {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = b.get() != 0;
        }
        data = a;
      }
    }
    return new Tensor(name, type, shape, data);
  }

  private static String group(Pattern p, String header, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw new IllegalArgumentException(".npy header has no " + key + ": " + header.trim());
    }
    return m.group(1);
  }
}

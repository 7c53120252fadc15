package dev.minigradient.model.preprocess;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Encoders for test images in the formats phones and drawing apps send. */
final class TestImages {

  /** The real MNIST sample digits shipped with the model (28x28, white on black PNGs). */
  static final Path SAMPLES = Path.of("..", "models", "mnist", "samples");

  private TestImages() {}

  /** A real sample digit: its file, bytes, label and ink intensities in [0,1] (28x28). */
  record Sample(String name, byte[] bytes, int label, float[] ink) {}

  /** A square of ink coverage in [0,1]: {@code size} x {@code size} values, row by row. */
  record Ink(float[] values, int size) {

    /**
     * The coverage at pixel (x, y) of a page on which this square's top-left corner sits at (ox,
     * oy); 0 outside the square.
     */
    float placedAt(int x, int y, int ox, int oy) {
      int ix = x - ox;
      int iy = y - oy;
      return ix >= 0 && ix < size && iy >= 0 && iy < size ? values[iy * size + ix] : 0;
    }
  }

  /** Every {@code mnist-NNNNN-label-D.png} in {@link #SAMPLES}, sorted by name. */
  static List<Sample> samples() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(SAMPLES)) {
      files =
          s.filter(f -> f.getFileName().toString().matches("mnist-\\d+-label-\\d\\.png"))
              .sorted()
              .toList();
    }
    List<Sample> out = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      byte[] bytes = Files.readAllBytes(f);
      BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
      float[] ink = new float[28 * 28];
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          ink[y * 28 + x] = img.getRaster().getSample(x, y, 0) / 255f;
        }
      }
      out.add(new Sample(name, bytes, name.charAt(name.length() - 5) - '0', ink));
    }
    return out;
  }

  /**
   * Ink coverage of a 28x28 digit scaled by {@code scale} (bilinear, pixel centres aligned) or, for
   * {@code scale < 1}, area-averaged down to {@code round(28 * scale)} pixels.
   */
  static Ink scaledInk(float[] ink, double scale) {
    int n = (int) Math.round(28 * scale);
    float[] out = new float[n * n];
    double step = 28.0 / n;
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        if (n < 28) {
          double sum = 0;
          double area = 0;
          for (int sy = (int) (y * step); sy < Math.min(28, Math.ceil((y + 1) * step)); sy++) {
            for (int sx = (int) (x * step); sx < Math.min(28, Math.ceil((x + 1) * step)); sx++) {
              double oy = Math.min((y + 1) * step, sy + 1) - Math.max(y * step, sy);
              double ox = Math.min((x + 1) * step, sx + 1) - Math.max(x * step, sx);
              sum += ink[sy * 28 + sx] * ox * oy;
              area += ox * oy;
            }
          }
          out[y * n + x] = (float) (sum / area);
        } else {
          double cy = Math.max(0, Math.min(27, (y + 0.5) * step - 0.5));
          double cx = Math.max(0, Math.min(27, (x + 0.5) * step - 0.5));
          int y0 = (int) cy;
          int x0 = (int) cx;
          int y1 = Math.min(27, y0 + 1);
          int x1 = Math.min(27, x0 + 1);
          double ty = cy - y0;
          double tx = cx - x0;
          double top = ink[y0 * 28 + x0] * (1 - tx) + ink[y0 * 28 + x1] * tx;
          double bottom = ink[y1 * 28 + x0] * (1 - tx) + ink[y1 * 28 + x1] * tx;
          out[y * n + x] = (float) (top * (1 - ty) + bottom * ty);
        }
      }
    }
    return new Ink(out, n);
  }

  /** An 8-bit RGB image of {@code ink} in colour {@code pen} on {@code paper}. */
  static BufferedImage penOnPaper(Ink ink, Color pen, Color paper) {
    int n = ink.size();
    BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        float a = ink.values()[y * n + x];
        int r = Math.round(paper.getRed() + a * (pen.getRed() - paper.getRed()));
        int g = Math.round(paper.getGreen() + a * (pen.getGreen() - paper.getGreen()));
        int b = Math.round(paper.getBlue() + a * (pen.getBlue() - paper.getBlue()));
        img.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }

  /** An 8-bit gray image: {@code paper} level where there is no ink, {@code pen} at full ink. */
  static BufferedImage grayOnPaper(Ink ink, int pen, int paper) {
    int n = ink.size();
    BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        img.getRaster()
            .setSample(x, y, 0, Math.round(paper + ink.values()[y * n + x] * (pen - paper)));
      }
    }
    return img;
  }

  /** PNG bytes via ImageIO. */
  static byte[] png(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, "png", out)) {
      throw new IOException("no PNG writer for " + image);
    }
    return out.toByteArray();
  }

  /**
   * Returns the stored pixels that, displayed with EXIF {@code orientation}, show {@code upright}:
   * the inverse of the transformation the tag asks for, built from quarter turns and mirrors rather
   * than from the tag's pixel table, so that it checks {@link ExifOrientation#apply}.
   */
  static BufferedImage storedFor(BufferedImage upright, int orientation) {
    return switch (orientation) {
      case 1 -> upright;
      case 2 -> mirrored(upright); // mirrored left-right
      case 3 -> turnedClockwise(turnedClockwise(upright)); // rotated 180°
      case 4 -> mirrored(turnedClockwise(turnedClockwise(upright))); // mirrored top-bottom
      case 5 -> mirrored(turnedClockwise(upright)); // transposed
      case 6 -> turnedClockwise(turnedClockwise(turnedClockwise(upright))); // to turn clockwise
      case 7 -> turnedClockwise(mirrored(upright)); // transversed
      default -> turnedClockwise(upright); // 8: to be turned counter-clockwise for display
    };
  }

  /** The image turned a quarter clockwise: its bottom-left pixel becomes the top-left one. */
  static BufferedImage turnedClockwise(BufferedImage image) {
    int h = image.getHeight();
    return copied(
        image, h, image.getWidth(), (src, x, y) -> src.getDataElements(y, h - 1 - x, null));
  }

  /** The image mirrored left-right. */
  static BufferedImage mirrored(BufferedImage image) {
    int w = image.getWidth();
    return copied(
        image, w, image.getHeight(), (src, x, y) -> src.getDataElements(w - 1 - x, y, null));
  }

  /** Where each pixel of a copy comes from. */
  @FunctionalInterface
  private interface PixelSource {
    Object pixel(Raster source, int x, int y);
  }

  /** A {@code w} x {@code h} image of the same type whose pixel (x, y) {@code from} names. */
  private static BufferedImage copied(BufferedImage image, int w, int h, PixelSource from) {
    BufferedImage out = new BufferedImage(w, h, image.getType());
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        out.getRaster().setDataElements(x, y, from.pixel(image.getRaster(), x, y));
      }
    }
    return out;
  }

  /** Baseline (or progressive) JPEG at the given quality. */
  static byte[] jpeg(BufferedImage image, float quality, boolean progressive) throws IOException {
    BufferedImage rgb = image;
    if (image.getColorModel().hasAlpha() || image.getType() == BufferedImage.TYPE_CUSTOM) {
      rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
      rgb.getGraphics().drawImage(image, 0, 0, null);
    }
    return writeJpeg(new IIOImage(rgb, null, null), quality, progressive);
  }

  /**
   * A CMYK JPEG (4 components, Adobe APP14 marker, no colour transform) of a gray image: ink goes
   * to the K channel. Samples are stored inverted, as Photoshop does and as readers expect for
   * Adobe CMYK files.
   */
  static byte[] cmykJpeg(BufferedImage gray, float quality) throws IOException {
    int w = gray.getWidth();
    int h = gray.getHeight();
    WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    Raster src = gray.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int lum = src.getSample(x, y, 0); // 0 black .. 255 white
        int k = 255 - lum;
        // A slightly warm black: a little cyan and magenta under the key, as print blacks have.
        cmyk.setSample(x, y, 0, 255 - k / 4);
        cmyk.setSample(x, y, 1, 255 - k / 5);
        cmyk.setSample(x, y, 2, 255);
        cmyk.setSample(x, y, 3, 255 - k);
      }
    }
    byte[] jpeg = writeJpeg(new IIOImage(cmyk, null, null), quality, false);
    // The JDK writes a 4-band raster without an Adobe marker, which readers take for RGBA or YCCK;
    // add APP14 "Adobe" with transform 0 (no colour transform: the 4 components are CMYK).
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.writeBytes(
        new byte[] {
          (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0
        });
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  private static byte[] writeJpeg(IIOImage image, float quality, boolean progressive)
      throws IOException {
    ImageWriter writer = jdkJpegWriter();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        if (progressive) {
          param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        writer.write(null, image, param);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }

  /** The JDK's own JPEG writer (it writes 4-band rasters as Adobe CMYK). */
  private static ImageWriter jdkJpegWriter() {
    Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
    ImageWriter fallback = null;
    while (it.hasNext()) {
      ImageWriter w = it.next();
      if (w.getClass().getName().startsWith("com.sun.")) {
        return w;
      }
      fallback = fallback == null ? w : fallback;
    }
    if (fallback == null) {
      throw new IllegalStateException("no JPEG writer");
    }
    return fallback;
  }

  /** Minimal big-endian TIFF structure whose IFD0 holds only the Orientation tag. */
  static byte[] exifTiff(int orientation) {
    ByteBuffer tiff = ByteBuffer.allocate(26);
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
    tiff.putShort((short) 1); // one IFD entry
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1);
    tiff.putShort((short) orientation).putShort((short) 0);
    tiff.putInt(0); // no next IFD
    return tiff.array();
  }

  /** Inserts an Exif APP1 segment with the Orientation tag after the JPEG's SOI/APP0. */
  static byte[] withJpegOrientation(byte[] jpeg, int orientation) {
    byte[] tiff = exifTiff(orientation);
    int at = 2;
    if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
      at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, at);
    int length = 2 + 6 + tiff.length;
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length});
    out.writeBytes("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(tiff);
    out.write(jpeg, at, jpeg.length - at);
    return out.toByteArray();
  }

  /** Inserts an {@code eXIf} chunk with the Orientation tag right after the PNG's IHDR. */
  static byte[] withPngOrientation(byte[] png, int orientation) {
    int at = 8 + 12 + 13; // signature + IHDR chunk
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, at);
    pngChunk(out, "eXIf", exifTiff(orientation));
    out.write(png, at, png.length - at);
    return out.toByteArray();
  }

  static void pngChunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /**
   * A lossless WebP (VP8L) file of an 8-bit gray image, written by hand since no ImageIO WebP
   * writer exists: one subtract-green transform (so red and blue are 0 and need no bits), green
   * coded with a flat 8-bit prefix code, red/blue/alpha/distance as single-symbol codes.
   */
  static byte[] losslessWebp(BufferedImage gray) {
    int w = gray.getWidth();
    int h = gray.getHeight();
    BitWriter bits = new BitWriter();
    bits.write(0x2F, 8); // VP8L signature
    bits.write(w - 1, 14);
    bits.write(h - 1, 14);
    bits.write(0, 1); // alpha_is_used
    bits.write(0, 3); // version
    bits.write(1, 1); // a transform follows
    bits.write(2, 2); // SUBTRACT_GREEN
    bits.write(0, 1); // no more transforms
    bits.write(0, 1); // no colour cache
    bits.write(0, 1); // no meta prefix codes
    // Green + length prefixes (256 + 24 symbols): normal code, all literals length 8.
    bits.write(0, 1); // normal (not simple) code
    bits.write(12 - 4, 4); // 12 code-length-code lengths, order 17,18,0,1,2,3,4,5,16,6,7,8
    int[] clcl = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}; // symbols 0 and 8 get 1-bit codes
    for (int l : clcl) {
      bits.write(l, 3);
    }
    bits.write(0, 1); // max_symbol = alphabet size
    for (int i = 0; i < 256 + 24; i++) {
      bits.write(i < 256 ? 1 : 0, 1); // code for "length 8" is 1, for "length 0" is 0
    }
    simpleCode(bits, 0); // red
    simpleCode(bits, 0); // blue
    simpleCode(bits, 255); // alpha
    simpleCode(bits, 0); // distance
    Raster r = gray.getRaster();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int g = r.getSample(x, y, 0);
        for (int b = 7; b >= 0; b--) { // prefix codes are read MSB first
          bits.write((g >> b) & 1, 1);
        }
      }
    }
    byte[] vp8l = bits.toByteArray();
    int chunk = vp8l.length + (vp8l.length & 1);
    ByteBuffer file = ByteBuffer.allocate(12 + 8 + chunk).order(ByteOrder.LITTLE_ENDIAN);
    file.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + 8 + chunk);
    file.put("WEBP".getBytes(StandardCharsets.US_ASCII));
    file.put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(vp8l.length);
    file.put(vp8l);
    return file.array();
  }

  private static void simpleCode(BitWriter bits, int symbol) {
    bits.write(1, 1); // simple code
    bits.write(0, 1); // one symbol
    bits.write(1, 1); // 8-bit symbol
    bits.write(symbol, 8);
  }

  /** LSB-first bit packer (VP8L bit order). */
  private static final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long acc;
    private int n;

    void write(int value, int count) {
      acc |= ((long) value & ((1L << count) - 1)) << n;
      n += count;
      while (n >= 8) {
        out.write((int) (acc & 0xFF));
        acc >>>= 8;
        n -= 8;
      }
    }

    byte[] toByteArray() {
      if (n > 0) {
        out.write((int) (acc & 0xFF));
        acc = 0;
        n = 0;
      }
      return out.toByteArray();
    }
  }
}

package dev.minigradient.model.preprocess;

import static dev.minigradient.model.preprocess.Pixels.borderIndices;
import static dev.minigradient.model.preprocess.Pixels.clamp01;
import static dev.minigradient.model.preprocess.Pixels.median;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The steps every layout shares: an encoded image (PNG, JPEG incl. CMYK and progressive, WebP, GIF,
 * BMP, ... whatever {@link ImageIO} and the TwelveMonkeys plugins on the class path can read) to an
 * upright luminance image.
 *
 * <p>Decode with an {@link ImageReader} (the pixel count is checked from the header before any
 * pixel is decoded; truncated JPEG and WebP are refused); read raster <em>samples</em> (never
 * {@code getRGB}, which converts gray levels through colour spaces) and turn them into luminance in
 * [0,1] (ITU-R BT.601 weights), for 1 to 4 bands, any bit depth and palettes, compositing alpha
 * over the image's background; very large images are area-averaged down to at most {@link
 * #MAX_WORKING_PIXELS} on the way; apply the EXIF orientation tag (JPEG APP1, PNG {@code eXIf},
 * WebP {@code EXIF}; see {@link ExifOrientation}) so a photo is upright as its camera meant.
 *
 * <p>Deterministic; immutable and thread-safe (each call uses its own decoder).
 */
final class ImageDecoder {

  /** Decoded images are area-averaged down to at most this many pixels before processing. */
  static final long MAX_WORKING_PIXELS = 4_000_000L;

  /** Columns read from the raster per call, to bound the row buffer for very wide images. */
  private static final int CHUNK = 4096;

  private final long maxPixels;

  /**
   * Creates a decoder.
   *
   * @param maxPixels largest accepted width*height, read from the image header before decoding
   */
  ImageDecoder(long maxPixels) {
    this.maxPixels = maxPixels;
  }

  /**
   * Decodes an image into upright luminance.
   *
   * @param bytes the encoded image file
   * @return the image, values in [0,1]
   * @throws InvalidInputException with reason {@code empty-input}, {@code not-an-image}, {@code
   *     too-many-pixels} or {@code undecodable-image} (see {@link MnistPreprocessor#preprocess})
   */
  GrayImage decode(byte[] bytes) throws InvalidInputException {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidInputException("empty-input", "the input contains no bytes");
    }
    GrayImage gray = toGray(read(bytes));
    return ExifOrientation.apply(gray, ExifOrientation.of(bytes));
  }

  private BufferedImage read(byte[] bytes) throws InvalidInputException {
    // MemoryCacheImageInputStream: ImageIO.createImageInputStream may cache to a temp file.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new InvalidInputException(
            "not-an-image", "no image decoder recognises the " + bytes.length + " input bytes");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width;
        int height;
        try {
          width = reader.getWidth(0);
          height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
          throw undecodable("cannot read the image header", e);
        }
        if (width <= 0 || height <= 0) {
          throw new InvalidInputException(
              "undecodable-image", "the header declares a " + width + "x" + height + " image");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
          throw new InvalidInputException(
              "too-many-pixels",
              "the image is "
                  + width
                  + "x"
                  + height
                  + " = "
                  + pixels
                  + " pixels, more than "
                  + maxPixels);
        }
        String riffProblem = riffTruncation(bytes);
        if (riffProblem != null) {
          throw new InvalidInputException(
              "undecodable-image", "the image is truncated: " + riffProblem);
        }
        // The JPEG decoder only warns about a truncated file (and fills the rest with gray).
        List<String> truncation = new ArrayList<>();
        reader.addIIOReadWarningListener(
            (source, warning) -> {
              if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                truncation.add(warning);
              }
            });
        BufferedImage image;
        try {
          image = reader.read(0);
        } catch (IOException | RuntimeException e) {
          throw undecodable("the " + reader.getFormatName() + " decoder failed", e);
        }
        if (!truncation.isEmpty()) {
          throw new InvalidInputException(
              "undecodable-image", "the image is truncated: " + truncation.get(0));
        }
        if (image == null) {
          throw new InvalidInputException("not-an-image", "the decoder returned no image");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw undecodable("cannot read the input", e);
    }
  }

  /**
   * For a RIFF container (WebP), which the WebP decoder reads silently past its end (leaving the
   * rest of the picture blank): a description of how it is cut short, or null when the declared
   * RIFF size and every chunk fit in the bytes (or the input is not RIFF).
   */
  static String riffTruncation(byte[] b) {
    if (b.length < 12 || b[0] != 'R' || b[1] != 'I' || b[2] != 'F' || b[3] != 'F') {
      return null;
    }
    long declared = le32(b, 4) + 8;
    if (declared > b.length) {
      return "the RIFF header declares " + declared + " bytes, only " + b.length + " present";
    }
    long p = 12;
    while (p + 8 <= declared) {
      long end = p + 8 + le32(b, (int) p + 4);
      if (end > declared) {
        return "a chunk at byte "
            + p
            + " ends at "
            + end
            + ", past the end of the file ("
            + declared
            + ")";
      }
      p = end + (end & 1);
    }
    return null;
  }

  private static long le32(byte[] b, int i) {
    return (b[i] & 0xFFL)
        | (b[i + 1] & 0xFFL) << 8
        | (b[i + 2] & 0xFFL) << 16
        | (b[i + 3] & 0xFFL) << 24;
  }

  private static InvalidInputException undecodable(String what, Exception e) {
    String detail = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return new InvalidInputException("undecodable-image", what + ": " + detail, e);
  }

  // ---------------------------------------------------------------- samples -> luminance

  private static final float WR = 0.299f;
  private static final float WG = 0.587f;
  private static final float WB = 0.114f;

  /**
   * Reads the raster's samples into luminance in [0,1], compositing alpha over the background and
   * area-averaging very large images by an integer factor.
   */
  private static GrayImage toGray(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int f = 1;
    while ((long) ceilDiv(w, f) * ceilDiv(h, f) > MAX_WORKING_PIXELS) {
      f++;
    }
    int rw = ceilDiv(w, f);
    int rh = ceilDiv(h, f);
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    SampleModel sm = raster.getSampleModel();
    int bands = raster.getNumBands();

    // Per pixel: premultiplied luminance (alpha * lum) and alpha, summed per working cell.
    float[] premul = new float[rw * rh];
    float[] alphaSum = cm.hasAlpha() ? new float[rw * rh] : null;

    float[] lumLut = null;
    float[] alphaLut = null;
    float[] scale = new float[bands];
    int colourBands = 1;
    int alphaBand = -1;
    boolean premultiplied = cm.isAlphaPremultiplied();
    if (cm instanceof IndexColorModel icm) {
      int n = icm.getMapSize();
      lumLut = new float[n];
      alphaLut = new float[n];
      for (int i = 0; i < n; i++) {
        lumLut[i] = (WR * icm.getRed(i) + WG * icm.getGreen(i) + WB * icm.getBlue(i)) / 255f;
        alphaLut[i] = icm.getAlpha(i) / 255f;
      }
      premultiplied = false;
    } else {
      boolean floatingSamples =
          sm.getDataType() == DataBuffer.TYPE_FLOAT || sm.getDataType() == DataBuffer.TYPE_DOUBLE;
      for (int b = 0; b < bands; b++) {
        int bits = sm.getSampleSize(b);
        scale[b] = floatingSamples ? 1f : (float) (1.0 / ((1L << Math.min(bits, 62)) - 1));
      }
      alphaBand = cm.hasAlpha() ? Math.min(cm.getNumComponents(), bands) - 1 : -1;
      int colourComponents = alphaBand >= 0 ? alphaBand : bands;
      colourBands = colourComponents >= 3 ? 3 : 1;
    }

    // Integer samples are read as int[] (rasters have fast paths for it), others as float[].
    boolean floating =
        sm.getDataType() == DataBuffer.TYPE_FLOAT || sm.getDataType() == DataBuffer.TYPE_DOUBLE;
    int[] ints = floating ? null : new int[Math.min(w, CHUNK) * bands];
    float[] buf = new float[Math.min(w, CHUNK) * bands];
    for (int y = 0; y < h; y++) {
      int rowBase = (y / f) * rw;
      for (int x0 = 0; x0 < w; x0 += CHUNK) {
        int n = Math.min(CHUNK, w - x0);
        if (floating) {
          raster.getPixels(x0, y, n, 1, buf);
        } else if (!readBytes(raster, x0, y, n, bands, buf)) {
          raster.getPixels(x0, y, n, 1, ints);
          for (int k = 0; k < n * bands; k++) {
            // unsigned view of 32-bit samples; exact for up to 24 bits
            buf[k] = (float) (ints[k] & 0xFFFFFFFFL);
          }
        }
        for (int i = 0; i < n; i++) {
          int p = i * bands;
          float lum;
          float a;
          if (lumLut != null) {
            int index = (int) buf[p];
            if (index < 0 || index >= lumLut.length) {
              index = 0;
            }
            lum = lumLut[index];
            a = alphaLut[index];
          } else {
            lum =
                colourBands == 3
                    ? WR * buf[p] * scale[0]
                        + WG * buf[p + 1] * scale[1]
                        + WB * buf[p + 2] * scale[2]
                    : buf[p] * scale[0];
            a = alphaBand >= 0 ? buf[p + alphaBand] * scale[alphaBand] : 1f;
          }
          a = clamp01(a);
          int cell = rowBase + (x0 + i) / f;
          premul[cell] += (premultiplied ? lum : a * lum);
          if (alphaSum != null) {
            alphaSum[cell] += a;
          }
        }
      }
    }

    float[] counts = new float[rw * rh];
    for (int cy = 0; cy < rh; cy++) {
      int ch = Math.min(f, h - cy * f);
      for (int cx = 0; cx < rw; cx++) {
        counts[cy * rw + cx] = (float) ch * Math.min(f, w - cx * f);
      }
    }
    float[] v = new float[rw * rh];
    if (alphaSum == null) {
      for (int i = 0; i < v.length; i++) {
        v[i] = clamp01(premul[i] / counts[i]);
      }
    } else {
      float background = alphaBackground(premul, alphaSum, counts, rw, rh);
      for (int i = 0; i < v.length; i++) {
        v[i] = clamp01((premul[i] + (counts[i] - alphaSum[i]) * background) / counts[i]);
      }
    }
    return new GrayImage(v, rw, rh);
  }

  /**
   * Fast path for byte rasters with a component sample model (8-bit gray, RGB, BGR, RGBA, ...):
   * copies the samples of {@code n} pixels from ({@code x0}, {@code y}) into {@code buf}, band
   * interleaved. Returns false, touching nothing, for any other layout.
   */
  private static boolean readBytes(Raster raster, int x0, int y, int n, int bands, float[] buf) {
    if (!(raster.getDataBuffer() instanceof DataBufferByte db)
        || !(raster.getSampleModel() instanceof ComponentSampleModel csm)
        || csm.getNumBands() != bands) {
      return false;
    }
    int[] bankIndices = csm.getBankIndices();
    int[] bandOffsets = csm.getBandOffsets();
    int pixelStride = csm.getPixelStride();
    int row =
        (y - raster.getSampleModelTranslateY()) * csm.getScanlineStride()
            + (x0 - raster.getSampleModelTranslateX()) * pixelStride;
    for (int b = 0; b < bands; b++) {
      byte[] data = db.getData(bankIndices[b]);
      int pos = db.getOffsets()[bankIndices[b]] + row + bandOffsets[b];
      for (int i = 0, k = b; i < n; i++, k += bands, pos += pixelStride) {
        buf[k] = data[pos] & 0xFF;
      }
    }
    return true;
  }

  /**
   * Luminance that transparent pixels stand for: the median of the opaque border when most of the
   * border is opaque; otherwise (transparent background) the opposite extreme of the ink's mean.
   */
  private static float alphaBackground(
      float[] premul, float[] alpha, float[] counts, int w, int h) {
    int[] border = borderIndices(w, h);
    float[] opaque = new float[border.length];
    int n = 0;
    for (int i : border) {
      if (alpha[i] > 0.5f * counts[i]) {
        opaque[n++] = premul[i] / alpha[i];
      }
    }
    if (n * 2 >= border.length) {
      return median(Arrays.copyOf(opaque, n));
    }
    double ink = 0;
    double weight = 0;
    for (int i = 0; i < premul.length; i++) {
      ink += premul[i];
      weight += alpha[i];
    }
    return weight > 0 && ink / weight >= 0.5 ? 0f : 1f;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}

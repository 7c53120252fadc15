package dev.minigradient.model.preprocess;

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
 * Turns an encoded image (PNG, JPEG incl. CMYK and progressive, WebP, GIF, BMP, ... whatever
 * {@link ImageIO} and the TwelveMonkeys plugins on the class path can read) into the
 * input tensor of an MNIST classifier, following the normalisation MNIST itself used (LeCun,
 * Bottou, Bengio, Haffner 1998; <a href="http://yann.lecun.com/exdb/mnist/">MNIST page</a>): the
 * digit's bounding box is scaled, keeping its aspect ratio and with anti-aliasing, to fit a 20x20
 * box, placed in a 28x28 field and translated so that its intensity centre of mass sits at the
 * centre of the field.
 *
 * <p>Steps: decode with an {@link ImageReader} (the pixel count is checked from the header before
 * any pixel is decoded); read raster <em>samples</em> (never {@code getRGB}, which converts gray
 * levels through colour spaces) and turn them into luminance in [0,1] (ITU-R BT.601 weights), for
 * 1 to 4 bands, any bit depth and palettes, compositing alpha over the image's background; very
 * large images are area-averaged down to at most 4 million pixels on the way; apply the EXIF
 * orientation tag (JPEG APP1, PNG {@code eXIf}, WebP {@code EXIF}; see {@link ExifOrientation}) so
 * a photo is upright as its camera meant;
 * make the digit light on dark (invert when the border is on the light side of the image's range);
 * subtract the background level estimated from the border and rescale so the strongest ink is 1;
 * crop to the pixels above 0.1; resample (area average when shrinking, bilinear
 * when enlarging) so the longer side is 20 px; paste into a black 28x28 canvas at the
 * integer offset that puts the centre of mass at (14, 14) in pixel-index coordinates.
 *
 * <p>All arithmetic is sequential and deterministic: the same bytes always give bit-identical
 * output. Instances are immutable and thread-safe (each call uses its own decoder).
 */
public final class MnistPreprocessor {

  /** Side of the square output in pixels: the tensor is {@code SIZE x SIZE}. */
  public static final int SIZE = 28;

  /** Longer side, in output pixels, of the digit's bounding box (MNIST: 20). */
  static final int BOX = 20;

  /** Normalised intensity above which a pixel counts as ink for the bounding box. */
  static final float INK_THRESHOLD = 0.1f;

  /** Ink threshold of the {@link Layout#FASHION} layout: garments have faint, meaningful edges. */
  static final float FASHION_INK_THRESHOLD = 0.0f;

  /** Smallest ink-over-background contrast (in [0,1] luminance) that is not a blank image. */
  static final float MIN_CONTRAST = 0.04f;

  /** Decoded images are area-averaged down to at most this many pixels before processing. */
  static final long MAX_WORKING_PIXELS = 4_000_000L;

  /**
   * An upper bound on the heap one {@link #preprocess} call takes for an image of {@code pixels}
   * pixels: the decoded raster at 8 bytes per pixel (16-bit RGBA, the widest PNG) and the two
   * float working arrays of at most {@link #MAX_WORKING_PIXELS} cells.
   *
   * @param pixels width * height
   * @return bytes
   */
  public static long peakHeapBytes(long pixels) {
    return pixels * 8 + 2 * 4 * MAX_WORKING_PIXELS;
  }

  /** Columns read from the raster per call, to bound the row buffer for very wide images. */
  private static final int CHUNK = 4096;

  private final long maxPixels;
  private final Layout layout;

  /**
   * How the object is laid out in the 28x28 output.
   *
   * <ul>
   *   <li>{@link #DIGIT}: MNIST's recipe (LeCun et al.): ink stretched to full contrast, its
   *       bounding box fitted into 20x20, centred by centre of mass.
   *   <li>{@link #FASHION}: Fashion-MNIST's recipe (Xiao, Rasul, Vollgraf 2017, "Fashion-MNIST",
   *       arXiv:1708.07747): intensities kept (after background removal), the object trimmed to
   *       its bounding box, its longer side resized to 28, centred by the box.
   * </ul>
   */
  public enum Layout {
    /** Handwritten digits, as MNIST. */
    DIGIT,
    /** Clothing pictures, as Fashion-MNIST. */
    FASHION
  }

  /** Creates a preprocessor that accepts images of up to {@link InputLimits#MAX_PIXELS} pixels. */
  public MnistPreprocessor() {
    this(InputLimits.MAX_PIXELS);
  }

  /**
   * Creates a digit preprocessor with a custom size limit.
   *
   * @param maxPixels largest accepted width*height, read from the image header before decoding
   * @throws IllegalArgumentException if {@code maxPixels <= 0}
   */
  public MnistPreprocessor(long maxPixels) {
    this(maxPixels, Layout.DIGIT);
  }

  /**
   * Creates a preprocessor with a custom size limit and layout.
   *
   * @param maxPixels largest accepted width*height, read from the image header before decoding
   * @param layout how the object is laid out in the output
   * @throws IllegalArgumentException if {@code maxPixels <= 0}
   */
  public MnistPreprocessor(long maxPixels, Layout layout) {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive: " + maxPixels);
    }
    this.maxPixels = maxPixels;
    this.layout = java.util.Objects.requireNonNull(layout, "layout");
  }

  /**
   * Decodes and preprocesses one image. Thread-safe and deterministic.
   *
   * @param imageBytes the encoded image file (any format ImageIO reads)
   * @return {@code float[SIZE * SIZE]} (784), row-major (index {@code y * 28 + x}), white digit on
   *     black, every value in [0,1]
   * @throws InvalidInputException with reason {@code empty-input} (null or no bytes),
   *     {@code not-an-image} (no ImageIO reader recognises the bytes, or it returns no image),
   *     {@code too-many-pixels} (header says width*height exceeds the limit), {@code
   *     undecodable-image} (the decoder fails, or the file is truncated: a JPEG whose data ends
   *     early, a WebP shorter than its RIFF header says) or {@code blank-image} (no
   *     ink left after background removal)
   */
  public float[] preprocess(byte[] imageBytes) throws InvalidInputException {
    if (imageBytes == null || imageBytes.length == 0) {
      throw new InvalidInputException("empty-input", "the input contains no bytes");
    }
    Gray gray = toGray(decode(imageBytes));
    Gray oriented = orient(gray, ExifOrientation.of(imageBytes));
    return layout == Layout.DIGIT ? normaliseDigit(oriented) : normaliseFashion(oriented);
  }

  // ---------------------------------------------------------------- decoding

  private BufferedImage decode(byte[] bytes) throws InvalidInputException {
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
              "the image is " + width + "x" + height + " = " + pixels + " pixels, more than "
                  + maxPixels);
        }
        String riffProblem = riffTruncation(bytes);
        if (riffProblem != null) {
          throw new InvalidInputException("undecodable-image", "the image is truncated: "
              + riffProblem);
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
        return "a chunk at byte " + p + " ends at " + end + ", past the end of the file ("
            + declared + ")";
      }
      p = end + (end & 1);
    }
    return null;
  }

  private static long le32(byte[] b, int i) {
    return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16
        | (b[i + 3] & 0xFFL) << 24;
  }

  private static InvalidInputException undecodable(String what, Exception e) {
    String detail = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return new InvalidInputException("undecodable-image", what + ": " + detail, e);
  }

  // ---------------------------------------------------------------- samples -> luminance

  /** A row-major luminance image, values in [0,1]. */
  record Gray(float[] v, int w, int h) {}

  private static final float WR = 0.299f;
  private static final float WG = 0.587f;
  private static final float WB = 0.114f;

  /**
   * Reads the raster's samples into luminance in [0,1], compositing alpha over the background and
   * area-averaging very large images by an integer factor.
   */
  private static Gray toGray(BufferedImage image) {
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
                    ? WR * buf[p] * scale[0] + WG * buf[p + 1] * scale[1]
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
    return new Gray(v, rw, rh);
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

  // ---------------------------------------------------------------- EXIF orientation

  /**
   * Returns the image as it is meant to be displayed for an EXIF orientation (1 to 8): pixel
   * (x, y) of the result is taken from the stored pixel named in the TIFF 6.0 / EXIF 2.3 table.
   */
  static Gray orient(Gray g, int orientation) {
    if (orientation <= ExifOrientation.NORMAL || orientation > 8) {
      return g;
    }
    int w = g.w();
    int h = g.h();
    float[] src = g.v();
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    float[] out = new float[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> { sx = w - 1 - x; sy = y; }
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
          case 4 -> { sx = x; sy = h - 1 - y; }
          case 5 -> { sx = y; sy = x; }
          case 6 -> { sx = y; sy = h - 1 - x; }
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
          default -> { sx = w - 1 - y; sy = x; } // 8
        }
        out[y * ow + x] = src[sy * w + sx];
      }
    }
    return new Gray(out, ow, oh);
  }

  // ---------------------------------------------------------------- Fashion-MNIST normalisation

  /**
   * Fashion-MNIST's layout. A garment may fill the frame, so the background is read from the
   * four corners rather than the whole border: light corners (a product photo on white) mean
   * the picture is inverted; the corner level is then subtracted and the rest rescaled, which is
   * the identity on an image already in Fashion-MNIST's format (black corners).
   */
  private static float[] normaliseFashion(Gray g) throws InvalidInputException {
    float[] v = g.v();
    int w = g.w();
    int h = g.h();
    int k = Math.max(1, Math.min(w, h) / 14);
    float[] corners = new float[4 * k * k];
    int c = 0;
    for (int dy = 0; dy < k; dy++) {
      for (int dx = 0; dx < k; dx++) {
        corners[c++] = v[dy * w + dx];
        corners[c++] = v[dy * w + (w - 1 - dx)];
        corners[c++] = v[(h - 1 - dy) * w + dx];
        corners[c++] = v[(h - 1 - dy) * w + (w - 1 - dx)];
      }
    }
    float bg = median(corners);
    if (bg > 0.5f) {
      for (int i = 0; i < v.length; i++) {
        v[i] = 1f - v[i];
      }
      bg = 1f - bg;
    }
    float scale = bg < 1f ? 1f / (1f - bg) : 1f;
    float peak = 0f;
    for (int i = 0; i < v.length; i++) {
      float x = (v[i] - bg) * scale;
      v[i] = x > 0f ? Math.min(1f, x) : 0f;
      peak = Math.max(peak, v[i]);
    }
    if (peak < MIN_CONTRAST) {
      throw new InvalidInputException(
          "blank-image", "no object: the strongest contrast to the background is " + peak);
    }
    return layOut(v, w, h, SIZE, FASHION_INK_THRESHOLD, false);
  }

  // ---------------------------------------------------------------- MNIST normalisation

  private static float[] normaliseDigit(Gray g) throws InvalidInputException {
    float[] v = g.v();
    int w = g.w();
    int h = g.h();
    int[] border = borderIndices(w, h);

    // Polarity: the digit must be light on dark.
    float[] b = gather(v, border);
    float m = median(b.clone());
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    float below = m - min;
    float above = max - m;
    if (below > above || (below == above && m > 0.5f)) {
      for (int i = 0; i < v.length; i++) {
        v[i] = 1f - v[i];
      }
      b = gather(v, border);
      m = 1f - m;
      max = 1f - min;
    }

    // Background level: a high percentile of the border values that are nearer the border median
    // than the brightest ink, so uneven (e.g. gradient) backgrounds vanish but ink touching the
    // border does not count as background.
    Arrays.sort(b);
    float window = m + 0.5f * (max - m);
    int n = 0;
    while (n < b.length && b[n] <= window) {
      n++;
    }
    float background = n == 0 ? m : b[Math.min(n - 1, (int) Math.floor(0.95 * (n - 1) + 0.5))];

    float peak = 0f;
    for (int i = 0; i < v.length; i++) {
      float x = v[i] - background;
      v[i] = x > 0f ? x : 0f;
      peak = Math.max(peak, v[i]);
    }
    if (peak < MIN_CONTRAST) {
      throw new InvalidInputException(
          "blank-image",
          "no ink: the strongest contrast to the background is " + peak + " (needs "
              + MIN_CONTRAST + ")");
    }
    float inv = 1f / peak;
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.min(1f, v[i] * inv);
    }
    removeRulings(v, w, h);
    return layOut(v, w, h, BOX, INK_THRESHOLD, true);
  }

  /**
   * On a page (a side of at least {@link #RULING_MIN_SIDE} px), an ink pixel counts for the
   * bounding box only if at least this many of its 8 neighbours are ink too, so specks such as
   * JPEG ringing around printed lines do not stretch the box, while strokes, which are blobs,
   * keep their faint edges.
   */
  static final int PAGE_INK_NEIGHBOURS = 5;

  private static int inkNeighbours(float[] v, int w, int h, int x, int y, float threshold) {
    int n = 0;
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        int xx = x + dx;
        int yy = y + dy;
        if ((dx != 0 || dy != 0) && xx >= 0 && yy >= 0 && xx < w && yy < h && v[yy * w + xx] > threshold) {
          n++;
        }
      }
    }
    return n;
  }

  /** Smallest side, px, of a page on which straight rulings are looked for (not a digit crop). */
  static final int RULING_MIN_SIDE = 64;

  /** Fraction of a row or column that must be marked for it to be a ruling, not a stroke. */
  static final float RULING_COVERAGE = 0.9f;

  /**
   * Level above which a pixel counts as marked when looking for rulings: below the ink threshold,
   * so the faint rows a JPEG smears a printed line into are found too.
   */
  static final float RULING_THRESHOLD = 0.04f;

  /**
   * Removes the rulings of lined, squared or margin-ruled paper: a row (or column) of a page that
   * is ink along at least {@link #RULING_COVERAGE} of its length is a printed line, not a
   * handwritten stroke, so its own level (the row's median) is subtracted, which keeps the ink of a
   * digit that crosses it. Skipped on small images, where a digit may fill the frame.
   */
  static void removeRulings(float[] v, int w, int h) {
    if (w >= RULING_MIN_SIDE) {
      float[] row = new float[w];
      for (int y = 0; y < h; y++) {
        int ink = 0;
        for (int x = 0; x < w; x++) {
          row[x] = v[y * w + x];
          ink += row[x] > RULING_THRESHOLD ? 1 : 0;
        }
        if (ink >= RULING_COVERAGE * w) {
          float level = median(row);
          for (int x = 0; x < w; x++) {
            v[y * w + x] = Math.max(0f, v[y * w + x] - level);
          }
        }
      }
    }
    if (h >= RULING_MIN_SIDE) {
      float[] col = new float[h];
      for (int x = 0; x < w; x++) {
        int ink = 0;
        for (int y = 0; y < h; y++) {
          col[y] = v[y * w + x];
          ink += col[y] > RULING_THRESHOLD ? 1 : 0;
        }
        if (ink >= RULING_COVERAGE * h) {
          float level = median(col);
          for (int y = 0; y < h; y++) {
            v[y * w + x] = Math.max(0f, v[y * w + x] - level);
          }
        }
      }
    }
  }

  /**
   * Crops {@code v} (w x h, light object on black, in [0,1]) to the box of pixels above {@code
   * inkThreshold}, fits its longer side into {@code box} keeping the aspect ratio, and places it
   * in SIZE x SIZE: centred by centre of mass ({@code byMass}) or by the box.
   */
  private static float[] layOut(float[] v, int w, int h, int box, float inkThreshold, boolean byMass)
      throws InvalidInputException {
    boolean page = byMass && (w >= RULING_MIN_SIDE || h >= RULING_MIN_SIDE);
    int x0 = w;
    int y0 = h;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (v[y * w + x] > inkThreshold && (!page || inkNeighbours(v, w, h, x, y, inkThreshold) >= PAGE_INK_NEIGHBOURS)) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    if (x1 < 0) {
      throw new InvalidInputException("blank-image", "no ink above the threshold");
    }
    int bw = x1 - x0 + 1;
    int bh = y1 - y0 + 1;

    // Fit the box into box x box, keeping the aspect ratio.
    double s = (double) box / Math.max(bw, bh);
    int nw = (int) Math.max(1, Math.min(box, Math.round(bw * s)));
    int nh = (int) Math.max(1, Math.min(box, Math.round(bh * s)));
    float[] patch = resample(v, w, x0, y0, bw, bh, nw, nh);

    // Centre of mass, then an integer shift that puts it at (SIZE/2, SIZE/2).
    double sum = 0;
    double sx = 0;
    double sy = 0;
    for (int y = 0; y < nh; y++) {
      for (int x = 0; x < nw; x++) {
        float p = patch[y * nw + x];
        sum += p;
        sx += x * (double) p;
        sy += y * (double) p;
      }
    }
    if (sum <= 0) {
      throw new InvalidInputException("blank-image", "no ink left after scaling");
    }
    int ox = byMass ? (int) Math.round(SIZE / 2.0 - sx / sum) : (SIZE - nw) / 2;
    int oy = byMass ? (int) Math.round(SIZE / 2.0 - sy / sum) : (SIZE - nh) / 2;
    float[] out = new float[SIZE * SIZE];
    for (int y = 0; y < nh; y++) {
      int ty = y + oy;
      if (ty < 0 || ty >= SIZE) {
        continue;
      }
      for (int x = 0; x < nw; x++) {
        int tx = x + ox;
        if (tx >= 0 && tx < SIZE) {
          out[ty * SIZE + tx] = clamp01(patch[y * nw + x]);
        }
      }
    }
    return out;
  }

  /** Separable resampling of a {@code bw x bh} region at (x0, y0) of {@code src} to nw x nh. */
  private static float[] resample(
      float[] src, int stride, int x0, int y0, int bw, int bh, int nw, int nh) {
    Kernel kx = kernel(bw, nw);
    Kernel ky = kernel(bh, nh);
    float[] rows = new float[bh * nw];
    for (int y = 0; y < bh; y++) {
      int base = (y0 + y) * stride + x0;
      for (int x = 0; x < nw; x++) {
        float[] wt = kx.weights[x];
        int start = kx.start[x];
        float acc = 0f;
        for (int k = 0; k < wt.length; k++) {
          acc += wt[k] * src[base + start + k];
        }
        rows[y * nw + x] = acc;
      }
    }
    float[] out = new float[nw * nh];
    for (int y = 0; y < nh; y++) {
      float[] wt = ky.weights[y];
      int start = ky.start[y];
      for (int x = 0; x < nw; x++) {
        float acc = 0f;
        for (int k = 0; k < wt.length; k++) {
          acc += wt[k] * rows[(start + k) * nw + x];
        }
        out[y * nw + x] = acc;
      }
    }
    return out;
  }

  /** 1-D resampling weights: output pixel i = sum_k weights[i][k] * input[start[i] + k]. */
  private record Kernel(int[] start, float[][] weights) {}

  private static Kernel kernel(int n, int m) {
    int[] start = new int[m];
    float[][] weights = new float[m][];
    double scale = (double) n / m;
    if (m < n) {
      // Shrinking: exact area averaging (each output pixel covers `scale` input pixels).
      for (int i = 0; i < m; i++) {
        double a = i * scale;
        double b = (i + 1) * scale;
        int s0 = (int) Math.floor(a);
        int s1 = Math.min(n, (int) Math.ceil(b));
        float[] wt = new float[s1 - s0];
        for (int j = s0; j < s1; j++) {
          double overlap = Math.min(b, j + 1) - Math.max(a, j);
          wt[j - s0] = (float) (Math.max(0, overlap) / scale);
        }
        start[i] = s0;
        weights[i] = wt;
      }
    } else {
      // Enlarging (or identity): bilinear interpolation with pixel centres aligned.
      for (int i = 0; i < m; i++) {
        double c = Math.max(0, Math.min(n - 1, (i + 0.5) * scale - 0.5));
        int j0 = (int) Math.floor(c);
        double t = c - j0;
        if (j0 + 1 < n && t > 0) {
          start[i] = j0;
          weights[i] = new float[] {(float) (1 - t), (float) t};
        } else {
          start[i] = j0;
          weights[i] = new float[] {1f};
        }
      }
    }
    return new Kernel(start, weights);
  }

  // ---------------------------------------------------------------- helpers

  /** Indices of the one-pixel frame of a w x h image, each once. */
  private static int[] borderIndices(int w, int h) {
    if (w == 1 || h == 1) {
      int[] all = new int[w * h];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] idx = new int[2 * w + 2 * (h - 2)];
    int n = 0;
    for (int x = 0; x < w; x++) {
      idx[n++] = x;
      idx[n++] = (h - 1) * w + x;
    }
    for (int y = 1; y < h - 1; y++) {
      idx[n++] = y * w;
      idx[n++] = y * w + w - 1;
    }
    return idx;
  }

  private static float[] gather(float[] v, int[] idx) {
    float[] out = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }

  /** Median (lower middle for even counts); sorts its argument. */
  private static float median(float[] values) {
    Arrays.sort(values);
    return values[(values.length - 1) / 2];
  }

  private static float clamp01(float x) {
    return x < 0f ? 0f : (x > 1f ? 1f : x);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}

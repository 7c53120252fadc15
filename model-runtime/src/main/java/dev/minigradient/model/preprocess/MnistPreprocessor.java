package dev.minigradient.model.preprocess;

import java.util.Objects;

/**
 * Turns an encoded image into the input tensor of a 28x28 classifier: the steps every model shares
 * (decode, colour to luminance, EXIF orientation: {@code ImageDecoder}), then the model's {@link
 * Layout} ({@link DigitLayout}, MNIST's recipe, by default; {@link FashionLayout}).
 *
 * <p>All arithmetic is sequential and deterministic: the same bytes always give bit-identical
 * output. Instances are immutable and thread-safe (each call uses its own decoder).
 */
public final class MnistPreprocessor {

  /** Side of the square output in pixels: the tensor is {@code SIZE x SIZE}. */
  public static final int SIZE = 28;

  /**
   * An upper bound on the heap one {@link #preprocess} call takes for an image of {@code pixels}
   * pixels: the decoded raster at 8 bytes per pixel (16-bit RGBA, the widest PNG) and the two float
   * working arrays of at most 4,000,000 cells (what decoding area-averages a larger image down to).
   *
   * @param pixels width * height
   * @return bytes
   */
  public static long peakHeapBytes(long pixels) {
    return pixels * 8 + 2 * 4 * ImageDecoder.MAX_WORKING_PIXELS;
  }

  private final ImageDecoder decoder;
  private final Layout layout;

  /**
   * Creates a digit preprocessor that accepts images of up to {@link InputLimits#MAX_PIXELS}
   * pixels.
   */
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
    this(maxPixels, new DigitLayout());
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
    this.decoder = new ImageDecoder(maxPixels);
    this.layout = Objects.requireNonNull(layout, "layout");
  }

  /**
   * Decodes and preprocesses one image. Thread-safe and deterministic.
   *
   * @param imageBytes the encoded image file (any format ImageIO reads)
   * @return {@code float[SIZE * SIZE]} (784), row-major (index {@code y * 28 + x}), white object on
   *     black, every value in [0,1]
   * @throws InvalidInputException with reason {@code empty-input} (null or no bytes), {@code
   *     not-an-image} (no ImageIO reader recognises the bytes, or it returns no image), {@code
   *     too-many-pixels} (header says width*height exceeds the limit), {@code undecodable-image}
   *     (the decoder fails, or the file is truncated: a JPEG whose data ends early, a WebP shorter
   *     than its RIFF header says) or {@code blank-image} (no ink left after background removal)
   */
  public float[] preprocess(byte[] imageBytes) throws InvalidInputException {
    return layout.layOut(decoder.decode(imageBytes));
  }
}

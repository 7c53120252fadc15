package dev.minigradient.model.preprocess;

import static dev.minigradient.model.preprocess.Pixels.borderIndices;
import static dev.minigradient.model.preprocess.Pixels.median;

import java.util.Arrays;

/**
 * MNIST's layout, {@code mnist-digit} (LeCun, Bottou, Bengio, Haffner 1998; <a
 * href="http://yann.lecun.com/exdb/mnist/">MNIST page</a>): make the digit light on dark (invert
 * when the border is on the light side of the image's range); subtract the background level
 * estimated from the border and rescale so the strongest ink is 1; remove the rulings of lined or
 * squared paper; crop to the pixels above {@link #INK_THRESHOLD} (ignoring specks on a page); fit
 * the longer side into {@link #BOX} px and translate so that the intensity centre of mass sits at
 * (14, 14) in pixel-index coordinates. Stateless and thread-safe.
 */
public final class DigitLayout implements Layout {

  /** Longer side, in output pixels, of the digit's bounding box (MNIST: 20). */
  static final int BOX = 20;

  /** Normalised intensity above which a pixel counts as ink for the bounding box. */
  static final float INK_THRESHOLD = 0.1f;

  /**
   * On a page (a side of at least {@link #RULING_MIN_SIDE} px), an ink pixel counts for the
   * bounding box only if at least this many of its 8 neighbours are ink too, so specks such as JPEG
   * ringing around printed lines do not stretch the box, while strokes, which are blobs, keep their
   * faint edges.
   */
  static final int PAGE_INK_NEIGHBOURS = 5;

  /** Smallest side, px, of a page on which straight rulings are looked for (not a digit crop). */
  static final int RULING_MIN_SIDE = 64;

  /** Fraction of a row or column that must be marked for it to be a ruling, not a stroke. */
  static final float RULING_COVERAGE = 0.9f;

  /**
   * Level above which a pixel counts as marked when looking for rulings: below the ink threshold,
   * so the faint rows a JPEG smears a printed line into are found too.
   */
  static final float RULING_THRESHOLD = 0.04f;

  /** Creates the layout. */
  public DigitLayout() {}

  @Override
  public float[] layOut(GrayImage g) throws InvalidInputException {
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
          "no ink: the strongest contrast to the background is "
              + peak
              + " (needs "
              + MIN_CONTRAST
              + ")");
    }
    float inv = 1f / peak;
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.min(1f, v[i] * inv);
    }
    removeRulings(v, w, h);
    boolean page = w >= RULING_MIN_SIDE || h >= RULING_MIN_SIDE;
    Placement.InkBox ink = Placement.inkBox(v, w, h, INK_THRESHOLD, page ? PAGE_INK_NEIGHBOURS : 0);
    return Placement.place(v, w, ink, BOX, Placement.Centre.MASS);
  }

  /**
   * Removes the rulings of lined, squared or margin-ruled paper: a row (or column) of a page that
   * is ink along at least {@link #RULING_COVERAGE} of its length is a printed line, not a
   * handwritten stroke, so its own level (the row's median) is subtracted, which keeps the ink of a
   * digit that crosses it. Skipped on small images, where a digit may fill the frame.
   */
  static void removeRulings(float[] v, int w, int h) {
    if (w >= RULING_MIN_SIDE) {
      removeRulingLines(v, h, w, w, 1); // rows
    }
    if (h >= RULING_MIN_SIDE) {
      removeRulingLines(v, w, h, 1, w); // columns
    }
  }

  /**
   * Removes the rulings among {@code lines} lines of {@code length} pixels each: pixel i of line l
   * is {@code v[l * lineStride + i * step]}.
   */
  private static void removeRulingLines(
      float[] v, int lines, int length, int lineStride, int step) {
    float[] line = new float[length];
    for (int l = 0; l < lines; l++) {
      int ink = 0;
      for (int i = 0; i < length; i++) {
        line[i] = v[l * lineStride + i * step];
        ink += line[i] > RULING_THRESHOLD ? 1 : 0;
      }
      if (ink >= RULING_COVERAGE * length) {
        float level = median(line);
        for (int i = 0; i < length; i++) {
          int k = l * lineStride + i * step;
          v[k] = Math.max(0f, v[k] - level);
        }
      }
    }
  }

  private static float[] gather(float[] v, int[] idx) {
    float[] out = new float[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }
}

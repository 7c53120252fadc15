package dev.minigradient.model.preprocess;

import static dev.minigradient.model.preprocess.Pixels.median;

/**
 * Fashion-MNIST's layout, {@code fashion-mnist} (Xiao, Rasul, Vollgraf 2017, "Fashion-MNIST",
 * arXiv:1708.07747): intensities kept (after background removal), the object trimmed to its
 * bounding box, its longer side resized to 28, centred by the box.
 *
 * <p>A garment may fill the frame, so the background is read from the four corners rather than the
 * whole border: light corners (a product photo on white) mean the picture is inverted; the corner
 * level is then subtracted and the rest rescaled, which is the identity on an image already in
 * Fashion-MNIST's format (black corners). Stateless and thread-safe.
 */
public final class FashionLayout implements Layout {

  /** Ink threshold of this layout: garments have faint, meaningful edges. */
  static final float INK_THRESHOLD = 0.0f;

  /** Creates the layout. */
  public FashionLayout() {}

  @Override
  public float[] layOut(GrayImage g) throws InvalidInputException {
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
    Placement.InkBox ink = Placement.inkBox(v, w, h, INK_THRESHOLD, 0);
    return Placement.place(v, w, ink, MnistPreprocessor.SIZE, Placement.Centre.BOX);
  }
}

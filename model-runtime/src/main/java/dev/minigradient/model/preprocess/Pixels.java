package dev.minigradient.model.preprocess;

import java.util.Arrays;

/** Small pixel helpers shared by decoding and the layouts. */
final class Pixels {
  private Pixels() {}

  /** Indices of the one-pixel frame of a w x h image, each once. */
  static int[] borderIndices(int w, int h) {
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

  /** Median (lower middle for even counts); sorts its argument. */
  static float median(float[] values) {
    Arrays.sort(values);
    return values[(values.length - 1) / 2];
  }

  /** {@code x} clamped to [0,1]. */
  static float clamp01(float x) {
    return x < 0f ? 0f : (x > 1f ? 1f : x);
  }
}

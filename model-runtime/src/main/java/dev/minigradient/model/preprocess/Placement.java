package dev.minigradient.model.preprocess;

import static dev.minigradient.model.preprocess.MnistPreprocessor.SIZE;
import static dev.minigradient.model.preprocess.Pixels.clamp01;

/**
 * The steps the layouts share to place an object in the {@code SIZE x SIZE} output: find the box of
 * its ink, resample the box so its longer side fits a square (area average when shrinking, bilinear
 * when enlarging, keeping the aspect ratio), and paste it centred by its centre of mass or by the
 * box.
 */
final class Placement {
  private Placement() {}

  /** How the fitted object is centred in the output. */
  enum Centre {
    /** Its intensity centre of mass at (SIZE/2, SIZE/2), by an integer shift (MNIST). */
    MASS,
    /** Its box in the middle (Fashion-MNIST). */
    BOX
  }

  /**
   * The inclusive bounds of the pixels that count as ink.
   *
   * @param x0 leftmost column
   * @param y0 top row
   * @param x1 rightmost column
   * @param y1 bottom row
   */
  record InkBox(int x0, int y0, int x1, int y1) {}

  /**
   * The box of the pixels of {@code v} (w x h, light object on black) above {@code threshold}.
   *
   * @param minNeighbours when positive, a pixel counts only if at least this many of its 8
   *     neighbours are above the threshold too (specks do not stretch the box)
   * @throws InvalidInputException {@code blank-image} when no pixel counts
   */
  static InkBox inkBox(float[] v, int w, int h, float threshold, int minNeighbours)
      throws InvalidInputException {
    int x0 = w;
    int y0 = h;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (v[y * w + x] > threshold
            && (minNeighbours <= 0 || inkNeighbours(v, w, h, x, y, threshold) >= minNeighbours)) {
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
    return new InkBox(x0, y0, x1, y1);
  }

  private static int inkNeighbours(float[] v, int w, int h, int x, int y, float threshold) {
    int n = 0;
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        int xx = x + dx;
        int yy = y + dy;
        if ((dx != 0 || dy != 0)
            && xx >= 0
            && yy >= 0
            && xx < w
            && yy < h
            && v[yy * w + xx] > threshold) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * Fits the box of {@code v} (row stride {@code w}) into {@code side x side}, keeping the aspect
   * ratio, and places it in a black {@code SIZE x SIZE} output.
   *
   * @return {@code float[SIZE * SIZE]}, row-major, values in [0,1]
   * @throws InvalidInputException {@code blank-image} when no ink is left after scaling
   */
  static float[] place(float[] v, int w, InkBox ink, int side, Centre centre)
      throws InvalidInputException {
    int bw = ink.x1() - ink.x0() + 1;
    int bh = ink.y1() - ink.y0() + 1;

    // Fit the box into side x side, keeping the aspect ratio.
    double s = (double) side / Math.max(bw, bh);
    int nw = (int) Math.max(1, Math.min(side, Math.round(bw * s)));
    int nh = (int) Math.max(1, Math.min(side, Math.round(bh * s)));
    float[] patch = resample(v, w, ink.x0(), ink.y0(), bw, bh, nw, nh);

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
    boolean byMass = centre == Centre.MASS;
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
}

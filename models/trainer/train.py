#!/usr/bin/python3
"""Trains the digit CNN, exports it to ONNX, verifies the export, writes metrics.

Run prepare_data.py first (it writes split.json and the samples this script checks).

Outputs (in --out, default models/mnist):
  model.onnx        input "input" float32 [N,1,28,28] in [0,1], white digit on black;
                    output "logits" float32 [N,10]; normalisation is inside the graph
  metrics.json      accuracies (held-out, per source, 250 sample files), size, params, sha256
  predictions.csv   file,label,predicted for every sample file (from the ONNX graph)

ONNX Runtime is not packaged in Debian, so the export is verified with onnx.checker plus
a small NumPy interpreter of the exported graph (onnx_numpy_run below) whose outputs are
compared with PyTorch's on the whole held-out split.

Usage: /usr/bin/python3 models/trainer/train.py [--epochs 30] [--threads 2]
"""
import argparse
import csv
import hashlib
import json
import os
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

from loop import fit

import digits_data as D

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN, STD = 0.1307, 0.3081          # classic MNIST statistics, applied inside the graph
OPSET = 13


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
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.3), nn.Linear(64 * 4 * 4, 128), nn.ReLU(),
            nn.Dropout(0.3), nn.Linear(128, 10),
        )

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


# --------------------------------------------------------------------------- ONNX check
def _conv2d(x, w, b, pads, strides, dil, group):
    assert group == 1 and dil == [1, 1]
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // strides[0] + 1, (wd - kw) // strides[1] + 1
    cols = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    cols = cols[:, :, ::strides[0], ::strides[1]][:, :, :oh, :ow]   # n,c,oh,ow,kh,kw
    y = np.einsum("nchwij,ocij->nohw", cols, w, optimize=True)
    return y + (b.reshape(1, -1, 1, 1) if b is not None else 0)


def _maxpool(x, k, s, pads):
    assert pads == [0, 0, 0, 0]
    win = np.lib.stride_tricks.sliding_window_view(x, tuple(k), axis=(2, 3))[:, :, ::s[0], ::s[1]]
    return win.max(axis=(4, 5))


def onnx_numpy_run(model, x):
    """Minimal NumPy interpreter covering the ops this exporter emits for DigitCNN."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env[model.graph.input[0].name] = x
    for node in model.graph.node:
        at = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        i = [env[n] if n else None for n in node.input]
        op = node.op_type
        if op == "Constant":
            r = numpy_helper.to_array(at["value"])
        elif op == "Sub":
            r = i[0] - i[1]
        elif op == "Div":
            r = i[0] / i[1]
        elif op == "Add":
            r = i[0] + i[1]
        elif op == "Mul":
            r = i[0] * i[1]
        elif op == "Relu":
            r = np.maximum(i[0], 0)
        elif op == "Conv":
            k = i[1].shape[2:]
            r = _conv2d(i[0], i[1], i[2] if len(i) > 2 else None, list(at.get("pads", [0] * 4)),
                        list(at.get("strides", [1, 1])), list(at.get("dilations", [1, 1])),
                        at.get("group", 1))
            assert list(at.get("kernel_shape", k)) == list(k)
        elif op == "MaxPool":
            r = _maxpool(i[0], list(at["kernel_shape"]), list(at.get("strides", [1, 1])),
                         list(at.get("pads", [0] * 4)))
        elif op == "Flatten":
            ax = at.get("axis", 1)
            r = i[0].reshape(int(np.prod(i[0].shape[:ax])), -1)
        elif op == "Gemm":
            a_, b_ = i[0], i[1]
            if at.get("transA", 0): a_ = a_.T
            if at.get("transB", 0): b_ = b_.T
            r = at.get("alpha", 1.0) * a_ @ b_ + (at.get("beta", 1.0) * i[2] if len(i) > 2 else 0)
        elif op == "Identity":
            r = i[0]
        else:
            raise NotImplementedError(f"op {op} not handled by the NumPy checker")
        env[node.output[0]] = np.asarray(r, dtype=np.float32)
    return env[model.graph.output[0].name]


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
    a = ap.parse_args()
    out = os.path.abspath(a.out)

    # ---- determinism
    torch.manual_seed(D.SEED)
    np.random.seed(D.SEED)
    torch.set_num_threads(a.threads)
    torch.use_deterministic_algorithms(True)

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
    Xtr, Ytr = X[tr], Y[tr]
    ho = data["heldout"]
    Xho, Yho = X[torch.from_numpy(ho)], data["y"][ho]
    src_ho = data["source"][ho]
    print(f"train {len(Ytr)}  held-out {len(Yho)}")

    # ---- train (fixed schedule; the held-out split is never used for any decision)
    model = DigitCNN()
    gen = torch.Generator().manual_seed(D.SEED)
    train_seconds = fit(model, Xtr, Ytr, augment, gen, a.epochs, a.batch, a.lr)

    # ---- evaluate in PyTorch
    model.eval()
    with torch.no_grad():
        pt_logits = torch.cat([model(Xho[k:k + 500]) for k in range(0, len(Xho), 500)]).numpy()
    pt_pred = pt_logits.argmax(1)

    # ---- export
    onnx_path = os.path.join(out, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, opset_version=OPSET,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    m = onnx.load(onnx_path)
    m.doc_string = ("mini-gradient mnist digit classifier. input: float32 [N,1,28,28] in [0,1], "
                    "white digit on black (MNIST). output: logits float32 [N,10], index = digit.")
    m.producer_name = "mini-gradient models/trainer/train.py"
    onnx.helper.set_model_props(m, {"labels": "0,1,2,3,4,5,6,7,8,9",
                                    "normalisation": f"(x-{MEAN})/{STD} inside graph",
                                    "split_seed": str(D.SEED)})
    onnx.save(m, onnx_path)

    # ---- verify the exported file
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m, full_check=True)
    assert [i.name for i in m.graph.input] == ["input"] and [o.name for o in m.graph.output] == ["logits"]
    ishape = [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    oshape = [d.dim_param or d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim]
    assert ishape == ["N", 1, 28, 28] and oshape == ["N", 10], (ishape, oshape)
    assert m.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    ox_logits = np.concatenate([onnx_numpy_run(m, Xho[k:k + 500].numpy())
                                for k in range(0, len(Xho), 500)])
    max_abs_diff = float(np.abs(ox_logits - pt_logits).max())
    ox_pred = ox_logits.argmax(1)
    pred_agree = float((ox_pred == pt_pred).mean())
    assert max_abs_diff < 1e-3, max_abs_diff
    print(f"onnx.checker ok; ONNX(numpy) vs PyTorch on held-out: max|diff| {max_abs_diff:.2e}, "
          f"argmax agreement {pred_agree:.4f}")

    # ---- accuracies (from the ONNX graph's outputs)
    def acc(mask):
        return float((ox_pred[mask] == Yho[mask]).mean())
    per_source = {s: {"n": int((src_ho == s).sum()), "accuracy": acc(src_ho == s)} for s in D.SOURCES}
    per_class = [acc(Yho == c) for c in range(10)]
    confusion = np.zeros((10, 10), int)
    np.add.at(confusion, (Yho, ox_pred), 1)

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
    with open(os.path.join(out, "predictions.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label", "predicted"])
        for r, p in zip(rows, s_pred):
            w.writerow([r["file"], r["label"], int(p)])

    with open(onnx_path, "rb") as f:
        blob = f.read()
    metrics = {
        "model": "mnist",
        "model_id_sha256": hashlib.sha256(blob).hexdigest(),
        "onnx_file_bytes": len(blob),
        "onnx_opset": OPSET,
        "input": {"name": "input", "dtype": "float32", "shape": ["N", 1, 28, 28],
                  "range": [0.0, 1.0], "polarity": "white digit on black background"},
        "output": {"name": "logits", "dtype": "float32", "shape": ["N", 10],
                   "meaning": "raw logits, argmax index = digit"},
        "parameters": int(sum(p.numel() for p in model.parameters())),
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
        "onnx_vs_pytorch": {"max_abs_logit_diff": max_abs_diff, "argmax_agreement": pred_agree,
                            "checker": "onnx.checker.check_model(full_check=True) passed",
                            "runtime": "NumPy reference interpreter in train.py"},
        "training": {"epochs": a.epochs, "batch": a.batch, "max_lr": a.lr, "optimizer": "AdamW wd=1e-4",
                     "schedule": "OneCycle", "label_smoothing": 0.05, "threads": a.threads,
                     "seconds": round(train_seconds, 1), "torch": torch.__version__, "onnx": onnx.__version__},
    }
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
        f.write("\n")
    print(json.dumps({k: metrics[k] for k in ("model_id_sha256", "onnx_file_bytes", "parameters",
                                              "heldout_accuracy", "heldout_per_source", "samples")}, indent=1))


if __name__ == "__main__":
    main()

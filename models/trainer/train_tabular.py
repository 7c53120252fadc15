#!/usr/bin/python3
"""Trains the two tabular models, exports them to ONNX, verifies the exports and writes each
model's folder: models/wine (cultivar classifier) and models/diabetes (quantile regression).

Data: scikit-learn's bundled copies, from Debian's python3-sklearn (no network):
  wine      sklearn.datasets.load_wine()      178 rows, 13 raw chemical measurements, 3 cultivars
            (UCI Wine, CC BY 4.0)
  diabetes  sklearn.datasets.load_diabetes()  442 rows, 10 features as sklearn returns them
            (mean-centred, scaled to unit sum of squares), target = disease progression one
            year after baseline, 25..346 (Efron, Hastie, Johnstone, Tibshirani 2004; BSD-3)

Split: seeded, 25 % held out (ceil(0.25 n) rows; for wine ceil(0.25 n_c) per class). The
held-out rows are used for nothing but the final evaluation (fixed schedule, no early stopping,
no model selection; the hyper-parameters below were chosen with --cv, i.e. 5-fold
cross-validation inside the training rows).

Outputs, per model folder (--out-root, default models/):
  model.onnx       opset 13; input "features" float32 [N,13] / [N,10];
                   output "logits" float32 [N,3] / "quantiles" float32 [N,3] (p10, p50, p90)
  model.json       what the Java side reads: tensors, agreement rule, labels or elements,
                   feature names, held-out file and metric
  heldout.csv      the held-out rows: feature columns (float32-exact decimals) + label / target
  samples/         20 held-out rows as Open Inference Protocol (KServe V2) requests,
                   <name>-<row>.json, and samples/labels.csv
  predictions.csv  the exported graph's answer for every sample file
  metrics.json     model id, sizes, split, held-out figures (from the ONNX graph on the values
                   parsed back from heldout.csv), ONNX vs PyTorch, training details

The export is verified with onnx.checker (full check) plus the NumPy interpreter of the graph
from onnx_export.py (onnx_numpy_run), compared with PyTorch on the whole held-out split.

Usage: /usr/bin/python3 models/trainer/train_tabular.py [wine] [diabetes] [--threads 2]
       /usr/bin/python3 models/trainer/train_tabular.py --cv     (cross-validation only, writes nothing)
"""
import argparse
import csv
import json
import math
import os
import time
from fractions import Fraction

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_diabetes, load_wine

from onnx_export import OPSET, export, file_metrics, load_checked, onnx_numpy_run, seed_everything, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
HELDOUT_FRACTION = 0.25
N_SAMPLES = 20
CV_FOLDS = 5
QUANTILES = (0.1, 0.5, 0.9)
ELEMENTS = ["p10", "p50", "p90"]
ALLOWED_OPS = {"Constant", "Identity", "Sub", "Div", "Mul", "Add", "Gemm", "Relu", "Softplus", "Concat", "Max"}

# Fixed schedules (chosen by --cv on the training rows only).
WINE = {"seed": 20261210, "hidden": 16, "epochs": 150, "batch": 16, "lr": 3e-3, "weight_decay": 1e-2}
DIABETES = {"seed": 20261211, "hidden": 8, "epochs": 100, "batch": 32, "lr": 1e-3, "weight_decay": 1e-1}


# --------------------------------------------------------------------------- float32 text
def f32_text(v):
    """The shortest decimal that reads back as exactly this float32 (numpy's float32 repr)."""
    return str(np.float32(v))


def check_f32_text(s, v):
    """Asserts that the decimal text `s` reads back as exactly the float32 `v`, both when it is
    rounded once (Java's Float.parseFloat) and when it is read as a double and then rounded to
    float32 (Python's float(), Double.parseDouble then a cast)."""
    f = np.float32(v)
    assert np.float32(float(s)) == f, (s, f)
    x = Fraction(s)
    d = abs(x - Fraction(float(f)))
    for n in (np.nextafter(f, np.float32(-np.inf)), np.nextafter(f, np.float32(np.inf))):
        assert d < abs(x - Fraction(float(n))), (s, f)


def read_f32(s):
    return np.float32(float(s))


# --------------------------------------------------------------------------- split
def heldout_split(n, seed, strata=None):
    """Held-out row indices (sorted): ceil(0.25 n) rows drawn with default_rng([seed, 0]), or,
    with strata, ceil(0.25 n_c) rows of each stratum c drawn with default_rng([seed, 0, c])."""
    if strata is None:
        held = np.random.default_rng([seed, 0]).permutation(n)[:math.ceil(HELDOUT_FRACTION * n)]
    else:
        held = []
        for c in np.unique(strata):
            ci = np.flatnonzero(strata == c)
            held += list(np.random.default_rng([seed, 0, int(c)]).permutation(ci)[:math.ceil(HELDOUT_FRACTION * len(ci))])
    held = np.sort(np.asarray(held, dtype=np.int64))
    train = np.setdiff1d(np.arange(n), held)
    return train, held


def choose_samples(held, seed, strata=None):
    """N_SAMPLES held-out rows (sorted): with strata, as evenly over the classes as possible
    (default_rng([seed, 1, c]) per class); otherwise default_rng([seed, 1])."""
    if strata is None:
        return sorted(int(i) for i in np.random.default_rng([seed, 1]).permutation(held)[:N_SAMPLES])
    classes = np.unique(strata[held])
    chosen = []
    for k, c in enumerate(classes):
        take = N_SAMPLES // len(classes) + (1 if k < N_SAMPLES % len(classes) else 0)
        ci = held[strata[held] == c]
        chosen += [int(i) for i in np.random.default_rng([seed, 1, int(c)]).permutation(ci)[:take]]
    return sorted(chosen)


def cv_folds(n, seed, strata=None):
    """CV_FOLDS (train, validation) position pairs over n training rows, seeded."""
    if strata is None:
        order = np.random.default_rng([seed, 2]).permutation(n)
        fold = np.empty(n, int)
        fold[order] = np.arange(n) % CV_FOLDS
    else:
        fold = np.empty(n, int)
        for c in np.unique(strata):
            ci = np.random.default_rng([seed, 2, int(c)]).permutation(np.flatnonzero(strata == c))
            fold[ci] = np.arange(len(ci)) % CV_FOLDS
    return [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(CV_FOLDS)]


# --------------------------------------------------------------------------- models
class Standardise(nn.Module):
    """(x - mean) / std with the training rows' statistics, stored in the graph (Sub, Div)."""

    def __init__(self, X):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(X.mean(0).astype(np.float32)))
        self.register_buffer("std", torch.from_numpy(X.std(0).astype(np.float32)))

    def forward(self, x):
        return (x - self.mean) / self.std


class WineMLP(nn.Module):
    """features [N,13] (raw units) -> standardise -> 13-h-h-3 ReLU MLP -> logits [N,3]."""

    def __init__(self, Xtrain, hidden):
        super().__init__()
        self.scale = Standardise(Xtrain)
        self.net = nn.Sequential(nn.Linear(13, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 3))

    def forward(self, x):
        return self.net(self.scale(x))


class QuantileMLP(nn.Module):
    """features [N,10] -> standardise -> a linear part plus a one-hidden-layer ReLU MLP, giving
    three numbers a, b, c -> quantiles [N,3] = (a - softplus(b), a, a + softplus(c)) * y_std + y_mean,
    then (eval mode) at least the smallest training target. softplus > 0 and the scaling and the
    floor are monotone, so p10 <= p50 <= p90 for every input (non-crossing by construction)."""

    def __init__(self, Xtrain, ytrain, hidden):
        super().__init__()
        self.scale = Standardise(Xtrain)
        self.hidden = nn.Linear(10, hidden)
        self.a = nn.Linear(10 + hidden, 1)
        self.b = nn.Linear(10 + hidden, 1)
        self.c = nn.Linear(10 + hidden, 1)
        with torch.no_grad():                       # start at a normal's spread: q90 - q50 = 1.28 sd
            gap = math.log(math.expm1(1.2816))
            self.b.bias.fill_(gap)
            self.c.bias.fill_(gap)
        self.y_mean = float(np.float32(ytrain.mean()))
        self.y_std = float(np.float32(ytrain.std()))
        self.register_buffer("floor", torch.tensor([ytrain.min()], dtype=torch.float32))

    def forward(self, x):
        z = self.scale(x)
        h = torch.cat([z, F.relu(self.hidden(z))], 1)
        a = self.a(h)
        q = torch.cat([a - F.softplus(self.b(h)), a, a + F.softplus(self.c(h))], 1)
        q = q * self.y_std + self.y_mean
        # in use (eval mode, hence in the ONNX graph) nothing is answered below the smallest
        # training target; training sees the unclamped values, so every row keeps its gradient
        return q if self.training else torch.maximum(q, self.floor)


def pinball(q, y, taus=QUANTILES):
    """Mean pinball (quantile) loss over rows and the quantiles; q [N,3], y [N]."""
    t = torch.tensor(taus, dtype=q.dtype)
    e = y[:, None] - q
    return torch.maximum(t * e, (t - 1) * e).mean()


def pinball_np(q, y, taus=QUANTILES):
    """Per-quantile mean pinball loss, NumPy, in float64; q [N,3], y [N]."""
    e = y.astype(np.float64)[:, None] - q.astype(np.float64)
    t = np.asarray(taus)
    return np.maximum(t * e, (t - 1) * e).mean(0)


# --------------------------------------------------------------------------- training
def fit(model, X, target, loss_fn, cfg, gen):
    """AdamW with a one-cycle learning rate, mini-batches shuffled by the seeded generator `gen`."""
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    per_epoch = (len(X) + cfg["batch"] - 1) // cfg["batch"]
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], total_steps=cfg["epochs"] * per_epoch,
                                                pct_start=0.2)
    t0 = time.time()
    for ep in range(cfg["epochs"]):
        model.train()
        perm = torch.randperm(len(X), generator=gen)
        tot = 0.0
        for k in range(0, len(perm), cfg["batch"]):
            bi = perm[k:k + cfg["batch"]]
            loss = loss_fn(model(X[bi]), target[bi])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(bi)
        if (ep + 1) % 50 == 0 or ep + 1 == cfg["epochs"]:
            print(f"  epoch {ep + 1}/{cfg['epochs']}  train loss {tot / len(X):.4f}", flush=True)
    model.eval()
    return time.time() - t0


def train_model(spec, Xtr, ytr, cfg, threads):
    """Seeds everything, builds and trains a fresh model on (Xtr, ytr); returns (model, seconds)."""
    seed_everything(cfg["seed"], threads)
    gen = torch.Generator().manual_seed(cfg["seed"])
    model = spec["build"](Xtr, ytr, cfg)
    X, y = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    seconds = fit(model, X, y, spec["loss"], cfg, gen)
    return model, seconds


def predict(model, X):
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


# --------------------------------------------------------------------------- the two models
def wine_data():
    d = load_wine()
    return d.data.astype(np.float32), d.target.astype(np.int64), list(d.feature_names), list(d.target_names)


def diabetes_data():
    d = load_diabetes()                              # scaled=True: sklearn's scaled features
    return d.data.astype(np.float32), d.target.astype(np.float32), list(d.feature_names), None


SPECS = {
    "wine": {
        "cfg": WINE, "data": wine_data, "stratified": True, "n_features": 13,
        "output": "logits", "target_col": "label",
        "build": lambda X, y, cfg: WineMLP(X, cfg["hidden"]),
        "loss": F.cross_entropy,
    },
    "diabetes": {
        "cfg": DIABETES, "data": diabetes_data, "stratified": False, "n_features": 10,
        "output": "quantiles", "target_col": "target",
        "build": lambda X, y, cfg: QuantileMLP(X, y, cfg["hidden"]),
        "loss": pinball,
    },
}


def cross_validate(name, threads):
    """5-fold cross-validation of the fixed schedule inside the training rows (held-out untouched)."""
    spec, cfg = SPECS[name], SPECS[name]["cfg"]
    X, y, _, _ = spec["data"]()
    strata = y if spec["stratified"] else None
    train, _ = heldout_split(len(X), cfg["seed"], strata)
    Xt, yt = X[train], y[train]
    scores = []
    for k, (a, b) in enumerate(cv_folds(len(train), cfg["seed"], yt if spec["stratified"] else None)):
        model, _ = train_model(spec, Xt[a], yt[a], cfg, threads)
        out = predict(model, Xt[b])
        if name == "wine":
            scores.append({"accuracy": float((out.argmax(1) == yt[b]).mean())})
        else:
            scores.append({"mae_p50": float(np.abs(out[:, 1] - yt[b]).mean()),
                           "pinball": float(pinball_np(out, yt[b]).mean()),
                           "coverage": float(((yt[b] >= out[:, 0]) & (yt[b] <= out[:, 2])).mean()),
                           "median_baseline_mae": float(np.abs(np.median(yt[a]) - yt[b]).mean())})
        print(f"fold {k}: {scores[-1]}", flush=True)
    mean = {key: float(np.mean([s[key] for s in scores])) for key in scores[0]}
    print(f"{name} {CV_FOLDS}-fold CV on the {len(train)} training rows, {cfg}: {mean}")


# --------------------------------------------------------------------------- files
def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        return next(r), list(r)


def write_heldout(path, features, target_col, X, y, is_label):
    rows = []
    for x, t in zip(X, y):
        cells = [f32_text(v) for v in x]
        for s, v in zip(cells, x):
            check_f32_text(s, v)
        tcell = str(int(t)) if is_label else f32_text(t)
        if not is_label:
            check_f32_text(tcell, t)
        rows.append(cells + [tcell])
    write_csv(path, features + [target_col], rows)


def read_heldout(path, features, target_col, is_label):
    """The held-out rows exactly as a reader of heldout.csv gets them: float32 features, label/target."""
    header, rows = read_csv(path)
    assert header == features + [target_col], header
    X = np.array([[read_f32(s) for s in r[:-1]] for r in rows], dtype=np.float32)
    y = np.array([int(r[-1]) for r in rows]) if is_label else np.array([read_f32(r[-1]) for r in rows], np.float32)
    return X, y


def sample_request(x):
    """An Open Inference Protocol (KServe V2) request for one row, float32-exact decimals."""
    cells = [f32_text(v) for v in x]
    for s, v in zip(cells, x):
        check_f32_text(s, v)
    return ('{"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, %d], "data": [%s]}]}\n'
            % (len(cells), ", ".join(cells)))


def read_sample(path, n_features):
    with open(path) as f:
        req = json.load(f)
    (inp,) = req["inputs"]
    assert inp["name"] == "features" and inp["datatype"] == "FP32" and inp["shape"] == [1, n_features]
    return np.array([np.float32(v) for v in inp["data"]], dtype=np.float32)


# --------------------------------------------------------------------------- build one model
def build(name, out_root, threads):
    spec, cfg = SPECS[name], SPECS[name]["cfg"]
    is_label = name == "wine"
    nf, out_name = spec["n_features"], spec["output"]
    out = os.path.join(out_root, name)
    os.makedirs(os.path.join(out, "samples"), exist_ok=True)
    for old in os.listdir(os.path.join(out, "samples")):
        os.remove(os.path.join(out, "samples", old))

    X, y, features, labels = spec["data"]()
    strata = y if spec["stratified"] else None
    train, held = heldout_split(len(X), cfg["seed"], strata)
    Xtr, ytr, Xho, yho = X[train], y[train], X[held], y[held]
    print(f"{name}: train {len(train)}  held-out {len(held)}", flush=True)

    # ---- held-out file and samples (written before training; never used by it)
    write_heldout(os.path.join(out, "heldout.csv"), features, spec["target_col"], Xho, yho, is_label)
    sample_idx = choose_samples(held, cfg["seed"], strata)
    sample_rows = []
    for i in sample_idx:
        fname = f"{name}-{i:03d}.json"
        with open(os.path.join(out, "samples", fname), "w") as f:
            f.write(sample_request(X[i]))
        sample_rows.append([fname, str(int(y[i])) if is_label else f32_text(y[i]), i])
    write_csv(os.path.join(out, "samples", "labels.csv"), ["file", spec["target_col"], "source_index"], sample_rows)

    # ---- train
    model, seconds = train_model(spec, Xtr, ytr, cfg, threads)
    pt_out = predict(model, Xho)

    # ---- export and verify
    onnx_path = os.path.join(out, "model.onnx")
    if is_label:
        doc = ("mini-gradient wine cultivar classifier. input: features float32 [N,13], the 13 raw "
               "chemical measurements (unscaled, column order of sklearn's load_wine; standardisation "
               "inside the graph). output: logits float32 [N,3], argmax = cultivar index (labels property).")
        props = {"labels": ",".join(labels), "features": ",".join(features), "seed": str(cfg["seed"])}
    else:
        doc = ("mini-gradient diabetes progression quantile regressor. input: features float32 [N,10], "
               "the 10 features as sklearn's load_diabetes returns them (mean-centred, unit sum of squares). "
               "output: quantiles float32 [N,3] = 10th, 50th, 90th percentile of disease progression one "
               "year after baseline (target units), non-crossing, at least the smallest training target.")
        props = {"elements": ",".join(ELEMENTS), "features": ",".join(features), "seed": str(cfg["seed"])}
    export(model, onnx_path, doc, "mini-gradient models/trainer/train_tabular.py", props,
           example=torch.zeros(1, nf), input_name="features", output_name=out_name,
           training=torch.onnx.TrainingMode.EVAL)
    m = load_checked(onnx_path, "features", out_name, ("N", nf), ("N", 3))
    assert m.opset_import[0].version == OPSET and all(o.domain in ("", "ai.onnx") for o in m.opset_import)
    ops = sorted({n.op_type for n in m.graph.node})
    assert set(ops) <= ALLOWED_OPS, f"unexpected ops: {ops}"

    # ---- the held-out split as read back from heldout.csv, through the ONNX graph
    Xcsv, ycsv = read_heldout(os.path.join(out, "heldout.csv"), features, spec["target_col"], is_label)
    assert np.array_equal(Xcsv, Xho) and np.array_equal(ycsv, yho), "heldout.csv does not round-trip"
    ox_out = onnx_numpy_run(m, Xcsv)
    assert ox_out.shape == (len(held), 3) and ox_out.dtype == np.float32
    diff = np.abs(ox_out.astype(np.float64) - pt_out)
    vs_pytorch = {"n": int(len(held)), "max_abs_diff": float(diff.max()),
                  "checker": "onnx.checker.check_model(full_check=True) passed",
                  "runtime": "NumPy reference interpreter onnx_numpy_run (onnx_export.py)"}
    assert vs_pytorch["max_abs_diff"] < 1e-3, vs_pytorch

    # ---- the sample files, read back from disk
    Xs = np.stack([read_sample(os.path.join(out, "samples", r[0]), nf) for r in sample_rows])
    assert np.array_equal(Xs, X[sample_idx]), "sample files do not round-trip"
    s_out = onnx_numpy_run(m, Xs)

    metrics = {**file_metrics(name, onnx_path, "onnx_file_bytes"), "graph_ops": ops}
    metrics["parameters"] = int(sum(p.numel() for p in model.parameters()))
    metrics["split"] = {"seed": cfg["seed"], "heldout_fraction": HELDOUT_FRACTION,
                        "rule": ("ceil(0.25 n_c) rows of each class c, default_rng([seed, 0, c]).permutation"
                                 if is_label else "ceil(0.25 n) rows, default_rng([seed, 0]).permutation"),
                        "n_total": int(len(X)), "n_train": int(len(train)), "n_heldout": int(len(held)),
                        "heldout_source_indices": [int(i) for i in held]}
    if is_label:
        pred = ox_out.argmax(1)
        confusion = np.zeros((3, 3), int)
        np.add.at(confusion, (ycsv, pred), 1)
        s_pred = s_out.argmax(1)
        write_csv(os.path.join(out, "predictions.csv"), ["file", "label", "predicted"],
                  [[r[0], r[1], int(p)] for r, p in zip(sample_rows, s_pred)])
        metrics.update({
            "input": {"name": "features", "datatype": "FP32", "shape": [-1, nf], "columns": features,
                      "units": "raw measurements as in load_wine (unscaled); standardisation inside the graph"},
            "output": {"name": "logits", "datatype": "FP32", "shape": [-1, 3],
                       "meaning": "raw logits, argmax index = cultivar (labels)"},
            "labels": labels,
            "n_heldout": int(len(held)),
            "heldout_accuracy": float((pred == ycsv).mean()),
            "heldout_correct": int((pred == ycsv).sum()),
            "heldout_accuracy_pytorch": float((pt_out.argmax(1) == yho).mean()),
            "per_class": {labels[c]: {"n": int((ycsv == c).sum()), "correct": int(confusion[c, c]),
                                      "accuracy": float(confusion[c, c] / (ycsv == c).sum())} for c in range(3)},
            "confusion": confusion.tolist(),
            "confusion_note": "rows = true class, columns = predicted class (index order of labels)",
            "samples": {"n": len(sample_rows), "accuracy": float((s_pred == y[sample_idx]).mean()),
                        "errors": [r[0] for r, p in zip(sample_rows, s_pred) if int(r[1]) != p]},
        })
        vs_pytorch["argmax_agreement"] = float((ox_out.argmax(1) == pt_out.argmax(1)).mean())
    else:
        assert (ox_out[:, 0] <= ox_out[:, 1]).all() and (ox_out[:, 1] <= ox_out[:, 2]).all(), "quantiles cross"
        ycsv64 = ycsv.astype(np.float64)
        per_q = pinball_np(ox_out, ycsv)
        cover = (ycsv >= ox_out[:, 0]) & (ycsv <= ox_out[:, 2])
        med = float(np.median(ytr))
        tq = np.quantile(ytr.astype(np.float64), QUANTILES)
        A = np.c_[Xtr.astype(np.float64), np.ones(len(train))]
        coef = np.linalg.lstsq(A, ytr.astype(np.float64), rcond=None)[0]
        lin = np.c_[Xho.astype(np.float64), np.ones(len(held))] @ coef
        rel = diff / np.maximum(np.abs(pt_out), 1e-30)
        vs_pytorch["max_rel_diff"] = float(rel.max())
        s_rows = []
        for r, q in zip(sample_rows, s_out):
            cells = [f32_text(v) for v in q]
            for s, v in zip(cells, q):
                check_f32_text(s, v)
            s_rows.append([r[0], r[1]] + cells)
        write_csv(os.path.join(out, "predictions.csv"), ["file", "target"] + ELEMENTS, s_rows)
        metrics.update({
            "input": {"name": "features", "datatype": "FP32", "shape": [-1, nf], "columns": features,
                      "units": "as sklearn's load_diabetes returns them (scaled=True: each column mean-centred "
                               "and scaled to unit sum of squares over the 442 rows); standardised again inside the graph"},
            "output": {"name": "quantiles", "datatype": "FP32", "shape": [-1, 3], "elements": ELEMENTS,
                       "meaning": "10th, 50th, 90th percentile of disease progression one year after baseline "
                                  "(target units, 25..346); p10 <= p50 <= p90 by construction"},
            "elements": ELEMENTS,
            "n_heldout": int(len(held)),
            "heldout_mae_p50": float(np.abs(ox_out[:, 1].astype(np.float64) - ycsv64).mean()),
            "heldout_pinball_loss": float(per_q.mean()),
            "heldout_pinball_per_quantile": dict(zip(ELEMENTS, [float(v) for v in per_q])),
            "heldout_coverage_p10_p90": float(cover.mean()),
            "heldout_below_p10": float((ycsv < ox_out[:, 0]).mean()),
            "heldout_above_p90": float((ycsv > ox_out[:, 2]).mean()),
            "heldout_mean_interval_width": float((ox_out[:, 2] - ox_out[:, 0]).astype(np.float64).mean()),
            "heldout_mae_p50_pytorch": float(np.abs(pt_out[:, 1].astype(np.float64) - yho).mean()),
            "heldout_output_range": [float(ox_out.min()), float(ox_out.max())],
            "baseline": {
                "training_median": med,
                "heldout_mae_training_median": float(np.abs(med - ycsv64).mean()),
                "training_quantiles": dict(zip(ELEMENTS, [float(v) for v in tq])),
                "heldout_pinball_training_quantiles": float(pinball_np(np.tile(tq, (len(held), 1)), ycsv).mean()),
                "heldout_coverage_training_quantiles": float(((ycsv >= tq[0]) & (ycsv <= tq[2])).mean()),
                "heldout_mae_linear_least_squares": float(np.abs(lin - ycsv64).mean()),
            },
            "samples": {"n": len(sample_rows),
                        "mae_p50": float(np.abs(s_out[:, 1].astype(np.float64) - y[sample_idx]).mean()),
                        "coverage_p10_p90": float(((y[sample_idx] >= s_out[:, 0]) & (y[sample_idx] <= s_out[:, 2])).mean())},
        })
    metrics["onnx_vs_pytorch"] = vs_pytorch
    metrics["data"] = ({"source": "sklearn.datasets.load_wine (Debian python3-sklearn), UCI Wine, CC BY 4.0",
                        "rows": 178, "classes": [int(v) for v in np.bincount(y)]} if is_label else
                       {"source": "sklearn.datasets.load_diabetes (Debian python3-sklearn), Efron et al. 2004, BSD-3",
                        "rows": 442, "target_range": [float(y.min()), float(y.max())]})
    metrics["training"] = {**cfg, "optimizer": "AdamW", "schedule": "OneCycle pct_start=0.2",
                           "loss": "cross-entropy" if is_label else "mean pinball loss over p10, p50, p90 (target units)",
                           "threads": threads, "seconds": round(seconds, 2), "torch": torch.__version__,
                           "onnx": onnx.__version__, "numpy": np.__version__,
                           "sklearn": __import__("sklearn").__version__}
    write_json(os.path.join(out, "metrics.json"), metrics)

    model_json = {"name": name}
    if is_label:
        model_json.update({
            "task": "wine cultivar classification from 13 chemical measurements", "file": "model.onnx",
            "recipe": "tensors",
            "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 13]}],
            "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
            "agreement": {"by": "class", "output": "logits"},
            "labels": labels, "features": features,
            "heldout": {"file": "heldout.csv", "metric": "heldout_accuracy"}})
    else:
        model_json.update({
            "task": "diabetes disease progression one year after baseline: 10th, 50th and 90th percentile",
            "file": "model.onnx", "recipe": "tensors",
            "inputs": [{"name": "features", "datatype": "FP32", "shape": [-1, 10]}],
            "outputs": [{"name": "quantiles", "datatype": "FP32", "shape": [-1, 3]}],
            "agreement": {"by": "value", "output": "quantiles", "tolerance": {"kind": "relative", "value": 0.001}},
            "elements": ELEMENTS, "features": features,
            "heldout": {"file": "heldout.csv", "metric": "heldout_mae_p50"}})
    write_json(os.path.join(out, "model.json"), model_json)
    keys = (["heldout_accuracy", "per_class"] if is_label else
            ["heldout_mae_p50", "heldout_pinball_loss", "heldout_coverage_p10_p90", "baseline"])
    print(json.dumps({k: metrics[k] for k in ["model_id_sha256", "onnx_file_bytes", "parameters", *keys,
                                              "onnx_vs_pytorch"]}, indent=1))
    print(f"{name}: {seconds:.1f} s training")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="*", metavar="MODEL", help="wine and/or diabetes (default: both)")
    ap.add_argument("--out-root", default=os.path.join(HERE, ".."))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cv", action="store_true", help="5-fold CV inside the training rows only; writes nothing")
    a = ap.parse_args()
    unknown = set(a.models) - set(SPECS)
    if unknown:
        ap.error(f"unknown model(s) {sorted(unknown)}; choose from {list(SPECS)}")
    for name in a.models or list(SPECS):
        if a.cv:
            cross_validate(name, a.threads)
        else:
            build(name, os.path.abspath(a.out_root), a.threads)


if __name__ == "__main__":
    main()

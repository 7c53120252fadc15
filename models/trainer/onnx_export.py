"""What the trainers do around training: seeding, exporting the model to ONNX and checking the
file, and writing predictions and metrics.

The export is checked with onnx.checker plus a small NumPy interpreter of the exported graph
(onnx_numpy_run; ONNX Runtime is not packaged in Debian), whose outputs are compared with
PyTorch's. Nothing here draws random numbers, so moving it here leaves each model reproducible.
"""
import csv
import hashlib
import json

import numpy as np
import onnx
from onnx import numpy_helper
import torch

OPSET = 13
CHUNK = 500                          # images per forward pass when evaluating


def seed_everything(seed, threads):
    """Seeds torch and NumPy, pins the thread count and asks torch for deterministic kernels."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


def pytorch_logits(model, X):
    """The model's logits in eval mode, CHUNK images at a time, as a NumPy array."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(X[k:k + CHUNK]) for k in range(0, len(X), CHUNK)]).numpy()


def export(model, path, doc_string, producer_name, props, example=None, input_name="input",
           output_name="logits", **options):
    """Exports the model with one input and one output, both with batch axis N (by default a
    [N,1,28,28] -> [N,10] image model as input "input", output "logits"; `example` is a batch-1
    input of another shape), then writes the model's doc string, producer and metadata
    properties into the file."""
    example = torch.zeros(1, 1, 28, 28) if example is None else example
    torch.onnx.export(model, example, path, opset_version=OPSET,
                      input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "N"}, output_name: {0: "N"}},
                      do_constant_folding=True, **options)
    m = onnx.load(path)
    m.doc_string = doc_string
    m.producer_name = producer_name
    onnx.helper.set_model_props(m, props)
    onnx.save(m, path)


def load_checked(path, input_name="input", output_name="logits", input_shape=("N", 1, 28, 28),
                 output_shape=("N", 10)):
    """Loads the exported file and checks it: onnx.checker, the input and output names, their
    float32 type and shapes (by default "input" [N,1,28,28] and "logits" [N,10])."""
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    assert [i.name for i in m.graph.input] == [input_name] and [o.name for o in m.graph.output] == [output_name]
    ishape = [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    oshape = [d.dim_param or d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim]
    assert ishape == list(input_shape) and oshape == list(output_shape), (ishape, oshape)
    assert m.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert m.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    return m


def compare_with_pytorch(m, X, pt_logits):
    """Runs the graph on X (CHUNK images at a time) with the NumPy interpreter and compares its
    logits with PyTorch's; returns (logits, max |difference|, argmax agreement)."""
    ox_logits = np.concatenate([onnx_numpy_run(m, X[k:k + CHUNK].numpy())
                                for k in range(0, len(X), CHUNK)])
    max_abs_diff = float(np.abs(ox_logits - pt_logits).max())
    pred_agree = float((ox_logits.argmax(1) == pt_logits.argmax(1)).mean())
    assert max_abs_diff < 1e-3, max_abs_diff
    return ox_logits, max_abs_diff, pred_agree


def input_metrics(polarity):
    """metrics.json's description of the graph's input."""
    return {"name": "input", "dtype": "float32", "shape": ["N", 1, 28, 28], "range": [0.0, 1.0],
            "polarity": polarity}


def output_metrics(meaning):
    """metrics.json's description of the graph's output."""
    return {"name": "logits", "dtype": "float32", "shape": ["N", 10], "meaning": meaning}


def parameter_count(model):
    """The number of trained values in the model."""
    return int(sum(p.numel() for p in model.parameters()))


def confusion_matrix(y, pred):
    """10x10 counts: rows = true class, columns = predicted class."""
    confusion = np.zeros((10, 10), int)
    np.add.at(confusion, (y, pred), 1)
    return confusion


def write_predictions(path, rows, pred):
    """predictions.csv: file,label,predicted for every sample file."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label", "predicted"])
        for r, p in zip(rows, pred):
            w.writerow([r["file"], r["label"], int(p)])


def file_metrics(model_name, path, size_key):
    """metrics.json's first entries: the model's name, its id (the sha256 of the ONNX file at
    `path`), the file's size in bytes (under `size_key`) and the opset."""
    with open(path, "rb") as f:
        blob = f.read()
    return {"model": model_name, "model_id_sha256": hashlib.sha256(blob).hexdigest(), size_key: len(blob),
            "onnx_opset": OPSET}


def write_json(path, obj):
    """Indented JSON with a final newline."""
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------- NumPy interpreter
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
    """Minimal NumPy interpreter covering the ops the exporter emits for the trainers' CNNs
    and MLPs (float32 throughout, like ONNX Runtime's CPU kernels)."""
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
        elif op == "Softplus":
            r = np.logaddexp(np.float32(0), i[0])                 # log(1 + exp(x)), overflow-safe
        elif op == "Max":
            r = i[0]
            for t in i[1:]:
                r = np.maximum(r, t)
        elif op == "Concat":
            r = np.concatenate(i, axis=at["axis"])
        elif op == "MatMul":
            r = i[0] @ i[1]
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

#!/usr/bin/python3
"""Writes the figures the Java peers measure into the digit model's metrics.json.

The real-world set and the UCI outside check are scored through the peers' whole path (ImageIO,
the `mnist-digit` layout, ONNX Runtime 1.29.0), by DigitRobustnessTest, which prints
"real-world set: C / N correct" and "UCI outside check: C / N" and fails until metrics.json holds
exactly those figures. train.py rewrites metrics.json without them, so after retraining:

    ./mvnw -B -ntp -o -q -pl model-runtime -am test -Ddashboard.skip=true \\
        -Dtest='DigitRobustnessTest' -Dsurefire.failIfNoSpecifiedTests=false
    /usr/bin/python3 models/trainer/record_java_figures.py --realworld C/N [--uci C/N]

Record --uci only for the final model: it is an outside check, never a basis for a choice.
"""
import argparse
import json
import os

from onnx_export import write_json

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = "Java peers: ImageIO, mnist-digit layout, ONNX Runtime 1.29.0 (DigitRobustnessTest)"


def fraction(text):
    """'C/N' to (C, N)."""
    c, n = (int(v) for v in text.split("/"))
    assert 0 <= c <= n > 0, text
    return c, n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--metrics", default=os.path.join(HERE, "..", "mnist", "metrics.json"))
    ap.add_argument("--realworld", type=fraction, help="C/N correct on the real-world set")
    ap.add_argument("--uci", type=fraction, help="C/N correct on the UCI outside check")
    a = ap.parse_args()
    with open(a.metrics) as f:
        m = json.load(f)
    if a.realworld:
        c, n = a.realworld
        m["realworld_accuracy"] = c / n
        m["realworld"] = {"n": n, "correct": c, "path": PATH,
                          "images": "realworld/ (realworld_heldout.py, from the held-out split)",
                          "used_for": "evaluation; a training run is kept only if it scores at least 0.95 here (a validation set in that sense)"}
    if a.uci:
        c, n = a.uci
        m["uci_outside_accuracy"] = c / n
        m["uci_outside"] = {"n": n, "correct": c, "path": PATH,
                            "rendering": "cell v (0..16) -> gray 255-255*v/16 (dark ink on white), "
                                         "8x8 -> 64x64 bilinear (pixel centres aligned), 8-bit gray PNG",
                            "used_for": "nothing but this figure: never trained, tuned or chosen on"}
    write_json(a.metrics, m)
    print({k: m[k] for k in ("realworld_accuracy", "uci_outside_accuracy") if k in m})


if __name__ == "__main__":
    main()

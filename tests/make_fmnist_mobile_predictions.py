#!/usr/bin/python3
"""Predictions of the exporter's float32 evaluation (fbnn_format.run_reference,
the reference semantics of models/FORMAT.md) of the shipped
models/fashion_mnist_fracbnn_mobile.fbnn on the official Fashion-MNIST test
split, for the model card and the ctest cli_eval_fashion_mnist_mobile (which
compares `fbnn eval --predictions` with them).

  /usr/bin/python3 tests/make_fmnist_mobile_predictions.py [OUT.txt]
      (default tests/data/fmnist_mobile_test_predictions.txt)

The dataset images go to run_reference as read from the IDX file, as the
exporter's evaluation of tools/train_fashion_mnist.py does (the model's
"inverted" meta flag is for photos: `fbnn classify`; `fbnn eval` on IDX data
does not invert). The conv sums use the exact float32 shortcut of
tools/fracbnn_torch/evaluate_fmnist.py, installed where the op table calls
it (fbnn_ops._conv_sum; patching fbnn_format._conv_sum, a re-export, changes
nothing) and checked against the unpatched interpreter on the first 50
images. Prints accuracy, the LSB share.
"""
import os
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tools", "fracbnn_torch"))
import fbnn_format as ff  # noqa: E402
from evaluate_fmnist import patched_conv_sum  # noqa: E402
from fracbnn_torch.data import load_split  # noqa: E402


def main(out):
    import torch
    torch.set_num_threads(1)
    m = ff.read_fbnn(os.path.join(ROOT, "models", "fashion_mnist_fracbnn_mobile.fbnn"))
    x, y = load_split("test")
    slow = ff.run_reference(m, x[:50])
    with patched_conv_sum() as calls:
        if ff.run_reference(m, x[:50]).tobytes() != slow.tobytes() or calls[0] == 0:
            sys.exit("fast conv sum differs from the reference interpreter (or was not used)")
        stats = {}
        logits = np.concatenate([ff.run_reference(m, x[i:i + 500], stats=stats) for i in range(0, len(x), 500)])
    pred = logits.reshape(len(x), -1).argmax(1)
    fired = sum(f for f, _ in stats.values())
    total = sum(t for _, t in stats.values())
    with open(out, "w") as f:
        f.write("".join("%d\n" % p for p in pred))
    print("run_reference on %d test images: top-1 %.2f %% (%d correct), LSB fired on %.1f %% of PG outputs; "
          "wrote %s" % (len(x), 100.0 * (pred == y).mean(), int((pred == y).sum()), 100.0 * fired / total, out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "data", "fmnist_mobile_test_predictions.txt"))

#!/usr/bin/python3
"""PyTorch accuracy of a bnn_torch.train checkpoint on the validation split
and the 10 000 test images, without exporting it: the number to compare for
a float-activation comparison run (train.py --float-act), which has no .fbnn
form (its hardtanh activations are real). For binary-activation checkpoints
export.py reports the same PyTorch numbers next to the exported file's
(it uses this module's load_checkpoint, predictions and report).

  /usr/bin/python3 tools/bnn_torch/eval_torch.py out/binarynet_float/final.pt [--json OUT.json]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fracbnn_torch.data import train_val_split, load_split  # noqa: E402
from bnn_torch.models import build  # noqa: E402


def load_checkpoint(path):
    """(checkpoint dict, its model in eval mode) of a bnn_torch.train checkpoint."""
    ck = torch.load(path)
    model = build(ck["config"])
    model.load_state_dict(ck["model"])
    model.eval()
    return ck, model


def predictions(model, x, batch=1000):
    """Classes (argmax) of the PyTorch forward on the uint8 images x."""
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy()
                               for i in range(0, len(x), batch)])


def accuracy(model, x, y, batch=1000):
    return float((predictions(model, x, batch) == y).mean())


def report(res, json_path=None):
    """Print the result dict as JSON; also write it to json_path if given."""
    print(json.dumps(res, indent=1))
    if json_path:
        with open(json_path, "w") as f:
            json.dump(res, f, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    ck, model = load_checkpoint(a.checkpoint)
    _, _, xva, yva = train_val_split(5000)
    xte, yte = load_split("test")
    res = dict(checkpoint=a.checkpoint, config=ck["config"], epochs=len(ck.get("log") or []),
               log=ck.get("log"), pytorch_val_acc=accuracy(model, xva, yva),
               pytorch_test_acc=accuracy(model, xte, yte))
    report(res, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

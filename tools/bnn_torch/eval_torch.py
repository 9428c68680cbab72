#!/usr/bin/python3
"""PyTorch accuracy of a bnn_torch.train checkpoint on the validation split
and the 10 000 test images, without exporting it: the number to compare for
a float-activation comparison run (train.py --float-act), which has no .fbnn
form (its hardtanh activations are real). For binary-activation checkpoints
export.py reports the same PyTorch numbers next to the exported file's.

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


def accuracy(model, x, y, batch=1000):
    with torch.no_grad():
        p = np.concatenate([model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy()
                            for i in range(0, len(x), batch)])
    return float((p == y).mean())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    ck = torch.load(a.checkpoint)
    model = build(ck["config"])
    model.load_state_dict(ck["model"])
    model.eval()
    _, _, xva, yva = train_val_split(5000)
    xte, yte = load_split("test")
    res = dict(checkpoint=a.checkpoint, config=ck["config"], epochs=len(ck.get("log") or []),
               log=ck.get("log"), pytorch_val_acc=accuracy(model, xva, yva),
               pytorch_test_acc=accuracy(model, xte, yte))
    print(json.dumps(res, indent=1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

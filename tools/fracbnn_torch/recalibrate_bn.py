#!/usr/bin/python3
"""BatchNorm recalibration of a trained FracBNN checkpoint (training data only).

  /usr/bin/python3 tools/fracbnn_torch/recalibrate_bn.py IN.pt OUT.pt [--images N]

With binary weights every optimiser step can flip signs and shift the
statistics of the layers after it, so the running BatchNorm averages
(momentum 0.1) lag behind the final weights. This pass recomputes every
BatchNorm's running mean and variance as the exact average over N training
images (no augmentation) with the final weights, in the final phase, then
writes a checkpoint with the same layout (input of evaluate_fmnist.py /
export_fbnn.py). Only the training split is read (the 5000 validation images
are excluded); the validation accuracy before and after is printed so the
choice to use it is made on validation data.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)
from fracbnn_torch import model_from_config  # noqa: E402
from fracbnn_torch.data import train_val_split  # noqa: E402


def val_acc(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(torch.from_numpy(x[i:i + batch]))   # exact float32 path (folded BN)
            correct += int((out.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--images", type=int, default=20000, help="training images for the statistics")
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv[1:])
    torch.set_num_threads(2)
    t0 = time.time()
    ck = torch.load(a.inp, map_location="cpu", weights_only=False)
    cfg = ck["config"]
    model = model_from_config(cfg)
    model.load_state_dict(ck["model"])
    model.set_phase(ck.get("phase", 3))
    xtr, _, xva, yva = train_val_split()
    before = val_acc(model, xva, yva)
    rng = np.random.RandomState(a.seed)
    idx = rng.permutation(len(xtr))[:a.images]
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None          # cumulative average over all batches
    model.train()
    with torch.no_grad():
        for i in range(0, len(idx), a.batch):
            model.forward_train(torch.from_numpy(xtr[idx[i:i + a.batch]]))
    for m in bns:
        m.momentum = 0.1
    after = val_acc(model, xva, yva)
    print("val accuracy (exact path): before %.4f, after BN recalibration on %d training images %.4f (%.0fs)"
          % (before, len(idx), after, time.time() - t0))
    ck = dict(ck)
    ck["model"] = model.state_dict()
    ck["val_acc_exact"] = after
    ck["bn_recalibration"] = dict(images=len(idx), seed=a.seed, val_before=before, val_after=after,
                                  seconds=time.time() - t0)
    torch.save(ck, a.out)
    print("wrote %s" % a.out)


if __name__ == "__main__":
    main(sys.argv)

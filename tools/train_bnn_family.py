#!/usr/bin/python3
"""Train one of the review's BNN-family models on Fashion-MNIST within a
wall-time budget (cosine LR over the elapsed fraction of the budget).

  /usr/bin/python3 tools/train_bnn_family.py --arch dorefa --out out/dorefa --minutes 22
  /usr/bin/python3 tools/train_bnn_family.py --arch dorefa --out out/dorefa12 --epochs 12
  --epochs N: cosine LR over N epochs of iterations instead of a wall-time
  budget, so that a model and its float twin get exactly the same schedule;
  --arch: dorefa (2-bit activations, 1 weight base), abcnet (3 weight bases,
  1-bit {0,1} activations), bireal (sign activations, real shortcuts);
  --float: the same recipe with float activations (the comparison run).
  --init CKPT: start from a checkpoint of the same arch (e.g. a --float run:
  the two-step recipe; its twin then continues the float run the same way).

5000 training images are held out (seeded, fracbnn_torch.data); the test split
is read only after training, for the model card's PyTorch number.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fracbnn_torch.bnn_family import QuantNet, BiRealNet  # noqa: E402
from fracbnn_torch.data import train_val_split, augment, load_split, FMNIST_LABELS  # noqa: E402


def build(arch, flt, planes=None):
    """planes: activation bits (default dorefa 2, abcnet 1); for abcnet, P-bit
    codes are 2^P - 1 binary {0,1} activation bases (thresholds at the
    midpoints of the levels, equal weights), ABC-Net's N bases with fixed
    shifts and coefficients."""
    if arch == "dorefa":
        return QuantNet(planes=0 if flt else (planes or 2), bases=1)
    if arch == "abcnet":
        return QuantNet(planes=0 if flt else (planes or 1), bases=3)
    if arch == "bireal":
        return BiRealNet(binary=not flt)
    raise SystemExit("unknown arch " + arch)


def accuracy(model, x, y, batch=500):
    model.eval()
    c = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            c += int((model(torch.from_numpy(x[i:i + batch])).argmax(1).numpy() == y[i:i + batch]).sum())
    model.train()
    return c / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True)
    ap.add_argument("--float", action="store_true")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=22.0)
    ap.add_argument("--epochs", type=float, default=0,
                    help="train exactly this many epochs (may be fractional; cosine LR over the iterations); "
                         "0: use --minutes")
    ap.add_argument("--pad", type=int, default=1, help="random-crop padding of the augmentation")
    ap.add_argument("--flip", action="store_true", help="random horizontal flips")
    ap.add_argument("--planes", type=int, default=None, help="activation bits of dorefa/abcnet (default 2/1)")
    ap.add_argument("--init", default=None,
                    help="start from this final.pt (two-step recipe: float activations first, then quantised)")
    ap.add_argument("--channels-last", action="store_true",
                    help="NHWC conv layout (oneDNN: ~15-20 %% less CPU per step here; same math)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    xtr, ytr, xva, yva = train_val_split(5000)
    model = build(args.arch, args.float, args.planes)
    if args.init:
        ck0 = torch.load(args.init)
        if ck0["arch"] != args.arch:
            raise SystemExit("--init %s is a %s checkpoint, not %s" % (args.init, ck0["arch"], args.arch))
        model.load_state_dict(ck0["model"])   # same parameters: only the activation function differs
    print("config", vars(args), model.config, sum(p.numel() for p in model.parameters()), "params", flush=True)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    budget = args.minutes * 60.0
    t0 = time.time()
    n = len(xtr)
    spe = n // args.batch
    total = int(round(args.epochs * spe))
    epoch, hist, done, step = 0, [], False, 0
    while not done:
        gen = torch.Generator().manual_seed(args.seed * 1000003 + epoch)
        perm = torch.randperm(n, generator=gen).numpy()
        te = time.time()
        rl, ra, cnt, ni = 0.0, 0.0, 0, 0
        for it in range(spe):
            # epochs mode: the schedule depends on the step only (same for a
            # model and its twin); budget mode: on the shared machine's clock
            frac = step / total if total else (time.time() - t0) / budget
            if frac >= 1.0:
                done = True
                break
            lr = args.lr * 0.5 * (1 + math.cos(math.pi * frac))
            for gp in opt.param_groups:
                gp["lr"] = lr
            idx = perm[it * args.batch:(it + 1) * args.batch]
            xb = augment(torch.from_numpy(xtr[idx]), gen, args.pad, args.flip)
            yb = torch.from_numpy(ytr[idx])
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            ni += 1
            rl += float(loss)
            ra += float((out.argmax(1) == yb).float().mean())
            cnt += 1
            if (it + 1) % 100 == 0:
                print("epoch %d it %d/%d loss %.4f acc %.4f lr %.2e t %.0fs" % (
                    epoch + 1, it + 1, spe, rl / cnt, ra / cnt, lr, time.time() - t0), flush=True)
                rl, ra, cnt = 0.0, 0.0, 0
        if total and step >= total:
            done = True
        va = accuracy(model, xva, yva)
        hist.append(dict(epoch=epoch + 1, iters=ni, val_acc=va, time=time.time() - te))
        print("== epoch %d (%d iters) val_acc %.4f total %.0fs" % (epoch + 1, hist[-1]["iters"], va,
                                                                   time.time() - t0), flush=True)
        epoch += 1
    wall = time.time() - t0
    xte, yte = load_split("test")
    te_acc = accuracy(model, xte, yte)
    print("final: epochs %.2f wall %.0fs val %.4f test %.4f" % (
        sum(h["iters"] for h in hist) / spe, wall, hist[-1]["val_acc"], te_acc), flush=True)
    torch.save(dict(model=model.state_dict(), arch=args.arch, float=args.float, config=model.config,
                    history=hist, wall_s=wall, val_acc=hist[-1]["val_acc"], test_acc_torch=te_acc,
                    epochs=sum(h["iters"] for h in hist) / spe, labels=FMNIST_LABELS, args=vars(args)),
               os.path.join(args.out, "final.pt"))


if __name__ == "__main__":
    main()

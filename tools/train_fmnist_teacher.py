#!/usr/bin/python3
"""Train the float teacher (tools/fracbnn_torch/teacher.py) for knowledge
distillation of the Fashion-MNIST FracBNN students.

Same data as tools/train_fashion_mnist.py: the 55 000 training images of
train_val_split (the 5000 validation images are only evaluated, the test
split is never read), random crop with --pad pixels of zero padding, no flip.
AdamW with a cosine LR to 0, batch 128. Writes OUT/teacher.pt:
{"model", "config", "val_acc", "history", "args"}.

  OMP_NUM_THREADS=1 /usr/bin/python3 tools/train_fmnist_teacher.py --out out/teacher --epochs 8 --threads 1
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
from fracbnn_torch.teacher import FloatTeacher  # noqa: E402
from fracbnn_torch.data import train_val_split, augment  # noqa: E402


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out/teacher")
    ap.add_argument("--widths", default="32,64,128")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--pad", type=int, default=1)
    ap.add_argument("--val", type=int, default=5000)
    ap.add_argument("--train-subset", type=int, default=0, help="use only N training images (tests)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=100)
    return ap.parse_args(argv)


def evaluate(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(torch.from_numpy(x[i:i + batch]))
            correct += int((out.argmax(1).numpy() == y[i:i + batch]).sum())
    model.train()
    return correct / len(x)


def main(argv=None):
    args = parse(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    xtr, ytr, xva, yva = train_val_split(args.val)
    if args.train_subset:
        xtr, ytr = xtr[:args.train_subset], ytr[:args.train_subset]
    n = len(xtr)
    steps = n // args.batch
    model = FloatTeacher(widths=[int(v) for v in args.widths.split(",")], dropout=args.dropout)
    model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd)
    print("config: %s" % vars(args), flush=True)
    print("teacher: %s, %d parameters; train %d, val %d images, %d steps/epoch" % (
        model.config, sum(p.numel() for p in model.parameters()), n, len(xva), steps), flush=True)
    history, t_start = [], time.time()
    total = args.epochs * steps
    for epoch in range(args.epochs):
        gen = torch.Generator().manual_seed(args.seed * 1000003 + epoch + 777)
        perm = torch.randperm(n, generator=gen).numpy()
        t0, run_loss, run_acc, cnt = time.time(), 0.0, 0.0, 0
        model.train()
        for it in range(steps):
            idx = perm[it * args.batch:(it + 1) * args.batch]
            xb = augment(torch.from_numpy(xtr[idx]), gen, args.pad, False)
            yb = torch.from_numpy(ytr[idx])
            lr = args.lr * 0.5 * (1 + math.cos(math.pi * (epoch * steps + it) / total))
            for g in opt.param_groups:
                g["lr"] = lr
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            run_loss += float(loss)
            run_acc += float((out.argmax(1) == yb).float().mean())
            cnt += 1
            if (it + 1) % args.log_every == 0 or it + 1 == steps:
                print("epoch %d it %d/%d loss %.4f acc %.4f lr %.2e elapsed %.0fs" % (
                    epoch + 1, it + 1, steps, run_loss / cnt, run_acc / cnt, lr, time.time() - t_start), flush=True)
                run_loss, run_acc, cnt = 0.0, 0.0, 0
        va = evaluate(model, xva, yva)
        history.append(dict(epoch=epoch + 1, val_acc=va, epoch_time=time.time() - t0))
        print("== epoch %d val_acc %.4f epoch_time %.0fs total %.0fs" % (
            epoch + 1, va, time.time() - t0, time.time() - t_start), flush=True)
    model = model.to(memory_format=torch.contiguous_format)
    va = evaluate(model, xva, yva)
    ck = dict(model=model.state_dict(), config=model.config, val_acc=va, history=history, args=vars(args))
    path = os.path.join(args.out, "teacher.pt")
    torch.save(ck, path)
    print("teacher val accuracy %.4f; wrote %s; training time %.0fs" % (va, path, time.time() - t_start), flush=True)
    return ck


if __name__ == "__main__":
    main()

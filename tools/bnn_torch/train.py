#!/usr/bin/python3
"""Train BinaryNetFM / XnorNetFM on Fashion-MNIST (validation split carved
from the training set; the test split is never read here).

  nice -n 10 /usr/bin/python3 -m bnn_torch.train --kind binarynet --out out/bnn_binarynet
  (run from tools/; --float-act trains the float-activation comparison run)

Adam with cosine LR decay over the iterations of --epochs (or over a
wall-clock budget, --budget-min, if one is given and ends first), batch 128,
random crop (pad 1), 1 thread. --init CKPT starts from another run's weights
(same architecture; e.g. step 2 of a two-step recipe: step 1 trains with
--float-act, step 2 continues from it with sign activations, and the
float-activation twin continues from the same step 1 with --float-act).
--ste picks the sign activation's backward (default clip, the hardtanh STE;
approxsign: Bi-Real Net's 2 - 2|x|); it is stored with the other options in
the checkpoint's "args" and printed on the first ("config") line.
Writes OUT/final.pt (model state, config, per-epoch validation log) and
keeps the best-validation epoch as OUT/best.pt.

Knowledge distillation (off by default): --teacher CKPT (a checkpoint of
this trainer, e.g. the float-activation twin) with --kd-weight A > 0 and
--kd-temp T trains on (1-A)*CE + A*T^2*KL(softmax(teacher/T) ||
softmax(student/T)) (fracbnn_torch/teacher.py kd_loss), the teacher in eval
mode without gradients on the same augmented batch. With A = 0 the teacher
is not loaded and the run is the plain recipe's, bit for bit.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fracbnn_torch.data import train_val_split, augment  # noqa: E402
from bnn_torch.models import BinaryNetFM, XnorNetFM  # noqa: E402
from bnn_torch.layers import Act  # noqa: E402
from fracbnn_torch.teacher import kd_loss  # noqa: E402


def load_bnn_teacher(path):
    """A model of this trainer's checkpoint (its own config: kind, widths,
    hidden, binary_act), in eval mode without gradients; built under a forked
    RNG so that loading it leaves the caller's random state alone."""
    ck = torch.load(path, map_location="cpu")
    cfg = dict(ck["config"])
    kind = cfg.pop("kind")
    with torch.random.fork_rng(devices=[]):
        t = BinaryNetFM(**cfg) if kind == "binarynet" else XnorNetFM(**cfg)
    t.load_state_dict(ck["model"])
    t.eval()
    for p in t.parameters():
        p.requires_grad_(False)
    return t


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    model.train()
    return correct / len(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kind", choices=("binarynet", "xnornet"), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--widths", default="32,64,64")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--float-act", action="store_true")
    ap.add_argument("--budget-min", type=float, default=0.0,
                    help="wall-clock budget in minutes (0 = none): the LR schedule ends and training stops "
                         "when it is used up (the first session's models used 25)")
    ap.add_argument("--stem", choices=("real", "thermometer"), default="real",
                    help="xnornet first layer: real-valued conv (XNOR-Net) or binary conv over a thermometer code")
    ap.add_argument("--ste", choices=("clip", "approxsign"), default="clip",
                    help="backward of the sign activation: clip = hardtanh STE (1 for |x| <= 1), approxsign = "
                         "Bi-Real Net's ApproxSign (2 - 2|x| for |x| < 1); the forward is the same")
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (same architecture)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--teacher", default=None,
                    help="checkpoint of this trainer to distil from (needs --kd-weight > 0)")
    ap.add_argument("--kd-weight", type=float, default=0.0,
                    help="A in (1-A)*CE + A*T^2*KL(teacher || student); 0 = no distillation")
    ap.add_argument("--kd-temp", type=float, default=4.0, help="distillation temperature T")
    a = ap.parse_args(argv)
    if a.kd_weight > 0 and not a.teacher:
        raise SystemExit("--kd-weight > 0 needs --teacher")
    if not 0.0 <= a.kd_weight <= 1.0 or a.kd_temp <= 0:
        raise SystemExit("--kd-weight must be in [0, 1] and --kd-temp > 0")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    xtr, ytr, xva, yva = train_val_split(5000)
    xtr, ytr = torch.from_numpy(xtr), torch.from_numpy(ytr)
    xva, yva = torch.from_numpy(xva), torch.from_numpy(yva)
    widths = tuple(int(v) for v in a.widths.split(","))
    if a.kind == "binarynet":
        model = BinaryNetFM(widths, a.hidden, binary_act=not a.float_act)
    else:
        model = XnorNetFM(widths, a.hidden, binary_act=not a.float_act, stem=a.stem)
    for m in model.modules():
        if isinstance(m, Act):
            m.ste = a.ste
    print("config %s" % json.dumps(vars(a), sort_keys=True), flush=True)
    if a.init:
        ck0 = torch.load(a.init)
        c0 = dict(ck0["config"], binary_act=model.config["binary_act"])
        if c0 != model.config:
            raise SystemExit("--init %s: architecture %r differs from %r" % (a.init, ck0["config"], model.config))
        model.load_state_dict(ck0["model"])
    teacher = load_bnn_teacher(a.teacher) if a.kd_weight > 0 else None
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    gen = torch.Generator().manual_seed(a.seed)
    steps_per_epoch = (len(xtr) + a.batch - 1) // a.batch
    total = steps_per_epoch * a.epochs
    step, log, best = 0, [], -1.0
    t0 = time.time()
    for ep in range(a.epochs):
        perm = torch.randperm(len(xtr), generator=gen)
        te = time.time()
        for i in range(steps_per_epoch):
            idx = perm[i * a.batch:(i + 1) * a.batch]
            xb = augment(xtr[idx], gen, pad=1, flip=False)
            # cosine decay over whichever ends first: the epochs or the
            # wall-clock budget (the shared machine's speed varies 10x)
            prog = step / total
            if a.budget_min > 0:
                prog = max(prog, (time.time() - t0) / (60.0 * a.budget_min))
            if prog >= 1.0:
                break
            for gp in opt.param_groups:
                gp["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * prog))
            if teacher is None:
                loss = F.cross_entropy(model(xb), ytr[idx])
            else:
                with torch.no_grad():
                    t_out = teacher(xb)
                loss = kd_loss(model(xb), t_out, ytr[idx], a.kd_weight, a.kd_temp)[0]
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if i % 100 == 0:
                print("ep %d step %d/%d loss %.4f (%.0f s)" % (ep, i, steps_per_epoch, float(loss), time.time() - t0),
                      flush=True)
        va = evaluate(model, xva, yva)
        log.append(dict(epoch=ep + 1, val=va, epoch_s=time.time() - te, wall_s=time.time() - t0))
        print("epoch %d val %.4f (%.0f s epoch, %.0f s total)" % (ep + 1, va, time.time() - te, time.time() - t0),
              flush=True)
        ck = dict(model=model.state_dict(), config=model.config, args=vars(a), log=log)
        torch.save(ck, os.path.join(a.out, "final.pt"))
        if va > best:
            best = va
            torch.save(ck, os.path.join(a.out, "best.pt"))
        if a.budget_min > 0 and (time.time() - t0) / 60.0 >= a.budget_min:
            print("budget reached after epoch %d" % (ep + 1), flush=True)
            break
    with open(os.path.join(a.out, "train.json"), "w") as f:
        json.dump(dict(log=log, wall_s=time.time() - t0, args=vars(a)), f, indent=1)


if __name__ == "__main__":
    main()

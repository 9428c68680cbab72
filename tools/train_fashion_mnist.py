#!/usr/bin/python3
"""Train a FracBNN ResNet on Fashion-MNIST with the paper's three-step recipe.

  step 1: 2-bit activations (Q2), float weights
  step 2: binary weights (w > 0 -> +1, STE), PG gate off (full 2-bit conv)
  step 3: PG convs with learnable thresholds (gate on)

Usage (run with /usr/bin/python3, which has torch):
  /usr/bin/python3 tools/train_fashion_mnist.py --out out/fmnist
  /usr/bin/python3 tools/train_fashion_mnist.py --out out/fmnist --resume

5000 training images are held out (seeded) for validation; the test split is
never read here. A checkpoint (model, optimizer, epoch, step) is written after
every epoch to OUT/ckpt.pt; --resume continues from it. The final model is
OUT/final.pt (input of tools/export_fbnn.py).

Knowledge distillation (off by default): --teacher PATH (a float teacher
written by tools/train_fmnist_teacher.py) with --kd-weight A > 0 and
--kd-temp T trains on (1-A)*CE(student, y) + A*T^2*KL(softmax(teacher/T) ||
softmax(student/T)), the teacher in eval mode without gradients, fed the
same augmented batch (kd_loss, fracbnn_torch/teacher.py). With A = 0 the teacher is not loaded
and the run is the plain recipe's.
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
from fracbnn_torch import FracResNet  # noqa: E402
from fracbnn_torch.mobile import FracMobileNet  # noqa: E402
from fracbnn_torch.data import train_val_split, augment, FMNIST_LABELS  # noqa: E402
from fracbnn_torch.teacher import load_teacher, kd_loss  # noqa: E402  (kd_loss: also tr.kd_loss for the tests)


def ints(s):
    return [int(v) for v in s.split(",")]


def floats(s):
    return [float(v) for v in s.split(",")]


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out/fmnist", help="checkpoint directory")
    ap.add_argument("--width", type=int, default=32, help="base width (stage widths w, 2w, 4w)")
    ap.add_argument("--blocks", type=ints, default=[1, 1, 2], help="blocks per stage, e.g. 1,1,2")
    ap.add_argument("--arch", choices=("resnet", "mobile"), default="resnet",
                    help="resnet: the CIFAR-style ResNet; mobile: the ImageNet FracBNN block structure "
                         "(PG 3x3 + PG 1x1, Q4 shortcuts), scaled down")
    ap.add_argument("--stem-out", type=int, default=16, help="mobile: stem output channels")
    ap.add_argument("--stem-stride", type=int, default=2, help="mobile: stem stride (2 as on ImageNet)")
    ap.add_argument("--mobile-blocks", default="16:32:1,32:64:2,64:64:1,64:128:2,128:128:1",
                    help="mobile: blocks as in:out:stride,...")
    ap.add_argument("--resolution", type=int, default=8, help="thermometer resolution R")
    ap.add_argument("--epochs", type=ints, default=[2, 9, 1], help="epochs of steps 1,2,3")
    ap.add_argument("--lr", type=floats, default=[2e-3, 1e-3, 5e-4], help="peak Adam LR of steps 1,2,3")
    ap.add_argument("--wd", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threshold-init", type=float, default=3.0)
    ap.add_argument("--gate-penalty", type=float, default=0.0,
                    help="weight of a loss term on the mean soft gate (encourages sparsity)")
    ap.add_argument("--pad", type=int, default=1, help="random-crop padding (0 = off)")
    ap.add_argument("--flip", dest="no_flip", action="store_false",
                    help="random horizontal flips (off by default: Fashion-MNIST shoes all face one way)")
    ap.add_argument("--no-flip", dest="no_flip", action="store_true", default=True)
    ap.add_argument("--no-channels-last", action="store_true",
                    help="keep NCHW conv layout (channels_last is ~10%% faster with oneDNN; same math)")
    ap.add_argument("--val", type=int, default=5000)
    ap.add_argument("--train-subset", type=int, default=0, help="use only N training images (tests)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--teacher", default="", help="float teacher checkpoint for knowledge distillation "
                    "(tools/train_fmnist_teacher.py); needs --kd-weight > 0")
    ap.add_argument("--kd-weight", type=float, default=0.0,
                    help="A in (1-A)*CE + A*T^2*KL(teacher || student); 0 = no distillation")
    ap.add_argument("--kd-temp", type=float, default=4.0, help="distillation temperature T")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="stop after this many epochs in total (simulates an interruption; tests)")
    return ap.parse_args(argv)


def evaluate(model, x, y, batch=500):
    """Accuracy of the model in eval mode with its training-path arithmetic
    (BatchNorm with running statistics; fast, used for monitoring)."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model.forward_train(torch.from_numpy(x[i:i + batch]))
            correct += int((out.argmax(1).numpy() == y[i:i + batch]).sum())
    model.train()
    return correct / len(x)


def evaluate_exact(model, x, y, batch=500):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch):
        out = model(torch.from_numpy(x[i:i + batch]))
        correct += int((out.argmax(1).numpy() == y[i:i + batch]).sum())
    model.train()
    return correct / len(x)


def phase_of(epoch, epochs):
    """Returns (phase 1..3, first epoch of that phase)."""
    start = 0
    for ph, n in enumerate(epochs, start=1):
        if epoch < start + n:
            return ph, start
        start += n
    raise ValueError("epoch out of range")


def make_opt(model, lr, wd):
    return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=wd)


def main(argv=None):
    args = parse(argv)
    if args.kd_weight < 0 or args.kd_weight > 1:
        raise SystemExit("--kd-weight must be in [0, 1]")
    if args.kd_weight > 0 and not args.teacher:
        raise SystemExit("--kd-weight > 0 needs --teacher")
    if args.teacher and args.kd_weight == 0:
        raise SystemExit("--teacher needs --kd-weight > 0")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "ckpt.pt")

    xtr, ytr, xva, yva = train_val_split(args.val)
    if args.train_subset:
        xtr, ytr = xtr[:args.train_subset], ytr[:args.train_subset]
    n = len(xtr)
    steps_per_epoch = n // args.batch   # drop the last partial batch
    total_epochs = sum(args.epochs)

    if args.arch == "mobile":
        mb = [tuple(int(v) for v in b.split(":")) for b in args.mobile_blocks.split(",")]
        model = FracMobileNet(in_ch=1, in_hw=28, num_classes=10, stem_out=args.stem_out, stem_stride=args.stem_stride,
                              blocks=mb, resolution=args.resolution, threshold_init=args.threshold_init)
    else:
        model = FracResNet(in_ch=1, in_hw=28, num_classes=10, width=args.width, blocks=args.blocks,
                           resolution=args.resolution, threshold_init=args.threshold_init)
    if not args.no_channels_last:
        model = model.to(memory_format=torch.channels_last)
    teacher = load_teacher(args.teacher) if args.kd_weight > 0 else None
    start_epoch, step, history = 0, 0, []
    opt, opt_phase = None, None
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        start_epoch, step, history = ck["epoch"], ck["step"], ck["history"]
        if start_epoch < total_epochs:
            ph, _ = phase_of(start_epoch, args.epochs)
            if ck["phase"] == ph:
                opt = make_opt(model, args.lr[ph - 1], args.wd)
                opt.load_state_dict(ck["optimizer"])
                opt_phase = ph
        print("resumed from %s at epoch %d (step %d)" % (ckpt_path, start_epoch, step), flush=True)
    print("config: %s" % vars(args), flush=True)
    print("model: %s, %d parameters; train %d, val %d images, %d steps/epoch" % (
        model.config, sum(p.numel() for p in model.parameters()), n, len(xva), steps_per_epoch), flush=True)

    t_start = time.time()
    t_wall0 = t_start
    for epoch in range(start_epoch, total_epochs):
        ph, ph_start = phase_of(epoch, args.epochs)
        model.set_phase(ph)
        if opt is None or opt_phase != ph:
            opt, opt_phase = make_opt(model, args.lr[ph - 1], args.wd), ph
        ph_steps = args.epochs[ph - 1] * steps_per_epoch
        gen = torch.Generator().manual_seed(args.seed * 1000003 + epoch)
        perm = torch.randperm(n, generator=gen).numpy()
        model.train()
        t0 = time.time()
        run_loss, run_acc, run_gate, run_kl, cnt = 0.0, 0.0, 0.0, 0.0, 0
        for it in range(steps_per_epoch):
            idx = perm[it * args.batch:(it + 1) * args.batch]
            xb = augment(torch.from_numpy(xtr[idx]), gen, args.pad, not args.no_flip)
            yb = torch.from_numpy(ytr[idx])
            t_in_phase = (epoch - ph_start) * steps_per_epoch + it
            lr = args.lr[ph - 1] * 0.5 * (1 + math.cos(math.pi * t_in_phase / ph_steps))
            for gparam in opt.param_groups:
                gparam["lr"] = lr
            out = model.forward_train(xb)
            if teacher is not None:
                with torch.no_grad():
                    t_out = teacher(xb)
                total, loss, kl = kd_loss(out, t_out, yb, args.kd_weight, args.kd_temp)
                run_kl += float(kl)
            else:
                loss = F.cross_entropy(out, yb)
                total = loss
            if ph >= 3:
                pgs = model.pg_convs()
                if args.gate_penalty > 0:
                    total = total + args.gate_penalty * sum(m.last_gate_soft for m in pgs) / len(pgs)
                run_gate += float(sum(m.last_gate_frac for m in pgs) / len(pgs))
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            step += 1
            run_loss += float(loss)
            run_acc += float((out.argmax(1) == yb).float().mean())
            cnt += 1
            if (it + 1) % args.log_every == 0 or it + 1 == steps_per_epoch:
                el = time.time() - t0
                print("epoch %d phase %d it %d/%d loss %.4f acc %.4f%s%s lr %.2e %.0f img/s elapsed %.0fs" % (
                    epoch + 1, ph, it + 1, steps_per_epoch, run_loss / cnt, run_acc / cnt,
                    (" gate %.3f" % (run_gate / cnt)) if ph >= 3 else "",
                    (" kl %.4f" % (run_kl / cnt)) if teacher is not None else "", lr,
                    (it + 1) * args.batch / el, time.time() - t_start), flush=True)
                run_loss, run_acc, run_gate, run_kl, cnt = 0.0, 0.0, 0.0, 0.0, 0
        va = evaluate(model, xva, yva)
        history.append(dict(epoch=epoch + 1, phase=ph, val_acc=va, epoch_time=time.time() - t0))
        print("== epoch %d phase %d val_acc %.4f epoch_time %.0fs total %.0fs" % (
            epoch + 1, ph, va, time.time() - t0, time.time() - t_start), flush=True)
        ck = dict(model=model.state_dict(), optimizer=opt.state_dict(), epoch=epoch + 1, step=step,
                  phase=ph, config=model.config, args=vars(args), history=history)
        torch.save(ck, ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)
        if args.stop_after and epoch + 1 >= args.stop_after and epoch + 1 < total_epochs:
            print("stopping after epoch %d (--stop-after)" % (epoch + 1), flush=True)
            return None

    model = model.to(memory_format=torch.contiguous_format)   # plain layout for export / exact eval
    model.set_phase(3 if args.epochs[2] > 0 else 2)
    # A latent weight of exactly 0 binarises to -1 here (w > 0 -> +1) but the exporter
    # refuses exact zeros (sign(0) = 0 elsewhere); make them -tiny: the forward is unchanged.
    with torch.no_grad():
        nz = 0
        for name, prm in model.named_parameters():
            if prm.dim() == 4:   # every binary conv's latent weight
                z = prm == 0
                nz += int(z.sum())
                prm[z] = -1e-12
    print("exact-zero latent conv weights nudged to -1e-12: %d" % nz, flush=True)
    va_exact = evaluate_exact(model, xva, yva)
    print("final val accuracy (exact float32 eval path, folded BN): %.4f" % va_exact, flush=True)
    final = dict(model=model.state_dict(), config=model.config, phase=model.phase, args=vars(args),
                 history=history, val_acc_exact=va_exact, labels=FMNIST_LABELS,
                 train_time_s=sum(h["epoch_time"] for h in history),
                 cpu_time_s=time.process_time())
    torch.save(final, os.path.join(args.out, "final.pt"))
    print("wrote %s; training time (sum of epochs) %.0fs; wall time of this run %.0fs; process CPU time %.0fs"
          % (os.path.join(args.out, "final.pt"), final["train_time_s"], time.time() - t_wall0,
             final["cpu_time_s"]), flush=True)
    return final


if __name__ == "__main__":
    main()

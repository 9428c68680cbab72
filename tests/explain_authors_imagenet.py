#!/usr/bin/python3
"""Why the authors' PyTorch forward and libfracbnn disagree on a top-1: the
authors' ImageNet model run with its float operations replaced, one kind at a
time, by the arithmetic of the .fbnn graph (models/FORMAT.md), until it
reproduces our golden logits.

  /usr/bin/python3 tests/explain_authors_imagenet.py AUTHORS_GIT_DIR TESTDIR [I,J,...]

Same inputs as tests/compare_authors_imagenet.py (their code is extracted
with `git show` and imported at run time; TESTDIR from
tools/make_imagenet_testmodel.py). Variants, each including the previous:

  A  the authors' forward as published (ImageNet-normalised float input,
     de-normalised, thermometer round(x*255/8) in float32)
  B  thermometer on the integer pixel, round half to even (FORMAT.md)
  C  every BatchNorm folded to a*x + b (a = gamma/sqrt(var+eps), b = beta - mean*a)
  D  PG gate o_msb > threshold instead of sigmoid(5*(o_msb - threshold)) > 0.5
  E  exact conv sums: o_msb = 2*S_msb/3, o_full = (2*S_msb + S_lsb)/3 from the
     integer sums (their o_full is a float32 conv over the levels +-1/3, +-1,
     with oneDNN's summation order and rounding)
  F  Q2 and Q4 by the cut points of FORMAT.md (QUANT2: x >= -2/3, x >= 0,
     x > 2/3 in float32) instead of round((clamp(x,-1,1)+1)/delta)*delta-1

For each input: its top-1 under A..E, the variant from which it agrees with
ours for good, the thermometer bits that differ between A and B, the gate
decisions that differ between the sigmoid and the comparison (in C), and the
largest logit differences of E and F from our golden logits. Where E still differs
from ours, `localize` finds the first block whose quantisers (Q2 before a PG
conv, Q4 on a shortcut) give a different level in E than in our arithmetic
on the same float input, and prints those values: the seed of the cascade.
"""
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import compare_authors_imagenet as ca  # noqa: E402
from fracbnn_torch.layers import QuantSign2, thermometer  # noqa: E402
from fracbnn_torch.model import fold_bn  # noqa: E402
from fracbnn_torch.mobile import quant4_value  # noqa: E402

VARIANTS = "ABCDEF"


class IntThermometer(nn.Module):
    """B: the .fbnn thermometer on the integer pixel (recovered exactly from
    the de-normalised float: |x*255 - p| < 1e-4)."""

    def forward(self, x):
        p = torch.round(x * 255.0).clamp(0, 255).to(torch.uint8)
        return thermometer(p, 8)


class Folded(nn.Module):
    """C: a BatchNorm2d in eval mode as the folded affine of the .fbnn graph."""

    def __init__(self, bn):
        super().__init__()
        a, b = fold_bn(bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.eps)
        self.a, self.b = a.view(1, -1, 1, 1), b.view(1, -1, 1, 1)

    def forward(self, x):
        return x * self.a + self.b


def pg_forward(mod, x, hard, exact, counter):
    """The authors' PGBinaryConv2d.forward with the gate (`hard`) and the conv
    arithmetic (`exact`) switchable; `counter` counts gate decisions where the
    sigmoid and the comparison differ."""
    w = torch.sign(mod.weight)
    m = torch.sign(x)
    if exact:
        l = torch.sign(x - m * (2.0 / 3.0))   # x = 2m/3 + l/3 on the four Q2 levels (|x - 2m/3| ~ 1/3)
        with torch.backends.mkldnn.flags(enabled=False):
            sm = F.conv2d(m, w, None, mod.stride, mod.padding)
            sl = F.conv2d(l, w, None, mod.stride, mod.padding)
        o_msb = (2 * sm) / torch.full_like(sm, 3.0)
        o_full = (2 * sm + sl) / torch.full_like(sm, 3.0)
    else:
        o_msb = F.conv2d(m, w, None, mod.stride, mod.padding) * 2.0 / 3.0
        o_full = F.conv2d(x, w, None, mod.stride, mod.padding)
    soft = torch.sigmoid(5.0 * (o_msb - mod.threshold)) > 0.5
    cmp = o_msb > mod.threshold
    counter[0] += int((soft != cmp).sum())
    counter[1] += soft.numel()
    mask = cmp if hard else soft
    return torch.where(mask, o_full, o_msb)


def our_quant(x, bits=2):
    """F: the block's quantisers with the arithmetic of the .fbnn ops."""
    return QuantSign2.apply(x) if bits == 2 else quant4_value(x)


def configure(net, variant, orig_encoder, counter):
    from utils.quantization import PGBinaryConv2d, QuantSign
    lvl = VARIANTS.index(variant)
    for blk in list(net.model)[1:14]:
        blk.binarize = our_quant if lvl >= 5 else QuantSign.apply
    net.encoder = IntThermometer() if lvl >= 1 else orig_encoder
    for name, mod in net.model.named_modules():
        if isinstance(mod, PGBinaryConv2d):
            if lvl >= 2:   # C..E: own forward (C with the sigmoid gate, as theirs)
                mod.forward = (lambda m, h, e: (lambda x: pg_forward(m, x, h, e, counter)))(mod, lvl >= 3, lvl >= 4)
            elif "forward" in mod.__dict__:
                del mod.forward
    for parent in net.model.modules():
        for cname, ch in list(parent.named_children()):
            if isinstance(ch, nn.BatchNorm2d) and lvl >= 2:
                ch._fbnn_folded = getattr(ch, "_fbnn_folded", None) or Folded(ch)
                ch.forward = ch._fbnn_folded.forward
            elif isinstance(ch, nn.BatchNorm2d) and "forward" in ch.__dict__:
                del ch.forward


def localize(net, xi):
    """First block of variant E where a quantiser of the authors' code and
    ours give different levels for the same float32 input (E's own values)."""
    from utils.quantization import QuantSign
    ins = {}
    hooks = []
    for k in range(1, 14):
        blk = net.model[k]
        hooks.append(blk.register_forward_hook(lambda m, i, o, k=k: ins.__setitem__(k, (i[0], None))))
        hooks.append(blk.shiftbn1.register_forward_hook(
            lambda m, i, o, k=k: ins.__setitem__(-k, o)))
    net(xi)
    for h in hooks:
        h.remove()
    for k in range(1, 14):
        for where, x in (("block input", ins[k][0]), ("after shiftbn1", ins[-k])):
            for qn, theirs, mine, scale in (
                    ("Q2", QuantSign.apply(x), QuantSign2.apply(x), 1.5),
                    ("Q4", QuantSign.apply(x, 4), quant4_value(x), 7.5)):
                lt = torch.round((theirs + 1) * scale)
                lm = torch.round((mine + 1) * scale)
                bad = (lt != lm).nonzero()
                if len(bad):
                    vals = [(tuple(int(v) for v in b[1:]), float(x[tuple(b)]), int(lt[tuple(b)]), int(lm[tuple(b)]))
                            for b in bad[:4]]
                    return "model.%d %s: %s differs on %d value(s): %s" % (
                        k, where, qn, len(bad), "; ".join("c,y,x=%s x=%.9g authors level %d, ours %d" % v
                                                          for v in vals))
    return "no quantiser level differs"


def main(git_dir, testdir, only=None):
    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="fracbnn_authors_")
    ca.extract(git_dir, tmp)
    ca.stub_torchvision()
    sys.path.insert(0, tmp)
    from model.fracbnn_imagenet import ReActNet
    net = ReActNet(batch_size=1, num_gpus=1)
    ck = torch.load(os.path.join(testdir, "ckpt.pt"), map_location="cpu", weights_only=False)
    sd = {k[7:] if k.startswith("module.") else k: v for k, v in ck["state_dict"].items()}
    sd = {k: v for k, v in sd.items() if not k.startswith("teacher.") and k != "encoder.placeholder"}
    net.load_state_dict(sd, strict=False)
    net.eval()
    orig_encoder = net.encoder
    with open(os.path.join(testdir, "golden.txt")) as f:
        n, c, h, w, classes = (int(v) for v in f.read().split())
    x = np.fromfile(os.path.join(testdir, "golden_inputs.u8"), dtype=np.uint8).reshape(n, c, h, w)
    ours = np.fromfile(os.path.join(testdir, "golden_logits.f32"), dtype="<f4").reshape(n, classes)
    names = [l.strip() for l in open(os.path.join(testdir, "photos.txt")) if l.strip()]
    names += ["random%d" % i for i in range(n - len(names))]
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, -1, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, -1, 1, 1)
    print("%-22s %4s  %s  %-6s %9s %12s %10s %10s" % ("input", "ours", " ".join("%4s" % v for v in VARIANTS),
                                                   "from", "thermo", "gate(C)", "E-ours", "F-ours"))
    agree = dict((v, 0) for v in VARIANTS)
    with torch.no_grad():
        idx = list(range(n)) if only is None else only
        for i in idx:
            xi = (torch.from_numpy(x[i:i + 1]).float() / 255.0 - mean) / std
            o1 = int(ours[i].argmax())
            tops, logits, gate = [], {}, [0, 0]
            for v in VARIANTS:
                configure(net, v, orig_encoder, gate if v == "C" else [0, 0])
                lg, _ = net(xi)
                logits[v] = lg[0].numpy()
                tops.append(int(lg.argmax()))
                agree[v] += tops[-1] == o1
            t_a = orig_encoder((xi * std + mean))
            t_b = thermometer(torch.from_numpy(x[i:i + 1]), 8)
            therm = int((t_a != t_b).sum())
            frm = "-"
            for j in range(len(VARIANTS) - 1, -1, -1):
                if tops[j] != o1:
                    break
                frm = VARIANTS[j]
            d = float(np.abs(logits["E"] - ours[i]).max())
            dF = float(np.abs(logits["F"] - ours[i]).max())
            print("%-22s %4d  %s  %-6s %9d %5d/%-7d %10.3g %10.3g" % (
                names[i], o1, " ".join("%4d" % t for t in tops), frm, therm, gate[0], gate[1], d, dF))
            if d > 0:
                configure(net, "E", orig_encoder, [0, 0])
                print("    first flip in E: " + localize(net, xi))
    print("top-1 agreement with ours: " + ", ".join("%s %d/%d" % (v, agree[v], len(idx)) for v in VARIANTS))
    return agree, n


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], [int(v) for v in sys.argv[3].split(",")] if len(sys.argv) > 3 else None)

#!/usr/bin/python3
"""Export a trained BinaryNetFM / XnorNetFM (bnn_torch.train) to .fbnn,
folding BN (+ XNOR alpha) + sign into integer thresholds, and evaluate:
the PyTorch model (validation, test) and the exported file's float32
reference (fbnn_format.run_reference) on all 10 000 test images. This is the
only place the test split is read.

  /usr/bin/python3 tools/bnn_torch/export.py out/binarynet/final.pt models/fashion_mnist_binarynet.fbnn \
      --pred out/binarynet/test_predictions.txt

Graph (FORMAT.md 2.4): BinaryNet (and the thermometer-stem XNOR-Net of the
first sessions): thermometer (R = 32, 8 bits) -> [bconv_thr (-> maxpool over
bits)] x 3; XNOR-Net (real stem): rconv (weights / 255, bias) -> affine (the
stem BN) -> sign -> maxpool over bits -> [bconv_thr (-> maxpool)] x 2; then
BinaryNet: bfc_thr -> bfc (per-class scale + bias = the last BN) | XNOR-Net:
bfc (alpha*BN folded into scale/bias) -> rprelu (a PReLU: shifts 0) -> fc
(the real last layer).

Folding a conv/FC + BN (+ alpha) + sign into (t, flip): a, b = the float32
affine of the BN (alpha folded into a), then t is found by evaluating
f32(f32(s)*a + b) >= 0 for every attainable integer s in [-n, n], so the
thresholds reproduce bconv -> affine -> sign of that affine bit for bit.
"""
import argparse
import os
import sys
import time

import numpy as np
import torch

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)
import fbnn_format as ff  # noqa: E402
from fracbnn_torch.data import train_val_split, load_split, FMNIST_LABELS  # noqa: E402
from bnn_torch.models import RESOLUTION, BITS  # noqa: E402
from bnn_torch.eval_torch import load_checkpoint, predictions, report  # noqa: E402
from fracbnn_torch.fast_reference import patched_conv_sum, batched  # noqa: E402

BN_EPS = 1e-5


class ExportError(ValueError):
    pass


def bn_affine(bn, alpha=None, what="bn"):
    """float32 (a, b) of an eval-mode BatchNorm; alpha (per channel) folded into a."""
    g = bn.weight.detach().double().numpy()
    be = bn.bias.detach().double().numpy()
    mu = bn.running_mean.detach().double().numpy()
    var = bn.running_var.detach().double().numpy()
    if np.any(var + bn.eps <= 0):
        raise ExportError("%s: running_var + eps is not positive" % what)
    a = g / np.sqrt(var + bn.eps)
    b = be - mu * a
    if alpha is not None:
        a = a * alpha.detach().double().numpy()
    return a.astype(np.float32), b.astype(np.float32)


def fold_thresholds(a, b, n):
    """(t, flip) per channel such that [s >= t] (flip 0) / [s <= t] (flip 1)
    equals f32(f32(s)*a + b) >= 0 for every integer s in [-n, n]."""
    s = np.arange(-n, n + 1, dtype=np.float32)
    t = np.empty(a.size, dtype=np.int64)
    flip = np.zeros(a.size, dtype=np.int64)
    for c in range(a.size):
        pos = ((s * a[c]).astype(np.float32) + b[c]) >= 0
        idx = np.nonzero(pos)[0]
        if idx.size == 0:
            t[c] = n + 1                      # never +1
        elif idx.size == pos.size:
            t[c] = -n                         # always +1
        elif a[c] > 0:
            t[c] = int(s[idx[0]])
            if not np.all(pos[idx[0]:]):
                raise ExportError("channel %d: not monotonic" % c)
        else:
            t[c], flip[c] = int(s[idx[-1]]), 1
            if not np.all(pos[:idx[-1] + 1]):
                raise ExportError("channel %d: not monotonic" % c)
    return t, flip


def w_of(layer, what):
    w = layer.weight.detach().numpy()
    if np.any(w == 0):
        raise ExportError("%s has exact-zero weights (w > 0 -> +1 would still be defined, but the "
                          "PyTorch sign() differs); refusing" % what)
    return w


def export(model, path, name):
    model.eval()
    kind = model.config["kind"]
    g = ff.GraphBuilder(name, FMNIST_LABELS, colour=1, resize=0, invert=1)
    x = g.input(1, 28, 28)
    if getattr(model, "stem", None) is not None:
        conv = model.stem
        if tuple(conv.stride) != (1, 1) or tuple(conv.padding) != (1, 1) or conv.groups != 1:
            raise ExportError("stem: expected a 3x3 conv, stride 1, padding 1, groups 1")
        # the model convolves pixels / 255; rconv reads the u8 pixels as floats
        w = (conv.weight.detach().float() * (1.0 / 255.0)).numpy()
        x = g.rconv(x, w, conv.bias.detach().float().numpy(), stride=1, pad=1)
        x = g.affine(x, *bn_affine(model.stem_bn, None, "stem bn"))
        x = g.sign(x)
        if model.stem_pool:
            x = g.maxpool(x, 2, 2, 0)
    else:
        x = g.thermometer(x, RESOLUTION, BITS)
    body = model.body
    for i, (conv, bn, pool) in enumerate(zip(body.convs, body.bns, body.pool_after)):
        w = w_of(conv, "conv %d" % i)
        a, b = bn_affine(bn, conv.scale() if conv.alpha else None, "conv %d bn" % i)
        n = w.shape[1] * w.shape[2] * w.shape[3]
        t, flip = fold_thresholds(a, b, n)
        x = g.bconv_thr(x, w, t, flip, stride=1, pad=1)
        if pool:
            x = g.maxpool(x, 2, 2, 0)
    w1 = w_of(model.fc1, "fc1")
    a1, b1 = bn_affine(model.bn1, model.fc1.scale() if model.fc1.alpha else None, "fc1 bn")
    if kind == "binarynet":
        t, flip = fold_thresholds(a1, b1, w1.shape[1])
        x = g.bfc_thr(x, w1, t, flip)
        a2, b2 = bn_affine(model.bn2, None, "fc2 bn")
        x = g.bfc(x, w_of(model.fc2, "fc2"), a2, b2)
    else:
        x = g.bfc(x, w1, a1, b1)
        slope = model.prelu.weight.detach().numpy().astype(np.float32)
        z = np.zeros_like(slope)
        x = g.rprelu(x, z, slope, z)
        x = g.fc(x, model.fc2.weight.detach().numpy(), model.fc2.bias.detach().numpy())
    g.set_output(x)
    return g.save(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("out_model")
    ap.add_argument("--name", default=None)
    ap.add_argument("--pred", default=None, help="write the reference's test predictions here (one per line)")
    ap.add_argument("--check-n", type=int, default=200, help="images checked unpatched vs patched conv sums")
    ap.add_argument("--json", default=None)
    ap.add_argument("--limit", type=int, default=0, help="evaluate only N images per split (smoke tests)")
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    ck, model = load_checkpoint(a.checkpoint)
    kind = ck["config"]["kind"]
    name = a.name or ("BinaryNet-style all-binary CNN, Fashion-MNIST" if kind == "binarynet"
                      else "XNOR-Net-style CNN (alpha scales, real first and last layers), Fashion-MNIST"
                      if ck["config"].get("stem") == "real"
                      else "XNOR-Net-style CNN (alpha scales, real last layer), Fashion-MNIST")
    nbytes = export(model, a.out_model, name)
    res = dict(checkpoint=a.checkpoint, config=ck["config"], fbnn_bytes=nbytes, log=ck.get("log"))
    _, _, xva, yva = train_val_split(5000)
    xte, yte = load_split("test")
    if a.limit:
        xva, yva, xte, yte = xva[:a.limit], yva[:a.limit], xte[:a.limit], yte[:a.limit]
    for s, x, y in (("val", xva, yva), ("test", xte, yte)):
        p = predictions(model, x)
        res["pytorch_%s_acc" % s] = float((p == y).mean())
        res["pytorch_%s_pred" % s] = p
    m = ff.read_fbnn(a.out_model)
    t0 = time.time()
    slow = ff.run_reference(m, xte[:a.check_n])
    with patched_conv_sum():
        fast = ff.run_reference(m, xte[:a.check_n])
        if slow.tobytes() != fast.tobytes():
            raise SystemExit("patched conv sum differs from the reference")
        res["fast_conv_check_images"] = a.check_n
        for s, x, y in (("val", xva, yva), ("test", xte, yte)):
            lg = batched(lambda b: ff.run_reference(m, b), x)
            pred = lg.argmax(1)
            res["fbnn_ref_%s_acc" % s] = float((pred == y).mean())
            res["fbnn_ref_vs_pytorch_%s_agree" % s] = float((pred == res.pop("pytorch_%s_pred" % s)).mean())
            if s == "test" and a.pred:
                with open(a.pred, "w") as f:
                    f.write("".join("%d\n" % v for v in pred))
    res["reference_eval_s"] = time.time() - t0
    report(res, a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

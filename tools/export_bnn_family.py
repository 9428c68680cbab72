#!/usr/bin/python3
"""Export a BNN-family checkpoint of tools/train_bnn_family.py (DoReFa,
ABC-Net, Bi-Real) to .fbnn (format 1.2 ops rconv, quant_kbit, kconv) and
evaluate the exported file with the float32 reference (tools/fbnn_ops.py),
the exporter's own evaluation that the C library must match bit for bit.

  /usr/bin/python3 tools/export_bnn_family.py out/dorefa/final.pt models/fashion_mnist_dorefa.fbnn \\
      --preds out/dorefa/ref_preds.txt --golden-prefix out/dorefa/

Folding (exact by construction: the reference evaluates the written file):
BatchNorm -> AFFINE a = gamma / sqrt(var + eps), b = beta - mean * a; the
stem's input scale 1/255 goes into its weights (the C conv reads raw
pixels); KCONV scales A[m, o] = alpha[m, o] / (2^planes - 1) (integer codes
in C). The exporter refuses what the format cannot express, naming the layer.
"""
import argparse
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
import fbnn_format as ff  # noqa: E402
from fracbnn_torch.bnn_family import QuantNet, BiRealNet  # noqa: E402
from fracbnn_torch.data import load_split, FMNIST_LABELS  # noqa: E402


def bn_affine(bn, what):
    if not isinstance(bn, torch.nn.BatchNorm2d) or bn.running_var is None:
        raise ff.FormatError("%s: expected a BatchNorm2d with running statistics" % what)
    var = bn.running_var.detach().double()
    a = bn.weight.detach().double() / torch.sqrt(var + bn.eps)
    b = bn.bias.detach().double() - bn.running_mean.detach().double() * a
    return a.float().numpy(), b.float().numpy()


def conv_pads(conv, what):
    p = conv.padding if isinstance(conv.padding, tuple) else (conv.padding,) * 2
    s = conv.stride if isinstance(conv.stride, tuple) else (conv.stride,) * 2
    if p[0] != p[1] or s[0] != s[1] or conv.dilation not in ((1, 1), 1):
        raise ff.FormatError("%s: only square stride/padding and no dilation" % what)
    return int(s[0]), int(p[0])


def stem(g, x, model):
    s, p = conv_pads(model.stem, "stem")
    w = (model.stem.weight.detach().float() * (1.0 / 255.0)).numpy()
    b = model.stem.bias.detach().float().numpy() if model.stem.bias is not None else np.zeros(w.shape[0], np.float32)
    y = g.rconv(x, w, b, stride=s, pad=p, groups=model.stem.groups)
    y = g.affine(y, *bn_affine(model.stem_bn, "stem_bn"))
    return g.maxpool(y, k=2, stride=2, pad=0)


def build_graph(model, name):
    g = ff.GraphBuilder(name, FMNIST_LABELS, colour=1, resize=0, invert=1)
    x = stem(g, g.input(1, 28, 28), model)
    if isinstance(model, QuantNet):
        planes = model.config["planes"]
        if planes < 1:
            raise ff.FormatError("float-activation model (planes = 0) has no .fbnn form")
        for li, (cv, bn) in enumerate(zip(model.convs, model.bns)):
            bs, alpha = cv.binary_bases()
            wts = np.stack([b.detach().numpy() for b in bs])             # [M, Co, Ci, K, K] in {-1,+1}
            a = (alpha.detach().double() / float(2 ** planes - 1)).float().numpy()
            q = g.quant_kbit(x, planes)
            y = g.kconv(q, wts, a, planes, stride=cv.stride, pad=cv.padding)
            x = g.affine(y, *bn_affine(bn, "bns.%d" % li))
    elif isinstance(model, BiRealNet):
        if not model.config["binary"]:
            raise ff.FormatError("float-activation model has no .fbnn form")
        for li, (cv, bn, sc) in enumerate(zip(model.convs, model.bns, model.scs)):
            wb = torch.where(cv.weight.detach() > 0, 1.0, -1.0).numpy()
            y = g.bconv(g.sign(x), wb, stride=cv.stride, pad=cv.padding)
            y = g.affine(y, *bn_affine(bn, "bns.%d" % li))
            if isinstance(sc, torch.nn.Identity):
                r = x
            else:
                pool, conv, sbn = sc[0], sc[1], sc[2]
                r = x
                if isinstance(pool, torch.nn.AvgPool2d):
                    k = int(pool.kernel_size)
                    r = g.avgpool(r, k=k, stride=int(pool.stride), dup=1)
                w = conv.weight.detach().float().numpy()
                r = g.rconv(r, w, np.zeros(w.shape[0], np.float32), stride=1, pad=0)
                r = g.affine(r, *bn_affine(sbn, "scs.%d.2" % li))
            if g.shape(r) != g.shape(y):
                raise ff.FormatError("block %d: shortcut %r does not match %r" % (li, g.shape(r), g.shape(y)))
            x = g.add(y, r)
    else:
        raise ff.FormatError("unknown model type %s" % type(model).__name__)
    x = g.global_avgpool(x)
    w = model.fc.weight.detach().float().numpy()
    c = g.shape(x)[0]
    x = g.fc(x, w.reshape(w.shape[0], c), model.fc.bias.detach().float().numpy())
    g.set_output(x)
    return g


def load_model(path):
    ck = torch.load(path)
    cfg = dict(ck["config"])
    kind = cfg.pop("kind")
    model = QuantNet(**cfg) if kind == "quant" else BiRealNet(**cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    return model, ck


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--name", default=None)
    ap.add_argument("--preds", default=None, help="write the reference's test-set predictions (one a line)")
    ap.add_argument("--golden-prefix", default=None, help="write PREFIXgolden_* (16 test images)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    model, ck = load_model(args.checkpoint)
    name = args.name or "fashion_mnist_%s" % ck["arch"]
    g = build_graph(model, name)
    size = g.save(args.out)
    m = ff.read_fbnn(args.out)
    x, y = load_split("test")
    preds = []
    for i in range(0, len(x), 500):
        preds.append(np.argmax(ff.run_reference(m, x[i:i + 500]), 1))
    preds = np.concatenate(preds)
    acc = float((preds == y).mean())
    with torch.no_grad():
        tp = np.concatenate([model(torch.from_numpy(x[i:i + 500])).argmax(1).numpy() for i in range(0, len(x), 500)])
    print("wrote %s: %d bytes, %d ops; float32 reference of the file: test %.2f %% (%d / %d); "
          "PyTorch eval: %.2f %%; predictions agree on %d / %d" % (
              args.out, size, len(m.ops), 100 * acc, int((preds == y).sum()), len(y),
              100 * float((tp == y).mean()), int((tp == preds).sum()), len(y)))
    if args.preds:
        np.savetxt(args.preds, preds, fmt="%d")
    if args.golden_prefix:
        from export_fbnn import write_golden
        write_golden(args.golden_prefix, args.out, x[:16])
    return acc


if __name__ == "__main__":
    main()

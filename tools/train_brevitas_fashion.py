#!/usr/bin/env python3
"""Train a small binary CNN with Brevitas on Fashion-MNIST, export it with
brevitas.export.export_qonnx, import it with tools/import_qonnx.py, and
evaluate: the Brevitas (PyTorch) forward on the validation split and the
10 000 test images, qonnx's execute_onnx on the first --onnx-check test
images, and the imported file's float32 reference (fbnn_format) on all test
images (the C library is bit-exact with that reference; check with
`build/fbnn eval`).

Run with the PyPI venv's interpreter (brevitas, onnx, qonnx; Debian's torch):
  /work/pyenv/bin/python tools/train_brevitas_fashion.py --out out/brevitas \\
      --fbnn models/fashion_mnist_brevitas.fbnn --epochs 4

Network (BinaryNet-style, every hidden activation binary):
  x = pixel / 255 -> conv3x3 (binary weights, real input: RCONV) -> BN -> sign
  -> maxpool over bits -> conv3x3 binary -> BN -> sign -> maxpool
  -> conv3x3 binary -> BN -> sign
  -> FC 3136-256 binary -> BN -> sign -> FC 256-10 binary -> BN (logits).
Validation: 5 000 training images held out (seeded, fracbnn_torch.data);
the test split is read only for the final numbers.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
import brevitas.nn as qnn  # noqa: E402
from brevitas.quant import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst  # noqa: E402
from fracbnn_torch.data import train_val_split, load_split, FMNIST_LABELS  # noqa: E402

WQ = SignedBinaryWeightPerTensorConst


def sign_act():
    return qnn.QuantIdentity(act_quant=SignedBinaryActPerTensorConst)


class BinCNN(nn.Module):
    def __init__(self, width=32):
        super().__init__()
        w = width
        chans = [(1, w), (w, 2 * w), (2 * w, 2 * w)]
        layers = []
        for i, (ci, co) in enumerate(chans):
            layers += [qnn.QuantConv2d(ci, co, 3, padding=1, bias=False, weight_quant=WQ),
                       nn.BatchNorm2d(co), sign_act()]
            if i in (0, 1):
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.fc1 = qnn.QuantLinear(2 * w * 49, 256, bias=False, weight_quant=WQ)
        self.bn1 = nn.BatchNorm1d(256)
        self.act1 = sign_act()
        self.fc2 = qnn.QuantLinear(256, 10, bias=False, weight_quant=WQ)
        self.bn2 = nn.BatchNorm1d(10)

    def forward(self, x):
        x = torch.flatten(self.features(x), 1)
        return self.bn2(self.fc2(self.act1(self.bn1(self.fc1(x)))))


def to_input(u8):
    return torch.from_numpy(u8).float() / 255.0


def predict(model, x, bs=500):
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(to_input(x[i:i + bs])).argmax(1).numpy() for i in range(0, len(x), bs)])


def train(args, log):
    xtr, ytr, xva, yva = train_val_split()
    torch.manual_seed(args.seed)
    model = BinCNN(args.width)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * (len(xtr) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps)
    rng = np.random.RandomState(args.seed)
    t0, best = time.time(), None
    for ep in range(args.epochs):
        model.train()
        perm = rng.permutation(len(xtr))
        for i in range(len(xtr) // args.batch):
            idx = perm[i * args.batch:(i + 1) * args.batch]
            loss = nn.functional.cross_entropy(model(to_input(xtr[idx])), torch.from_numpy(ytr[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        acc = float((predict(model, xva) == yva).mean())
        log("epoch %d: loss %.4f, val %.2f %%, %.0f s" % (ep + 1, loss.item(), 100 * acc, time.time() - t0))
        if best is None or acc >= best[0]:
            best = (acc, ep + 1, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    model.eval()
    return model, best[0], best[1], time.time() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out/brevitas")
    ap.add_argument("--fbnn", default="models/fashion_mnist_brevitas.fbnn")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.005)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--onnx-check", type=int, default=500, help="test images run through qonnx's execute_onnx")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "train.log"), "a")

    def log(msg):
        print(msg, flush=True)
        logf.write(msg + "\n")
        logf.flush()

    log("config %s" % json.dumps(vars(args)))
    model, val, epoch, secs = train(args, log)
    torch.save(model.state_dict(), os.path.join(args.out, "model.pt"))

    from brevitas.export import export_qonnx
    onnx_path = os.path.join(args.out, "fashion_mnist_brevitas.onnx")
    export_qonnx(model, torch.zeros(1, 1, 28, 28), onnx_path)
    from import_qonnx import import_qonnx
    import fbnn_format as ff
    size = import_qonnx(onnx_path, args.fbnn, FMNIST_LABELS, invert=1, name="fashion_mnist_brevitas")

    x, y = load_split("test")
    tp = predict(model, x)
    m = ff.read_fbnn(args.fbnn)
    fp = np.concatenate([ff.run_reference(m, x[i:i + 500]).argmax(1) for i in range(0, len(x), 500)])
    np.savetxt(os.path.join(args.out, "fbnn_ref_preds.txt"), fp, fmt="%d")
    np.savetxt(os.path.join(args.out, "brevitas_preds.txt"), tp, fmt="%d")
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model
    qm = cleanup_model(ModelWrapper(onnx_path))
    iname, oname = qm.graph.input[0].name, qm.graph.output[0].name
    n = args.onnx_check
    qp = np.array([execute_onnx(qm, {iname: to_input(x[i:i + 1]).numpy()})[oname].argmax() for i in range(n)])
    res = {"best_epoch": epoch, "val_acc": val, "train_seconds": round(secs, 1), "fbnn_bytes": size,
           "brevitas_test_acc": float((tp == y).mean()), "fbnn_ref_test_acc": float((fp == y).mean()),
           "brevitas_vs_fbnn_ref_agree": int((tp == fp).sum()),
           "qonnx_exec_images": n, "qonnx_vs_fbnn_ref_agree": int((qp == fp[:n]).sum()),
           "qonnx_vs_brevitas_agree": int((qp == tp[:n]).sum())}
    log("result %s" % json.dumps(res))
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()

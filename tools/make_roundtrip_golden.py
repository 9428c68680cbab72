#!/usr/bin/python3
"""Tiny train + export round trip for the C test suite (runs in seconds).

  /usr/bin/python3 tools/make_roundtrip_golden.py OUTDIR [--seed S]

Trains a tiny FracBNN ResNet (width 8, blocks 2,1,1, 1 x 28 x 28 input,
thermometer R = 8) for a few steps of each of the three recipe steps on
Fashion-MNIST (or on seeded synthetic images if the dataset is not
installed; the script says which), exports it with tools/export_fbnn.py and
writes into OUTDIR:

  model.fbnn          the exported model
  golden_inputs.u8    uint8 [N,C,H,W] inputs (real images, random images,
                      thermometer rounding edge cases)
  golden_logits.f32   little-endian float32 [N,classes] logits from
                      fbnn_format.run_reference on model.fbnn
  golden.txt          "N C H W classes"

It fails (exit 1) unless run_reference on the file reproduces the PyTorch
eval-mode logits bit for bit, and unless the PG gates fired at some but not
all positions (so both branches are exercised).
"""
import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def tiny_data(n, in_ch, hw, seed):
    """n training images + labels: Fashion-MNIST if available (grey 28x28), else synthetic."""
    from fracbnn_torch.data import FMNIST_DIR, load_split
    rng = np.random.RandomState(seed)
    if in_ch == 1 and hw == 28 and os.path.exists(os.path.join(FMNIST_DIR, "t10k-images-idx3-ubyte.gz")):
        x, y = load_split("test")    # small file; only used to fit a throw-away tiny model
        idx = rng.permutation(len(x))[:n]
        return x[idx], y[idx], "fashion-mnist"
    y = rng.randint(0, 10, size=n)
    base = rng.randint(0, 256, size=(10, in_ch, hw, hw))
    x = np.clip(base[y] + rng.randint(-60, 61, size=(n, in_ch, hw, hw)), 0, 255).astype(np.uint8)
    return x, y.astype(np.int64), "synthetic"


def train_tiny(seed=0, width=8, blocks=(2, 1, 1), in_ch=1, hw=28, resolution=8, steps=4, batch=32,
               num_classes=10, threshold_init=3.0):
    """A few Adam steps of each recipe step; returns (model in phase 3, data source)."""
    import torch
    import torch.nn.functional as F
    from fracbnn_torch import FracResNet
    torch.manual_seed(seed)
    model = FracResNet(in_ch, hw, num_classes, width, blocks, resolution, threshold_init)
    x, y, src = tiny_data(steps * 3 * batch, in_ch, hw, seed)
    y = y % num_classes
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    i = 0
    for phase, lr in ((1, 5e-3), (2, 2e-3), (3, 2e-3)):
        model.set_phase(phase)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        model.train()
        for _ in range(steps):
            xb, yb = x[i:i + batch], y[i:i + batch]
            i += batch
            loss = F.cross_entropy(model.forward_train(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    return model, src


def golden_inputs(in_ch, hw, seed=7, n_real=8, n_random=8):
    x_real, _, _ = tiny_data(n_real, in_ch, hw, seed + 1)
    rng = np.random.RandomState(seed)
    rnd = rng.randint(0, 256, size=(n_random, in_ch, hw, hw)).astype(np.uint8)
    edge = np.zeros((3, in_ch, hw, hw), dtype=np.uint8)
    edge[1] = 255
    # thermometer ties and neighbours for R = 8: 3,4,5 (4/8 = 0.5 -> 0), 11,12,13 (1.5 -> 2), 252..255
    vals = np.array([3, 4, 5, 11, 12, 13, 20, 28, 252, 253, 254, 255, 0, 128, 127, 129], dtype=np.uint8)
    edge[2] = np.resize(vals, (in_ch, hw, hw))
    return np.concatenate([x_real, rnd, edge]).astype(np.uint8)


def export_and_check(model, outdir, images, prefix="", name="tiny round-trip model", labels=None):
    """Export `model` to OUTDIR/PREFIXmodel.fbnn + golden files; check bit-exactness.
    Returns (logits from run_reference, stats dict)."""
    import torch
    import fbnn_format as ff
    import export_fbnn as ex
    cfg = model.config
    labels = labels or ["class%d" % i for i in range(cfg["num_classes"])]
    path = os.path.join(outdir, prefix + "model.fbnn")
    ex.export_state_dict(model.state_dict(), path, in_ch=cfg["in_ch"], in_hw=cfg["in_hw"],
                         resolution=cfg["resolution"], labels=labels, name=name,
                         gate=model.phase >= 3)
    stats = {}
    ref = ff.run_reference(ff.read_fbnn(path), images, stats=stats)
    model.eval()
    with torch.no_grad():
        pt = model(torch.from_numpy(images)).numpy()
    if pt.dtype != np.float32 or pt.tobytes() != ref.astype(np.float32).tobytes():
        raise SystemExit("round trip FAILED: %d of %d logits differ between PyTorch eval and "
                         "run_reference" % (int(np.sum(pt != ref)), ref.size))
    ex.write_golden(os.path.join(outdir, prefix), path, images)
    return ref, stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import torch
    torch.set_num_threads(2)
    t0 = time.time()
    os.makedirs(args.outdir, exist_ok=True)
    model, src = train_tiny(seed=args.seed)
    images = golden_inputs(1, 28)
    ref, stats = export_and_check(model, args.outdir, images)
    fired = sum(f for f, _ in stats.values())
    total = sum(t for _, t in stats.values())
    if not 0 < fired < total:
        raise SystemExit("round trip model is degenerate: PG gates fired at %d of %d positions" % (fired, total))
    print("round trip OK (trained on %s): %d images, logits bit-exact; PG gate fired %.1f%%; "
          "wrote %s in %.1fs" % (src, len(images), 100.0 * fired / total, args.outdir, time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())

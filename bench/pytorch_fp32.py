#!/usr/bin/env python3
"""Time PyTorch float32 inference of the released FracBNN CIFAR-10 network.

The network is the ordinary float32 PyTorch formulation in
tools/fracbnn_ref.py (AuthorsOpsFracBNN: F.conv2d on +-1 / Q2 values, the
authors' op sequence) -- what running the released model in PyTorch costs.
It runs on the same 846 real CIFAR-10 test images as `fbnn eval`, with 2
threads (torch.set_num_threads), in batches and one image at a time; every
figure is the median of repeats after one warm-up. Also timed for scale: a
plain float32 ResNet-20 (19 nn.Conv2d + BN + ReLU, the shapes bench_compare
gives oneDNN).

With --fbnn PATH/TO/fbnn, each timed repeat of the batched PyTorch run is
followed by one `fbnn eval` of the same images with the same thread count
(its own batch of 256, inference time only): both see the same machine
state, and the ratio is reported per pair and as the median of the pairs.

Usage (from the repository root):
  /usr/bin/python3 bench/pytorch_fp32.py [--threads 2] [--batch 64] [--reps 5] [--quick]
                                         [--fbnn build/fbnn [--model MODEL]]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import fracbnn_ref  # noqa: E402  (the PyTorch model of the released network)


def resnet20_convs():
    """Plain float32 ResNet-20 for CIFAR-10 (option-A shortcuts: no shortcut convs)."""
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for b in range(3):
            s = stride if b == 0 else 1
            layers += [nn.Conv2d(cin, cout, 3, s, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                       nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers).eval()


def timed(fn, reps):
    fn()  # warm-up
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return statistics.median(t)


def fbnn_eval_rate(fbnn, model, data, threads):
    """images/s of one `fbnn eval` pass (its own timing of fbnn_run_batch)."""
    out = subprocess.run([fbnn, "eval", model, data, "--threads", str(threads), "--no-progress"],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"^throughput: (\d+) images/s", out, re.M)
    if not m:
        raise RuntimeError("no throughput line in fbnn eval output:\n" + out)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.path.join(fracbnn_ref.SHARED, "cifar10_test_846.bin"))
    ap.add_argument("--npz", default=os.path.join(fracbnn_ref.SHARED, "fracbnn_cifar10_official.npz"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=None, help="timed repeats (default 5; 1 with --quick)")
    ap.add_argument("--single", type=int, default=50, help="images for the single-image latency")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 repeat, 8 images")
    ap.add_argument("--fbnn", help="fbnn binary: time `fbnn eval` after each PyTorch repeat, report the ratio")
    ap.add_argument("--model", default=os.path.join(HERE, "..", "models", "cifar10_fracbnn.fbnn"))
    a = ap.parse_args()
    if a.reps is None:
        a.reps = 1 if a.quick else 5
    if a.quick:
        a.single = 4
    torch.set_num_threads(a.threads)
    labels, imgs = fracbnn_ref.load_cifar_bin(a.data)
    if a.quick:
        labels, imgs = labels[:8], imgs[:8]
    x = torch.from_numpy(imgs.copy())
    n = len(labels)
    net = fracbnn_ref.AuthorsOpsFracBNN(a.npz)
    print("PyTorch %s, %d threads, %d images (%s), median of %d repeats" %
          (torch.__version__, torch.get_num_threads(), n, a.data, a.reps))
    with torch.no_grad():
        pred = torch.cat([net(x[i:i + a.batch]) for i in range(0, n, a.batch)]).argmax(1).numpy()
        print("FracBNN fp32 (authors' ops): %d/%d correct = %.2f %% (the same network)" %
              ((pred == labels).sum(), n, 100.0 * (pred == labels).sum() / n))

        def all_batches():
            for i in range(0, n, a.batch):
                net(x[i:i + a.batch])
        if a.fbnn:
            # Alternate: PyTorch repeat, fbnn eval pass, ... (one warm-up each).
            all_batches()
            fbnn_eval_rate(a.fbnn, a.model, a.data, a.threads)
            ours, theirs = [], []
            for _ in range(a.reps):
                # A pause before each side: PyTorch's OpenMP workers may spin
                # for a moment after a parallel region, and fbnn eval is a
                # separate process that would compete with them.
                time.sleep(0.3)
                t0 = time.perf_counter()
                all_batches()
                theirs.append(n / (time.perf_counter() - t0))
                time.sleep(0.3)
                ours.append(fbnn_eval_rate(a.fbnn, a.model, a.data, a.threads))
            ratios = [o / p for o, p in zip(ours, theirs)]
            print("FracBNN fp32, batch %d:      %8.1f images/s" % (a.batch, statistics.median(theirs)))
            print("fbnn eval, %d threads:       %8.1f images/s (median; passes %s)" %
                  (a.threads, statistics.median(ours), " ".join("%.0f" % o for o in ours)))
            print("ratio fbnn eval / PyTorch:   %8.1fx (median of %d pairs; pairs %s)" %
                  (statistics.median(ratios), len(ratios), " ".join("%.1f" % r for r in ratios)))
        else:
            t = timed(all_batches, a.reps)
            print("FracBNN fp32, batch %d:      %8.1f images/s" % (a.batch, n / t))
        k = min(a.single, n)
        singles = []
        net(x[0:1])
        for i in range(k):
            t0 = time.perf_counter()
            net(x[i:i + 1])
            singles.append(time.perf_counter() - t0)
        med = statistics.median(singles)
        print("FracBNN fp32, single image:  %8.1f images/s (median latency %.2f ms over %d images)" %
              (1.0 / med, 1e3 * med, k))

        r20 = resnet20_convs()
        xf = x.to(torch.float32) / 255.0

        def r20_batches():
            for i in range(0, n, a.batch):
                r20(xf[i:i + a.batch])
        t = timed(r20_batches, a.reps)
        print("plain ResNet-20 fp32, batch %d: %8.1f images/s (19 convs + BN + ReLU, for scale)" % (a.batch, n / t))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""PyTorch float32 against libfracbnn on the FracBNN ImageNet network, side by side.

PyTorch runs the toolkit's module (tools/fracbnn_torch/mobile.py,
FracMobileNet, the authors' layer structure: thermometer, binary stem, 13
blocks of PG 3x3 + PG 1x1 convs as F.conv2d on +-1 / 2-bit values, BN,
RPReLU, Q4 shortcuts, FC) in eval mode under torch.no_grad(): what running
the network in PyTorch costs a user. libfracbnn runs a converted model of
the same architecture (`fbnn bench`, batched fbnn_run_batch). Weights do not
change the work of either (the PG gate's LSB pass is computed densely by
PyTorch and sparsely by libfracbnn; the random-weight models of
tools/make_imagenet_testmodel.py fire it on ~35 % of outputs, like a trained
network). Each repeat times PyTorch once, then `fbnn bench` once, with the
same thread count; the ratio is the median of the pairs.

  /usr/bin/python3 bench/pytorch_imagenet.py --fbnn build/fbnn --model MODEL.fbnn [--threads 2] [--batch 8] [--reps 3]

MODEL.fbnn: e.g. the output of `tools/make_imagenet_testmodel.py OUTDIR`
(OUTDIR/model.fbnn). Interpreter: Debian's /usr/bin/python3 (torch).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from fracbnn_torch.mobile import FracMobileNet  # noqa: E402


def torch_images_per_s(model, x):
    with torch.no_grad():
        model.forward_train(x[:1])  # warm-up
        t0 = time.perf_counter()
        model.forward_train(x)
        return x.shape[0] / (time.perf_counter() - t0)


def fbnn_images_per_s(fbnn, model_path, threads):
    out = subprocess.run([fbnn, "bench", model_path, "--threads", str(threads), "--iters", "3", "--no-layers"],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"throughput: (\d+) images/s", out)
    if not m:
        sys.exit("bench_imagenet: no throughput in fbnn bench output:\n" + out)
    lat = re.search(r"latency: ([\d.]+) us per image", out)
    return float(m.group(1)), float(lat.group(1)) / 1000.0 if lat else float("nan")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fbnn", required=True)
    ap.add_argument("--model", required=True, help="an ImageNet FracBNN .fbnn")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = FracMobileNet().eval()
    x = torch.randint(0, 256, (a.batch, 3, 224, 224), dtype=torch.uint8)
    pairs = []
    for r in range(a.reps):
        tp = torch_images_per_s(model, x)
        fb, lat = fbnn_images_per_s(a.fbnn, a.model, a.threads)
        pairs.append((tp, fb, lat))
        print("repeat %d: PyTorch fp32 %.2f images/s, libfracbnn %.1f images/s (latency %.2f ms): %.1fx"
              % (r + 1, tp, fb, lat, fb / tp), flush=True)
    tp = statistics.median(p[0] for p in pairs)
    fb = statistics.median(p[1] for p in pairs)
    ratio = statistics.median(p[1] / p[0] for p in pairs)
    print("PyTorch %s fp32, %d threads, batch %d: %.2f images/s (median of %d)" % (
        torch.__version__, a.threads, a.batch, tp, a.reps))
    print("libfracbnn fbnn bench, %d threads: %.1f images/s (median)" % (a.threads, fb))
    print("ratio libfracbnn / PyTorch: %.1fx (median of %d pairs); the FPGA of the paper: 48.1 images/s" % (
        ratio, a.reps))


if __name__ == "__main__":
    main()

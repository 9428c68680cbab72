#!/usr/bin/python3
"""Measure the shipped models for the comparison table of docs/MODELS.md:
test accuracy from C (`fbnn eval --json`), file bytes, binary / real MACs
(tools/model_macs.py) and speed (`fbnn bench`, single-threaded).

  /usr/bin/python3 tools/models_table.py --fbnn build/fbnn --rounds 3 --json out/models_table.json

Speed on a shared machine is noisy, so `fbnn bench` runs in --rounds
interleaved rounds (model A, B, C, ..., then A, B, C again, ...) and the
table gives the median over the rounds of each round's own median
(throughput: fbnn_run_batch of 256 images; latency: fbnn_run of one image),
plus the best round's latency. The load average at the start and the end is
recorded, since other jobs shared the CPU.

Fashion-MNIST models are evaluated on the 10 000 test images; the CIFAR-10
model on the 846 real test images in /work/shared/data (all there is here).
`fbnn bench` takes real images only from a CIFAR-10 batch, so the
Fashion-MNIST models are timed on deterministic random pixels (which matters
only for the precision-gated LSB convs of the FracBNN models).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_macs import model_macs  # noqa: E402

FM = "/usr/share/datasets/fashion-mnist/"
FM_TEST = [FM + "t10k-images-idx3-ubyte.gz", FM + "t10k-labels-idx1-ubyte.gz"]
CIFAR = "/work/shared/data/cifar10_test_846.bin"
MODELS = ["fashion_mnist_binarynet", "fashion_mnist_xnornet", "fashion_mnist_dorefa", "fashion_mnist_abcnet",
          "fashion_mnist_bireal", "fashion_mnist_fracbnn", "fashion_mnist_fracbnn_mobile", "cifar10_fracbnn"]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p.stdout


def bench_once(fbnn, path, cifar, iters):
    cmd = [fbnn, "bench", path, "--iters", str(iters), "--no-layers"] + (["--data", CIFAR] if cifar else [])
    out = run(cmd)
    thr = re.search(r"throughput: (\d+) images/s", out)
    lat = re.search(r"latency: ([\d.]+) us per image", out)
    if not thr or not lat:
        raise SystemExit("cannot parse fbnn bench output of %s:\n%s" % (path, out))
    return float(thr.group(1)), float(lat.group(1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fbnn", default="build/fbnn")
    ap.add_argument("--models-dir", default="models")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--json", default=None)
    ap.add_argument("--only", default=None, help="comma-separated subset of the model names")
    a = ap.parse_args(argv)
    names = a.only.split(",") if a.only else MODELS
    rows = {}
    for n in names:
        path = os.path.join(a.models_dir, n + ".fbnn")
        cifar = n.startswith("cifar10")
        ev = json.loads(run([a.fbnn, "eval", path] + ([CIFAR] if cifar else FM_TEST) + ["--json", "--no-progress"]))
        mac = model_macs(path)
        rows[n] = dict(model=path, images=ev["images"], correct=ev["correct"], accuracy=ev["accuracy"],
                       file_bytes=mac["file_bytes"], binary_macs=mac["binary_macs"],
                       lsb_macs_max=mac["lsb_macs_max"], real_macs=mac["real_macs"], thr=[], lat=[])
    load0 = os.getloadavg()
    for _ in range(a.rounds):
        for n in names:
            t, l = bench_once(a.fbnn, rows[n]["model"], n.startswith("cifar10"), a.iters)
            rows[n]["thr"].append(t)
            rows[n]["lat"].append(l)
    load1 = os.getloadavg()
    for r in rows.values():
        r["images_per_s"] = statistics.median(r["thr"])
        r["latency_us"] = statistics.median(r["lat"])
        r["latency_us_best_round"] = min(r["lat"])
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    res = dict(cpu=cpu, nproc=os.cpu_count(), loadavg_start=load0, loadavg_end=load1, rounds=a.rounds,
               iters=a.iters, models=rows)
    print("| model | test acc. (C) | file bytes | binary MACs | real MACs | images/s | latency us (best round) |")
    print("|---|---|---|---|---|---|---|")
    for n, r in rows.items():
        print("| `%s` | %.2f %% (%d/%d) | %d | %.2f M%s | %.3f M | %.0f | %.0f (%.0f) |" % (
            n, 100 * r["accuracy"], r["correct"], r["images"], r["file_bytes"], r["binary_macs"] / 1e6,
            " + LSB <= %.2f M" % (r["lsb_macs_max"] / 1e6) if r["lsb_macs_max"] else "", r["real_macs"] / 1e6,
            r["images_per_s"], r["latency_us"], r["latency_us_best_round"]))
    print("cpu: %s x %d; load average %s -> %s" % (cpu, res["nproc"], load0, load1))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())

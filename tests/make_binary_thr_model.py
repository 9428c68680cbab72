#!/usr/bin/python3
"""A random all-binary network over the ops with integer epilogues of issue
18 (bconv_thr with 1x1, 3x3 and 5x5 windows, strides 1 and 2, channel counts
that are not multiples of 16 or 32; bfc_thr; bfc; the k-bit threshold
outputs of bconv_thr and bfc_thr read by kconv) and its golden logits from
the Python reference (tools/fbnn_ops.py), for test_golden_dir: ctest
golden_binary_thr_every_isa runs it through every ISA and 1..3 threads.

  /usr/bin/python3 tests/make_binary_thr_model.py OUTDIR [SEED]

Thresholds are drawn around the middle of each layer's sum spread (so both
output bits occur), flips 0 and 1 alike.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import fbnn_format as ff  # noqa: E402
from export_fbnn import save_golden_model  # noqa: E402


def pm1(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def thr(rng, n, fan_in, bits=1):
    """n channels of 2^bits - 1 thresholds (sorted in the order the code
    counts them: ascending for flip 0, descending for flip 1) and flips."""
    spread = max(1, int(np.sqrt(fan_in)))
    flip = rng.integers(0, 2, n)
    t = np.sort(rng.integers(-spread, spread + 1, (n, (1 << bits) - 1)), axis=1)
    t[flip == 1] = t[flip == 1, ::-1]
    return (t[:, 0] if bits == 1 else t), flip


def main(outdir, seed=20261206):
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    g = ff.GraphBuilder("binary threshold test", ["c%d" % i for i in range(10)], colour=1)
    x = g.input(1, 23, 21)
    t = g.thermometer(x, resolution=16)                                     # 16 x 23 x 21
    c0 = g.shape(t)[0]
    y = g.bconv_thr(t, pm1(rng, (48, c0, 3, 3)), *thr(rng, 48, 9 * c0))     # 48 x 23 x 21
    y = g.bconv_thr(y, pm1(rng, (70, 48, 3, 3)), *thr(rng, 70, 9 * 48), stride=2, pad=1)  # 70 x 12 x 11
    y = g.maxpool(y, 2, 2)                                                  # 70 x 6 x 5
    y = g.bconv_thr(y, pm1(rng, (100, 70, 5, 5)), *thr(rng, 100, 25 * 70), stride=1, pad=2)
    # k-bit threshold outputs (2 bit planes of 40 channels) read by a 2-plane, 2-base kconv
    y = g.bconv_thr(y, pm1(rng, (40, 100, 3, 3)), *thr(rng, 40, 9 * 100, 2), stride=1, pad=1, bits=2)
    y = g.kconv(y, pm1(rng, (2, 36, 40, 3, 3)), rng.uniform(0.005, 0.02, (2, 36)), 2, stride=1, pad=1)
    y = g.sign(g.affine(y, rng.uniform(0.5, 1.5, 36), rng.uniform(-0.3, 0.3, 36)))
    y = g.bconv_thr(y, pm1(rng, (33, 36, 1, 1)), *thr(rng, 33, 36), stride=1, pad=0)
    n_in = 33 * 6 * 5
    y = g.bfc_thr(y, pm1(rng, (130, n_in)), *thr(rng, 130, n_in))
    z = g.bfc(y, pm1(rng, (10, 130)), rng.uniform(0.01, 0.1, 10), rng.uniform(-0.5, 0.5, 10))
    # 3-bit FC codes (3 planes of 20) into a 1x1 kconv with 3 planes
    q = g.bfc_thr(y, pm1(rng, (20, 130)), *thr(rng, 20, 130, 3), bits=3)
    y = g.kconv(q, pm1(rng, (1, 10, 20, 1, 1)), rng.uniform(0.001, 0.004, (1, 10)), 3, stride=1, pad=0)
    y = g.add(z, y)
    g.set_output(y)
    images = rng.integers(0, 256, (8, 1, 23, 21), dtype=np.uint8)
    save_golden_model(g, outdir, images)


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))

#!/usr/bin/python3
"""A random network over the format 1.2 ops of issue 18 part B (rconv on the
8-bit input and on real maps with groups, depthwise and per-side padding,
1x1 rconv, quant_kbit with 1..4 planes on channel counts that are not
multiples of 32, kconv with several planes and weight bases, bconv with
per-side padding and padding values) and its golden logits from the Python
reference (tools/fbnn_ops12.py), for test_golden_dir.

  /usr/bin/python3 tests/make_bnn_family_model.py OUTDIR [SEED]
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import fbnn_format as ff  # noqa: E402
from export_fbnn import save_golden_model  # noqa: E402
from fbnn_ops12 import tf_same_pads  # noqa: E402


def pm1(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def main(outdir, seed=20261205):
    rng = np.random.default_rng(seed)
    os.makedirs(outdir, exist_ok=True)
    g = ff.GraphBuilder("bnn family test", ["c%d" % i for i in range(10)], colour=3)
    x = g.input(3, 17, 14)
    # real stem on the raw pixels, TF 'same' at stride 2 (per-side padding)
    y = g.rconv(x, rng.normal(0, 0.01, (24, 3, 3, 3)), rng.normal(0, 0.1, 24), stride=2,
                pad=tf_same_pads(17, 14, 3, 2))                                   # 24 x 9 x 7
    y = g.rconv(y, rng.normal(0, 0.3, (24, 1, 3, 3)), rng.normal(0, 0.1, 24), stride=1, pad=1, groups=24)
    y = g.rconv(y, rng.normal(0, 0.3, (36, 8, 2, 2)), rng.normal(0, 0.1, 36), stride=1, pad=(1, 0, 0, 1),
                groups=3)                                                          # 36 x 9 x 7
    y = g.rconv(y, rng.normal(0, 0.2, (40, 36, 1, 1)), rng.normal(0.4, 0.2, 40))  # 1x1
    q = g.quant_kbit(y, 3)                                                         # 120 planes-channels
    y = g.kconv(q, pm1(rng, (3, 48, 40, 3, 3)), rng.uniform(0.005, 0.02, (3, 48)), 3, stride=1, pad=1)
    y = g.affine(y, rng.uniform(0.5, 1.5, 48), rng.uniform(0.2, 0.6, 48))
    q = g.quant_kbit(y, 4)
    y = g.kconv(q, pm1(rng, (1, 33, 48, 3, 3)), rng.uniform(0.001, 0.004, (1, 33)), 4, stride=2,
                pad=(0, 0, 1, 1))                                                  # 33 x 5 x 4
    q = g.quant_kbit(g.affine(y, rng.uniform(0.5, 1.5, 33), rng.uniform(0.2, 0.6, 33)), 1)
    y = g.kconv(q, pm1(rng, (2, 40, 33, 3, 3)), rng.uniform(0.01, 0.03, (2, 40)), 1, stride=1, pad=1)
    s = g.sign(g.affine(y, rng.uniform(0.5, 1.5, 40), rng.uniform(-0.2, 0.2, 40)))
    y = g.bconv(s, pm1(rng, (50, 40, 3, 3)), stride=2, pad=(0, 1, 1, 0), pad_value=1)
    s = g.sign(g.affine(y, rng.uniform(0.01, 0.05, 50), rng.uniform(-0.5, 0.5, 50)))
    y = g.bconv(s, pm1(rng, (30, 50, 3, 3)), stride=1, pad=(1, 2, 0, 1), pad_value=-1)
    q = g.quant_kbit(g.affine(y, rng.uniform(0.02, 0.05, 30), rng.uniform(0.2, 0.6, 30)), 2)
    y = g.global_avgpool(g.kconv(q, pm1(rng, (1, 20, 30, 1, 1)), rng.uniform(0.1, 0.2, (1, 20)), 2, pad=0))
    y = g.fc(y, rng.uniform(-0.5, 0.5, (10, 20)), rng.uniform(-0.1, 0.1, 10))
    g.set_output(y)
    images = rng.integers(0, 256, (8, 3, 17, 14), dtype=np.uint8)
    save_golden_model(g, outdir, images)


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))

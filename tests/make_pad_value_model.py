#!/usr/bin/python3
"""A random network whose binary convs pad with +1 and -1, and its golden
logits from the Python reference (tools/fbnn_ops.py), for test_golden_dir.

  /usr/bin/python3 tests/make_pad_value_model.py OUTDIR

Writes OUTDIR/model.fbnn and OUTDIR/golden_{inputs.u8,logits.f32,.txt}.
The shapes (48 and 96 channels, 3x3 stride 1 and 2, odd maps) take the
blocked SIMD conv paths, so every ISA's bconv + the border correction is
checked against the float32 reference, not only the scalar kernels.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import fbnn_format as ff  # noqa: E402
from export_fbnn import write_golden  # noqa: E402


def pm1(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def main(outdir):
    rng = np.random.default_rng(20261205)
    os.makedirs(outdir, exist_ok=True)
    g = ff.GraphBuilder("pad value test", ["c%d" % i for i in range(10)], colour=3)
    x = g.input(3, 15, 13)
    t = g.thermometer(x, resolution=16, bits=16)                       # 48 channels
    y = g.bconv(t, pm1(rng, (64, 48, 3, 3)), stride=1, pad=1, pad_value=1)
    y = g.affine(y, rng.uniform(0.01, 0.05, 64), rng.uniform(-0.5, 0.5, 64))
    s = g.sign(y)
    y = g.bconv(s, pm1(rng, (96, 64, 3, 3)), stride=2, pad=1, pad_value=-1)
    y = g.affine(y, rng.uniform(0.01, 0.05, 96), rng.uniform(-0.5, 0.5, 96))
    s = g.sign(y)
    y = g.bconv(s, pm1(rng, (40, 96, 5, 5)), stride=1, pad=2, pad_value=1)
    y = g.global_avgpool(y)
    y = g.fc(y, rng.uniform(-0.1, 0.1, (10, 40)), rng.uniform(-0.1, 0.1, 10))
    g.set_output(y)
    path = os.path.join(outdir, "model.fbnn")
    g.save(path)
    images = rng.integers(0, 256, (8, 3, 15, 13), dtype=np.uint8)
    ref = write_golden(os.path.join(outdir, ""), path, images)
    # The same graph with zero padding must differ: the test sees the padding.
    m0 = ff.read_fbnn(path)
    m0.ops = [(t_, i_, o_, p_, a_[:3]) for (t_, i_, o_, p_, a_) in m0.ops]
    if np.array_equal(ff.run_reference(m0, images), ref):
        raise SystemExit("pad value has no effect on this model: the test would not see it")
    print("wrote %s (%d images)" % (path, len(images)))


if __name__ == "__main__":
    main(sys.argv[1])

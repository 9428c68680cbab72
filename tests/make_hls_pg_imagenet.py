#!/usr/bin/python3
"""Cases for kernels/hls/tb_pg_imagenet.c: PG convs at the ImageNet FracBNN's
shapes (issue 17), expected outputs from the Python reference semantics
(tools/fbnn_ops.py PGConv.ref, the float32 reference of models/FORMAT.md).

  /usr/bin/python3 tests/make_hls_pg_imagenet.py OUTDIR

Writes OUTDIR/case{0,1,2}.bin, each: int32[9] (in_c, in_h, in_w, out_c, k,
stride, pad, out_h, out_w), then the packed MSB and LSB planes
([H][W][words] uint32), the packed weights ([Co][K][K][words]), the float32
thresholds [Co] and the expected float32 output [Co][Ho][Wo]. Thresholds are
per-channel quantiles of the MSB output so that the LSB pass fires on part of
the outputs (both branches exercised).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import fbnn_format as ff  # noqa: E402
import fbnn_ops as fo  # noqa: E402

# (in_c, in_h, out_c, k, stride, pad): the 1x1 PG conv of the last block, the
# stride-2 3x3 PG conv of block 12 (512 channels, 14x14 -> 7x7), and the
# stride-2 3x3 PG conv of block 2 (64 channels, 112x112 -> 56x56).
CASES = [(1024, 7, 1024, 1, 1, 0), (512, 14, 512, 3, 2, 1), (64, 112, 64, 3, 2, 1)]


class _R:
    stats = None


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    rs = np.random.RandomState(1717)
    for i, (ci, h, co, k, s, p) in enumerate(CASES):
        x = rs.randn(1, ci, h, h).astype(np.float32)
        m, l = fo.quant2_planes(x)
        w = np.where(rs.rand(co, ci, k, k) < 0.5, 1.0, -1.0).astype(np.float32)
        ho = (h + 2 * p - k) // s + 1
        sm = fo._conv_sum(m, w, s, p)
        o_msb = (2 * sm).astype(np.float32) / np.float32(3)
        q = rs.uniform(0.5, 0.75, co)
        thr = np.array([np.quantile(o_msb[0, c], q[c]) for c in range(co)], dtype=np.float32) + np.float32(0.1)
        y = fo.PGConv.ref((m, l), [w, thr], (k, s, p), _R())
        fired = float((o_msb[0] > thr.reshape(-1, 1, 1)).mean())
        with open(os.path.join(outdir, "case%d.bin" % i), "wb") as f:
            f.write(np.array([ci, h, h, co, k, s, p, ho, ho], dtype="<i4").tobytes())
            f.write(ff.pack_conv_weight(m).astype("<u4").tobytes())
            f.write(ff.pack_conv_weight(l).astype("<u4").tobytes())
            f.write(ff.pack_conv_weight(w).astype("<u4").tobytes())
            f.write(thr.astype("<f4").tobytes())
            f.write(y.astype("<f4").reshape(-1).tobytes())
        print("case%d: %dx%dx%d -> %dx%dx%d, k %d s %d p %d, LSB fires on %.1f %%"
              % (i, ci, h, h, co, ho, ho, k, s, p, 100 * fired))


if __name__ == "__main__":
    main(sys.argv[1])

#!/usr/bin/python3
"""Cases for kernels/hls/tb_binary.c: the binary FC (bfc), the binary FC and
conv with the threshold epilogue (bfc_thr, bconv_thr, 1 and k output bits),
at the shapes of models/fashion_mnist_binarynet.fbnn and a few more, with the
expected outputs from the Python reference semantics (tools/fbnn_ops.py).

  /usr/bin/python3 tests/make_hls_binary.py OUTDIR

Writes OUTDIR/case0.bin .. caseN.bin, each: int32[12] (op: 0 bconv_thr,
1 bfc, 2 bfc_thr; bits; in_c, in_h, in_w, out_c, k, stride, pad, out_h,
out_w; n_in), the packed input ([H][W][words] uint32), the packed weights
(conv [Co][K][K][words], FC [N][H][W][words]), the parameters (bconv_thr /
bfc_thr: int32 thresholds [Co][2^bits]; bfc: float32 scale [N], bias [N])
and the expected output (packed words, or float32 [N]). Thresholds lie
at quantiles of each conv channel's sums (an FC's: of all channels' sums),
so both values of every output bit occur.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import fbnn_format as ff  # noqa: E402
import fbnn_ops as fo  # noqa: E402

# (op, bits, in_c, h, out_c, k, stride, pad)
CASES = [
    ("bconv_thr", 1, 8, 28, 64, 3, 1, 1),     # binarynet op 1 (since session 13)
    ("bconv_thr", 1, 64, 14, 128, 3, 1, 1),   # op 3
    ("bconv_thr", 1, 128, 7, 64, 3, 1, 1),    # op 5
    ("bconv_thr", 1, 8, 28, 32, 3, 1, 1),     # the narrower binarynet of sessions 4-12, op 1
    ("bconv_thr", 1, 32, 14, 64, 3, 1, 1),    # op 3
    ("bconv_thr", 1, 64, 7, 64, 3, 1, 1),     # op 5
    ("bconv_thr", 2, 64, 7, 40, 3, 2, 1),     # 2-bit codes
    ("bconv_thr", 4, 33, 6, 17, 5, 1, 2),     # 4-bit codes, odd channels
    ("bfc_thr", 1, 64, 7, 256, 0, 0, 0),      # op 6
    ("bfc_thr", 3, 64, 7, 48, 0, 0, 0),       # 3-bit codes
    ("bfc", 1, 256, 1, 10, 0, 0, 0),          # op 7
    ("bfc", 1, 64, 7, 130, 0, 0, 0),
]


def pm1(rs, *shape):
    return np.where(rs.rand(*shape) < 0.5, 1.0, -1.0).astype(np.float32)


def thresholds(rs, s, bits):
    """[C, 2^bits]: sorted thresholds around the per-channel median of the sums s [C, ...], then the flip."""
    co = s.shape[0]
    n_t = (1 << bits) - 1
    flip = rs.randint(0, 2, co)
    t = np.zeros((co, n_t + 1), dtype=np.int64)
    for c in range(co):
        # a conv channel: its own sums over the pixels; an FC (one sum per
        # channel): the spread of all channels' sums, at random quantiles
        v = s[c].reshape(-1) if s[c].size > 1 else s.reshape(-1)
        qs = np.linspace(0.1, 0.9, n_t) if s[c].size > 1 else np.sort(rs.uniform(0.05, 0.95, n_t))
        q = np.sort(np.quantile(v, qs).round().astype(np.int64))
        t[c, :n_t] = q[::-1] if flip[c] else q
        t[c, n_t] = flip[c]
    return t.astype(np.int32)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    rs = np.random.RandomState(1818)
    for i, (op, bits, ci, h, co, k, s, p) in enumerate(CASES):
        x = pm1(rs, 1, ci, h, h)
        n_in = ci * h * h
        if op == "bconv_thr":
            ho = (h + 2 * p - k) // s + 1
            w = pm1(rs, co, ci, k, k)
            sums = fo._conv_sum(x, w, s, p)[0]
            thr = thresholds(rs, sums, bits)
            attrs = (k, s, p) + ((bits,) if bits > 1 else ())
            y = fo.BConvThr.ref(x, [w, thr], attrs, None)
            packed_w, params = ff.pack_conv_weight(w), [thr.astype("<i4")]
            out = ff.pack_conv_weight(y).astype("<u4")
        else:
            ho = 1
            w = pm1(rs, co, ci, h, h)
            sums = fo._bfc_sum(x, w.reshape(co, ci, h, h))[0].reshape(co, 1)
            packed_w = ff.pack_conv_weight(w)
            if op == "bfc_thr":
                thr = thresholds(rs, sums, bits)
                y = fo.BFCThr.ref(x, [w, thr], (bits,) if bits > 1 else (), None)
                params = [thr.astype("<i4")]
                out = ff.pack_conv_weight(y).astype("<u4")
            else:
                scale = rs.uniform(-0.05, 0.05, co).astype(np.float32)
                bias = rs.uniform(-1, 1, co).astype(np.float32)
                y = fo.BFC.ref(x, [w, scale, bias], (), None)
                params = [scale.astype("<f4"), bias.astype("<f4")]
                out = y.astype("<f4").reshape(-1)
        code = {"bconv_thr": 0, "bfc": 1, "bfc_thr": 2}[op]
        with open(os.path.join(outdir, "case%d.bin" % i), "wb") as f:
            f.write(np.array([code, bits, ci, h, h, co, k, s, p, ho, ho, n_in], dtype="<i4").tobytes())
            f.write(ff.pack_conv_weight(x).astype("<u4").tobytes())
            f.write(packed_w.astype("<u4").tobytes())
            for a in params:
                f.write(a.tobytes())
            f.write(out.tobytes())
        print("case%d: %s, %d bit(s), %dx%dx%d -> %d" % (i, op, bits, ci, h, h, co))


if __name__ == "__main__":
    main(sys.argv[1])

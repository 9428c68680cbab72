"""Helpers of the threshold epilogues of bconv_thr / bfc_thr (tools/fbnn_ops.py):
the 1-bit output, the k-bit codes as bit planes, and the packing and checks of
the I32 threshold tensor. Import fbnn_ops (it imports this module after
defining FormatError), not this module on its own. Runs under any Python with
numpy (Debian's /usr/bin/python3 in the tests).
"""
import numpy as np

from fbnn_ops import FormatError


def _thr_bits(s, thr, axis_shape):
    """Threshold epilogue on integer sums s [N,M,...]: +1 iff s >= t
    (flip 0) or s <= t (flip 1); thr is I32 [M,2]."""
    t = thr[:, 0].astype(np.int64).reshape(axis_shape)
    f = thr[:, 1].reshape(axis_shape)
    return np.where(np.where(f == 1, s <= t, s >= t), 1.0, -1.0).astype(np.float32)


def _thr_codes(s, thr, axis_shape, bits):
    """k-bit threshold epilogue: the code of s is the number of the 2^bits - 1
    thresholds passed (s >= t, or s <= t with flip 1); bit plane i of the
    codes becomes channels [i*M, (i+1)*M) as +-1 (the QUANT_KBIT layout).
    thr is I32 [M, 2^bits]; s [N, M, ...]."""
    n_t = (1 << bits) - 1
    f = thr[:, n_t].reshape(axis_shape)
    code = np.zeros(s.shape, dtype=np.int64)
    for j in range(n_t):
        t = thr[:, j].astype(np.int64).reshape(axis_shape)
        code += np.where(f == 1, s <= t, s >= t)
    planes = [np.where((code >> i) & 1 == 1, 1.0, -1.0) for i in range(bits)]
    return np.concatenate(planes, axis=1).astype(np.float32)


def _check_bits(bits, what):
    if bits not in (1, 2, 3, 4):
        raise FormatError("%s: bits %r not in 1..4" % (what, bits))


def _thresholds(g, thr, flip, n, what, bits=1):
    """I32 [n, 2^bits]: thr [n] (bits 1) or [n, 2^bits - 1] sorted in the order
    the code counts them (non-decreasing with flip 0, non-increasing with
    flip 1), then the flip."""
    n_t = (1 << bits) - 1
    thr = np.asarray(thr)
    flip = np.asarray(flip).reshape(-1)
    if thr.size != n * n_t or flip.size != n:
        raise FormatError("%s: %d thresholds / %d flips for %d output channels x %d thresholds"
                          % (what, thr.size, flip.size, n, n_t))
    thr = thr.reshape(n, n_t)
    if not np.all(np.isin(flip, (0, 1))):
        raise FormatError("%s: every flip must be 0 or 1" % what)
    if np.any(np.asarray(thr, dtype=np.float64) != np.round(np.asarray(thr, dtype=np.float64))):
        raise FormatError("%s: thresholds must be integers" % what)
    lim = 2 ** 31 - 1
    t = np.clip(np.asarray(thr, dtype=np.int64), -lim, lim)
    d = np.diff(t, axis=1)
    bad = np.where(flip == 1, np.any(d > 0, axis=1), np.any(d < 0, axis=1))
    if np.any(bad):
        raise FormatError("%s: the thresholds of output channel %d are not sorted for flip %d"
                          % (what, int(np.argmax(bad)), int(flip[int(np.argmax(bad))])))
    return g.i32(np.concatenate([t, flip.astype(np.int64).reshape(n, 1)], axis=1))

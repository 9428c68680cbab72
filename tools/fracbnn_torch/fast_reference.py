"""fbnn_format.run_reference at evaluation speed: its binary conv sums from a
float32 torch convolution instead of the int64 einsum (~0.2 s per image).

Used by the evaluators that run the reference on whole splits
(fracbnn_torch/evaluate_fmnist.py, bnn_torch/export.py); each checks the
patched interpreter against the unpatched one on its first images.
Needs tools/ on sys.path (for fbnn_ops), as every caller has.
"""
import contextlib

import numpy as np
import torch

import fbnn_ops
from .model import _conv_sum


def fast_conv_sum(x, w, stride, pad):
    """Exact drop-in for fbnn_ops._conv_sum with zero padding (same int64
    result): model._conv_sum, the float32 convolution of the {-1,+1} tensors
    by direct summation (sums < 2^24, checked integral), on numpy arrays."""
    def t(a):
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
    return _conv_sum(t(x), t(w), stride, pad).numpy().astype(np.int64)


@contextlib.contextmanager
def patched_conv_sum():
    """fast_conv_sum in place of the reference interpreter's conv sum while
    the block runs. It patches fbnn_ops._conv_sum, the name the op table
    calls (fbnn_format only re-exports it: patching that copy changes
    nothing); pad_value != 0 keeps the reference. Yields a one-element list
    counting the fast calls, so callers can check the patch was used."""
    orig = fbnn_ops._conv_sum
    calls = [0]

    def fast(x, w, stride, pad, pad_value=0):
        if pad_value != 0:
            return orig(x, w, stride, pad, pad_value)
        calls[0] += 1
        return fast_conv_sum(x, w, stride, pad)

    fbnn_ops._conv_sum = fast
    try:
        yield calls
    finally:
        fbnn_ops._conv_sum = orig


def batched(fn, x, batch=500):
    """fn over x in slices of `batch`, concatenated."""
    return np.concatenate([fn(x[i:i + batch]) for i in range(0, len(x), batch)])

"""The Python op table (tools/fbnn_ops.py): consistency with the C side and
the binary conv's padding value, checked against a direct computation."""
import os
import re

import numpy as np
import pytest

import fbnn_format as ff
import fbnn_ops

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def c_op_enum():
    """name -> code of the C side's op list (FBNN_OP_LIST in src/model_internal.h)."""
    txt = open(os.path.join(ROOT, "src", "model_internal.h")).read()
    pairs = dict((n, int(v)) for _, v, n in re.findall(r"X\((\w+), (\d+), (\w+),", txt))
    assert pairs, "no FBNN_OP_LIST rows found"
    return pairs


def test_table_matches_c_enum():
    py = {row.name: row.code for row in fbnn_ops.OPS}
    assert py == c_op_enum()


def test_rows_are_complete():
    for row in fbnn_ops.OPS:
        assert callable(row.build) and callable(row.ref), row.name
        assert getattr(ff.GraphBuilder, row.name) is row.build
        assert getattr(ff, "OP_" + row.name.upper()) == row.code


def direct_conv(x, w, stride, pad, pad_value):
    """Textbook loops over an explicitly padded {-1,+1} input (int64)."""
    n, ci, h, wd = x.shape
    co, _, k, _ = w.shape
    xp = np.full((n, ci, h + 2 * pad, wd + 2 * pad), pad_value, dtype=np.int64)
    xp[:, :, pad:pad + h, pad:pad + wd] = x
    ho, wo = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, co, ho, wo), dtype=np.int64)
    for b in range(n):
        for o in range(co):
            for y in range(ho):
                for xx in range(wo):
                    win = xp[b, :, y * stride:y * stride + k, xx * stride:xx * stride + k]
                    out[b, o, y, xx] = int((win * w[o]).sum())
    return out.astype(np.float32)


@pytest.mark.parametrize("pad_value", [0, 1, -1])
@pytest.mark.parametrize("k,stride,pad", [(3, 1, 1), (3, 2, 1), (5, 2, 2), (1, 1, 0)])
def test_bconv_pad_value_reference(pad_value, k, stride, pad):
    rng = np.random.default_rng(7 + pad_value + 10 * k + stride)
    ci, co, h, w = 37, 5, 7, 6
    x = np.where(rng.random((2, ci, h, w)) < 0.5, -1.0, 1.0).astype(np.float32)
    wt = np.where(rng.random((co, ci, k, k)) < 0.5, -1.0, 1.0).astype(np.float32)
    got = fbnn_ops.BConv.ref(x, [wt], [k, stride, pad, pad_value], None)
    np.testing.assert_array_equal(got, direct_conv(x, wt, stride, pad, pad_value))
    if pad_value != 0 and pad > 0:
        assert not np.array_equal(got, direct_conv(x, wt, stride, pad, 0))


def test_bconv_pad_value_attrs_and_refusal():
    g = ff.GraphBuilder("t", ["a"], colour=1)
    x = g.input(1, 4, 4)
    t = g.thermometer(x, resolution=64, bits=4)
    wt = np.ones((2, 4, 3, 3), dtype=np.float32)
    g.bconv(t, wt, pad_value=0)
    g.bconv(t, wt, pad_value=-1)
    assert g.ops[-2][4] == [3, 1, 1]           # format 1.0 form, byte-identical files
    assert g.ops[-1][4] == [3, 1, 1, -1]
    with pytest.raises(ff.FormatError, match="pad_value"):
        g.bconv(t, wt, pad_value=2)


@pytest.mark.parametrize("bits", [1, 2, 3, 4])
def test_bconv_thr_kbit_reference(bits):
    """k-bit threshold codes against textbook loops: code = number of the
    2^bits - 1 thresholds passed, bit plane i in channels [i*Co, (i+1)*Co)."""
    rng = np.random.default_rng(40 + bits)
    ci, co, h, w, k = 21, 6, 5, 4, 3
    x = np.where(rng.random((2, ci, h, w)) < 0.5, -1.0, 1.0).astype(np.float32)
    wt = np.where(rng.random((co, ci, k, k)) < 0.5, -1.0, 1.0).astype(np.float32)
    n_t = (1 << bits) - 1
    flip = rng.integers(0, 2, co)
    t = np.sort(rng.integers(-12, 13, (co, n_t)), axis=1)
    t[flip == 1] = t[flip == 1, ::-1]
    thr = np.concatenate([t, flip.reshape(co, 1)], axis=1).astype(np.int32)
    attrs = [k, 1, 1] + ([bits] if bits > 1 else [])
    got = fbnn_ops.BConvThr.ref(x, [wt, thr], attrs, None)
    s = direct_conv(x, wt, 1, 1, 0).astype(np.int64)
    want = np.zeros((2, bits * co, h, w), dtype=np.float32)
    for n in range(2):
        for o in range(co):
            for yy in range(h):
                for xx in range(w):
                    v = s[n, o, yy, xx]
                    code = sum(1 for j in range(n_t) if (v <= t[o, j] if flip[o] else v >= t[o, j]))
                    for i in range(bits):
                        want[n, i * co + o, yy, xx] = 1.0 if (code >> i) & 1 else -1.0
    np.testing.assert_array_equal(got, want)


def test_thresholds_refuse_unsorted_and_bad_bits():
    g = ff.GraphBuilder("t", ["a", "b"], colour=1)
    x = g.thermometer(g.input(1, 4, 4), resolution=64)
    c = g.shape(x)[0]
    w = np.ones((3, c, 3, 3), dtype=np.float32)
    with pytest.raises(fbnn_ops.FormatError, match="not sorted"):
        g.bconv_thr(x, w, [[0, 2, 1]] * 3, [0, 0, 0], bits=2)
    with pytest.raises(fbnn_ops.FormatError, match="not sorted"):
        g.bconv_thr(x, w, [[0, 1, 2]] * 3, [1, 1, 1], bits=2)
    with pytest.raises(fbnn_ops.FormatError, match="bits 5 not in 1..4"):
        g.bconv_thr(x, w, [[0] * 31] * 3, [0, 0, 0], bits=5)
    y = g.bconv_thr(x, w, [[2, 1, 0]] * 3, [1, 1, 1], bits=2)
    assert g.shape(y) == (6, 4, 4)

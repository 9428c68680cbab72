"""Forward semantics of the training modules equal FORMAT.md / fbnn_format."""
import numpy as np
import torch

import fbnn_format as ff
from fracbnn_torch import thermometer, thermometer_levels, QuantSign2, quant2, binarize, PGBinaryConv2d


def test_thermometer_levels_match_reference_all_pixels():
    p = np.arange(256, dtype=np.uint8).reshape(1, 1, 16, 16)
    for r in (1, 2, 3, 4, 5, 8, 16, 51, 255):
        ref = ff.thermometer_levels(p, r)
        got = thermometer_levels(torch.from_numpy(p), r).numpy()
        assert np.array_equal(ref, got), r


def test_thermometer_channel_order_rgb():
    rng = np.random.RandomState(0)
    x = rng.randint(0, 256, size=(2, 3, 5, 4)).astype(np.uint8)
    b = 32
    t = thermometer(torch.from_numpy(x), 8).numpy()
    assert t.shape == (2, 96, 5, 4)
    lv = ff.thermometer_levels(x, 8)
    for c in range(3):
        for k in range(b):
            assert np.array_equal(t[:, c * b + k], np.where(k < lv[:, c], 1.0, -1.0))
    # the graph's thermometer op gives the same bits: run a 1x1-conv-free check via levels
    assert ff.thermometer_levels(np.array([4, 12, 20, 252], np.uint8), 8).tolist() == [0, 2, 2, 32]


def test_quant2_forward_equals_format():
    t = ff.F32_TWO_THIRDS
    edge = np.array([t, -t, np.nextafter(t, 1, dtype=np.float32), np.nextafter(-t, -1, dtype=np.float32),
                     np.nextafter(t, 0, dtype=np.float32), 0.0, -0.0, 1e-30, -1e-30, 1, -1, 5, -5],
                     dtype=np.float32)
    x = np.concatenate([edge, np.random.RandomState(1).randn(10000).astype(np.float32)])
    m, l = ff.quant2_planes(x)
    tm, tl = quant2(torch.from_numpy(x))
    assert np.array_equal(m, tm.numpy()) and np.array_equal(l, tl.numpy())
    q = QuantSign2.apply(torch.from_numpy(x)).numpy()
    assert np.array_equal(q, ((2 * m + l) / np.float32(3)).astype(np.float32))


def test_quant2_ste_gradient():
    x = torch.tensor([-2.0, -0.99, -0.5, 0.0, 0.5, 0.99, 1.0, 3.0], requires_grad=True)
    QuantSign2.apply(x).sum().backward()
    assert x.grad.tolist() == [0, 1, 1, 1, 1, 1, 0, 0]


def test_binarize_forward_and_ste():
    w = torch.tensor([-2.0, -0.5, 0.0, 1e-8, 0.5, 1.0, 2.0], requires_grad=True)
    b = binarize(w)
    assert b.tolist() == [-1, -1, -1, 1, 1, 1, 1]
    b.sum().backward()
    assert w.grad.tolist() == [0, 1, 1, 1, 1, 1, 0]


def test_pgconv_forward_matches_format_and_gate_gradient():
    torch.manual_seed(0)
    conv = PGBinaryConv2d(8, 4, 3, 1, 1, threshold_init=1.0)
    x = torch.randn(2, 8, 6, 6) * 0.8
    y = conv(x)
    m, l = quant2(x)
    w = binarize(conv.weight).detach()
    sm = torch.nn.functional.conv2d(m, w, padding=1)
    sl = torch.nn.functional.conv2d(l, w, padding=1)
    o_msb = 2 * sm / 3
    exp = torch.where(o_msb > conv.threshold, (2 * sm + sl) / 3, o_msb)
    assert torch.allclose(y, exp, atol=1e-5)
    y.sum().backward()
    assert conv.threshold.grad is not None and conv.threshold.grad.abs().sum() > 0

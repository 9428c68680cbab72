"""Tiny train -> export -> run_reference round trips (seconds)."""
import os

import numpy as np
import torch

import fbnn_format as ff
import make_roundtrip_golden as rt


def _check(model, tmp_path, images, prefix=""):
    ref, stats = rt.export_and_check(model, str(tmp_path), images, prefix=prefix)
    # bit-exact (export_and_check raises otherwise); check the golden files too
    n, c, h, w = images.shape
    txt = open(os.path.join(tmp_path, prefix + "golden.txt")).read().split()
    assert [int(v) for v in txt] == [n, c, h, w, ref.shape[1]]
    gi = np.fromfile(os.path.join(tmp_path, prefix + "golden_inputs.u8"), np.uint8).reshape(images.shape)
    gl = np.fromfile(os.path.join(tmp_path, prefix + "golden_logits.f32"), "<f4").reshape(ref.shape)
    assert np.array_equal(gi, images)
    assert gl.tobytes() == ref.astype("<f4").tobytes()
    with torch.no_grad():
        pt = model(torch.from_numpy(images)).numpy()
    assert pt.tobytes() == gl.tobytes()
    return ref, stats


def test_roundtrip_grey_bit_exact(tmp_path):
    model, _ = rt.train_tiny(seed=1, width=8, blocks=(2, 1, 1), steps=2, batch=16)
    images = rt.golden_inputs(1, 28, n_real=4, n_random=4)
    ref, stats = _check(model, tmp_path, images)
    fired = sum(f for f, _ in stats.values())
    total = sum(t for _, t in stats.values())
    assert 0 < fired < total, "both PG branches must be exercised"
    m = ff.read_fbnn(os.path.join(tmp_path, "model.fbnn"))
    assert m.colour == 1 and m.n_classes == 10
    assert sum(1 for op in m.ops if op[0] == ff.OP_PGCONV) == 8


def test_roundtrip_rgb_other_resolution(tmp_path):
    model, _ = rt.train_tiny(seed=2, width=4, blocks=(1, 1, 1), in_ch=3, hw=12, resolution=16,
                             steps=2, batch=8, num_classes=5, threshold_init=0.5)
    images = rt.golden_inputs(3, 12, n_real=3, n_random=3)
    _check(model, tmp_path, images, prefix="rgb_")
    m = ff.read_fbnn(os.path.join(tmp_path, "rgb_model.fbnn"))
    assert m.values[1][1] == 3 * 16 and m.colour == 3


def test_step2_checkpoint_exports_with_gate_disabled(tmp_path):
    model, _ = rt.train_tiny(seed=3, width=4, blocks=(1, 1, 1), steps=1, batch=8)
    model.set_phase(2)
    images = rt.golden_inputs(1, 28, n_real=2, n_random=2)
    ref, stats = _check(model, tmp_path, images)
    assert all(f == t for f, t in stats.values())

"""Smoke tests of the FPGA tools without FPGA tools: tools/hls_estimate.py and
the pure-Python parts of kernels/hls/pynq_host.py (docs/FPGA.md)."""
import importlib.util
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "cifar10_fracbnn.fbnn")
CONFIG = os.path.join(ROOT, "kernels", "hls", "generated", "config_cifar10.h")
DATA64 = os.path.join(ROOT, "tests", "data", "cifar10_test_first64.bin")
GOLDEN = os.path.join(ROOT, "tests", "data", "cifar10_ref_logits.f32")
PRED = os.path.join(ROOT, "tests", "data", "cifar10_ref_predictions.txt")


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


est = load(os.path.join(ROOT, "tools", "hls_estimate.py"), "hls_estimate")
host = load(os.path.join(ROOT, "kernels", "hls", "pynq_host.py"), "pynq_host")


def run_json(*args):
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "hls_estimate.py"), "--json"] + list(args),
                         check=True, stdout=subprocess.PIPE, universal_newlines=True).stdout
    return json.loads(out)


def config_convs():
    """Conv shapes from the generated config header (independent of the estimator's model reader)."""
    txt = open(CONFIG).read()
    return [tuple(int(v) for v in m.group(1).split(",")) for m in re.finditer(r"^\s+X\(([^)]*)\)", txt, re.M)]


def test_bram_aspects():
    assert est.bram18k(36, 512) == 1
    assert est.bram18k(37, 512) == 2
    assert est.bram18k(1, 16384) == 1
    assert est.bram18k(18, 1025) == 2
    assert est.bram18k(8, 64) == 0  # 512 bits: LUTRAM


def test_estimate_matches_network_shapes():
    r = run_json()
    s, rows = r["summary"], r["rows"]
    convs = config_convs()
    assert s["n_conv"] == len(convs) == 19 and s["n_pg"] == 18
    macs = sum(oh * ow * oc * k * k * ic * (2 if op == 3 else 1) for op, ic, ih, iw, oc, k, st, pd, oh, ow in convs)
    assert s["total_macs"] == macs + 640  # + the 64x10 classifier
    assert s["sequential_cycles"] == sum(x["cycles"] for x in rows)
    assert s["dataflow_bottleneck_cycles"] == max(x["cycles"] for x in rows)
    assert s["sequential_images_per_s"] == pytest.approx(250e6 / s["sequential_cycles"])
    assert s["paper_images_per_s"] == 2807


def test_parallelism_scales_cycles():
    a = run_json("--pe", "4", "--simd", "32")["rows"]
    b = run_json("--pe", "8", "--simd", "32")["rows"]
    for x, y in zip(a, b):
        if x["kind"] in ("bconv", "pgconv"):
            assert x["cycles"] - est.PIPE_DEPTH == 2 * (y["cycles"] - est.PIPE_DEPTH)
    serial = run_json("--lsb", "serial", "--gate-frac", "1.0")["summary"]
    par = run_json()["summary"]
    assert serial["sequential_cycles"] > par["sequential_cycles"]


def test_estimate_text_and_errors():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "hls_estimate.py")], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    assert "images/s" in out and "2807" in out and "BRAM18K" in out
    bad = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "hls_estimate.py"), "--pe", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert bad.returncode == 1


def test_host_pack_and_logits():
    img = np.arange(3 * 32 * 32, dtype=np.uint32).astype(np.uint8).reshape(3, 32, 32)
    buf = host.pack_image(img)
    assert buf.shape == (3072,) and buf[1024] == img[1, 0, 0] and buf[33] == img[0, 1, 1]
    with pytest.raises(ValueError):
        host.pack_image(img.astype(np.float32))
    v = np.array([1.5, -2.25, 1e-6, -3.0])
    for frac in (16, 24):
        enc = host.encode_logits(v, frac)
        assert enc.dtype == (np.int32 if frac <= 16 else np.int64)
        assert np.max(np.abs(host.decode_logits(enc, frac) - v)) <= 0.5 / (1 << frac)
    assert host.encode_logits([-1.5 / 65536], 16)[0] == -2  # ties away from zero, like fbnn_real.h
    with pytest.raises(ValueError):
        host.decode_logits(np.zeros(10, np.float32), 16)


def test_host_dry_run_on_real_images():
    expect = sum(int(p) == int(l) for p, l in zip(open(PRED).read().split()[:64],
                                                      np.fromfile(DATA64, np.uint8).reshape(-1, 3073)[:, 0]))
    for frac in (0, 16, 24):
        r = host.dry_run(DATA64, GOLDEN, None, frac)
        assert r["images"] == 64 and r["golden_correct"] == expect


def test_generator_default_outputs(tmp_path):
    """fbnn_to_hls.py with the model alone targets kernels/hls/generated/ with
    the names of the shipped files; the explicit form writes the same bytes."""
    gen = load(os.path.join(ROOT, "tools", "fbnn_to_hls.py"), "fbnn_to_hls")
    out_dir, name, tag = gen.default_outputs(MODEL)
    assert out_dir == os.path.join(ROOT, "kernels", "hls", "generated")
    assert (name, tag) == ("cifar10_fracbnn", "cifar10")
    assert gen.default_outputs("x/fashion_mnist_fracbnn.fbnn")[1:] == ("fashion_mnist_fracbnn", "fashion_mnist")
    assert gen.default_outputs("net.fbnn")[1:] == ("net", "net")
    for f in ("cifar10_fracbnn_top.c", "cifar10_fracbnn_top.h", "config_cifar10.h"):
        assert os.path.isfile(os.path.join(out_dir, f)), f
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fbnn_to_hls.py"), MODEL, str(tmp_path),
                        name, tag], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 0, r.stderr
    for f in ("cifar10_fracbnn_top.c", "cifar10_fracbnn_top.h", "config_cifar10.h"):
        assert open(os.path.join(out_dir, f)).read() == (tmp_path / f).read_text(), f
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fbnn_to_hls.py")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 2 and "usage" in r.stderr

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


# Issue 17 item 7: the whole ImageNet network at the Ultra96v2's 250 MHz.
def test_imagenet_estimate_whole_network():
    r = run_json("--imagenet", "--clock-mhz", "250")
    s, rows = r["summary"], r["rows"]
    convs = [x for x in rows if x["kind"] in ("bconv", "pgconv")]
    assert len(convs) == 27 and s["n_pg"] == 26
    stem = convs[0]
    assert (stem["in_c"], stem["out_c"], stem["out_h"], stem["stride"]) == (96, 32, 112, 2)
    assert stem["macs"] == 112 * 112 * 32 * 9 * 96          # 0.35 G, by hand
    assert rows[-1]["kind"] == "fc" and rows[-1]["macs"] == 1024 * 1000
    assert [(x["k"], x["stride"], x["in_c"], x["out_c"]) for x in convs[3:5]] == [(3, 2, 64, 64), (1, 1, 64, 128)]
    # MSB passes incl. the stem = 5163.71 M binary ops (`fbnn info` of the converted model, docs/IMAGENET.md)
    msb = stem["macs"] + sum(x["macs"] for x in convs[1:]) // 2
    assert abs(msb - 5163.71e6) < 0.01e6
    assert s["total_macs"] == stem["macs"] + 2 * (msb - stem["macs"]) + 1024 * 1000
    assert s["sequential_images_per_s"] == pytest.approx(250e6 / s["sequential_cycles"])
    assert s["paper_images_per_s"] == 48.1
    assert s["bram_sequential_total"] > 0 and s["bram_dataflow_total"] > s["bram_sequential_total"]
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "hls_estimate.py"), "--imagenet"], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    assert "48.1" in out and "BRAM18K" in out


def test_imagenet_rows_equal_the_converted_graph(tmp_path):
    """layers_of_config (no model file) gives the rows layers_of reads from a
    graph built by the converter's builder, for a scaled-down config."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import fracbnn_mobile_export as fx
    cfg = dict(in_ch=3, in_hw=24, resolution=8, stem_out=4, stem_stride=2, num_classes=7,
               blocks=[(4, 8, 2), (8, 8, 1), (8, 16, 2)])
    rng = np.random.default_rng(0)
    pm = lambda *s: np.where(rng.random(s) < 0.5, -1.0, 1.0).astype(np.float32)  # noqa: E731
    ones = lambda n: np.ones(n, np.float32)  # noqa: E731
    p = {"stem_w": pm(4, 96, 3, 3), "stem_bn_a": ones(4), "stem_bn_b": ones(4),
         "fc_w": np.zeros((7, 16), np.float32), "fc_b": ones(7)}
    for i, (ci, co, s) in enumerate(cfg["blocks"], start=1):
        for c, (a, b, k) in ((1, (ci, ci, 3)), (2, (ci, co, 1))):
            p["b%d_w%d" % (i, c)] = pm(b, a, k, k)
            for n in ("thr%d", "bn%d_a", "bn%d_b", "rp%d_bx", "rp%d_sl", "rp%d_by", "sbn%d_a", "sbn%d_b"):
                p["b%d_" % i + n % c] = ones(b)
    path = str(tmp_path / "m.fbnn")
    fx.build_mobile_graph(p, cfg, "t", ["c%d" % i for i in range(7)]).save(path)
    _, from_file = est.layers_of(path)
    assert from_file == est.layers_of_config(cfg)

"""Exporter: the authors' state_dict layout, and refusal of what .fbnn cannot express."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import fbnn_format as ff
import export_fbnn as ex
import make_roundtrip_golden as rt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPZ = os.path.join(ROOT, "..", "shared", "data", "fracbnn_cifar10_official.npz")
OFFICIAL = os.path.join(ROOT, "models", "cifar10_fracbnn.fbnn")
EXPORT = os.path.join(ROOT, "tools", "export_fbnn.py")


def authors_state_dict():
    """Unfold the released npz into the authors' PyTorch state_dict layout."""
    d = np.load(NPZ)
    eps = np.float32(1e-5)
    var = np.float32(1) - eps
    assert var + eps == np.float32(1)   # so folding gives back exactly a and b
    sd = {"module.encoder.placeholder": torch.zeros(1)}
    for k in d.files:
        v = torch.from_numpy(d[k].astype(np.float32))
        parts = k.split("_")
        if k.endswith("_threshold") or "shift_" in k:
            v = v.reshape(1, -1, 1, 1)
        if k.startswith("layer"):
            pre = "%s.%s." % (parts[0], parts[1])
            rest = "_".join(parts[2:])
        else:
            pre, rest = "", k
        if rest.startswith("bn"):
            bn, f = rest.split("_")
            name = pre + bn
            if f == "weight":
                sd["module." + name + ".weight"] = v
                sd["module." + name + ".running_mean"] = torch.zeros_like(v)
                sd["module." + name + ".running_var"] = torch.full_like(v, float(var))
                sd["module." + name + ".num_batches_tracked"] = torch.tensor(100)
            else:
                sd["module." + name + ".bias"] = v
            continue
        if rest.startswith("rprelu"):
            r, tail = rest.split("_", 1)
            tail = {"shift_x_bias": "shift_x.bias", "shift_y_bias": "shift_y.bias",
                    "prelu_weight": "prelu.weight"}[tail]
            sd["module." + pre + r + "." + tail] = v
            continue
        c, f = rest.rsplit("_", 1)
        sd["module." + pre + c + "." + f] = v
    return sd


@pytest.mark.skipif(not os.path.exists(NPZ), reason="released npz not available")
def test_authors_layout_equals_official_conversion(tmp_path):
    ck = tmp_path / "authors.pth"
    torch.save({"state_dict": authors_state_dict()}, str(ck))
    out = tmp_path / "authors.fbnn"
    r = subprocess.run([sys.executable, EXPORT, str(ck), str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    a, b = ff.read_fbnn(str(out)), ff.read_fbnn(OFFICIAL)
    assert a.ops == b.ops and a.values == b.values and a.labels == b.labels
    assert len(a.tensors) == len(b.tensors)
    for ta, tb in zip(a.tensors, b.tensors):
        assert ta.dtype == tb.dtype and ta.tobytes() == tb.tobytes()
    images = ex.golden_images("cifar10-846:6", 3, 32)
    assert ff.run_reference(a, images).tobytes() == ff.run_reference(b, images).tobytes()


@pytest.fixture(scope="module")
def tiny_sd():
    model, _ = rt.train_tiny(seed=5, width=4, blocks=(1, 1, 1), steps=1, batch=8)
    return {k: v.clone() for k, v in model.state_dict().items()}


def _export(sd, tmp_path):
    return ex.export_state_dict(sd, str(tmp_path / "m.fbnn"), in_ch=1, in_hw=28, resolution=8,
                                labels=["c%d" % i for i in range(10)], name="t")


def test_tiny_sd_exports(tiny_sd, tmp_path):
    _export(tiny_sd, tmp_path)


@pytest.mark.parametrize("mutate, msg", [
    (lambda sd: sd.__setitem__("layer1.0.downsample.0.weight", torch.ones(4, 4, 1, 1)), "unsupported layer"),
    (lambda sd: sd.__setitem__("fc.weight", torch.ones(10, 16)), "unsupported layer"),
    (lambda sd: sd.__setitem__("layer2.0.bn5.weight", torch.ones(8)), "unsupported layer"),
    (lambda sd: sd.pop("layer2.0.bn3.running_var"), "missing key"),
    (lambda sd: sd.pop("linear.bias"), "missing key"),
    (lambda sd: sd.pop("layer1.0.conv2.threshold"), "missing key"),
    (lambda sd: sd.__setitem__("layer1.0.conv1.threshold", torch.zeros(1, 5, 1, 1)), "shape"),
    (lambda sd: sd.__setitem__("layer1.0.conv1.weight", torch.ones(4, 4, 5, 5)), "kernel 5x5"),
    (lambda sd: sd.__setitem__("layer1.0.conv1.weight", torch.ones(4, 4, 3)), "4-D"),
    (lambda sd: sd.__setitem__("conv1.weight", torch.ones(4, 96, 3, 3)), "input channels"),
    (lambda sd: sd.__setitem__("linear.weight", torch.ones(10, 7)), "linear.weight"),
    (lambda sd: sd.__setitem__("layer1.0.bn1.bias", torch.ones(3)), "shape"),
    (lambda sd: sd["layer2.0.conv2.weight"].view(-1)[5].fill_(0.0), "exact-zero"),
    (lambda sd: sd["bn1.weight"].fill_(float("nan")), "NaN"),
    (lambda sd: sd.__setitem__("layer5.0.conv1.weight", torch.ones(4, 4, 3, 3)), "gap"),
], ids=["downsample", "fc", "bn5", "missing_bn_var", "missing_linear_bias", "missing_threshold",
        "threshold_shape", "kernel5", "conv_ndim", "stem_channels", "linear_shape", "bn_shape",
        "zero_weight", "nan", "stage_gap"])
def test_exporter_refuses(tiny_sd, tmp_path, mutate, msg):
    sd = {k: v.clone() for k, v in tiny_sd.items()}
    mutate(sd)
    with pytest.raises(ex.ExportError, match=msg):
        _export(sd, tmp_path)
    assert not (tmp_path / "m.fbnn").exists()


def test_exporter_refuses_bad_shortcut(tmp_path):
    from fracbnn_torch import FracResNet
    torch.manual_seed(0)  # the init must not depend on what earlier tests drew
    sd = FracResNet(1, 28, 10, 4, (1, 1, 1)).state_dict()
    # stage 2 widened 4 -> 12 channels: not the avgpool + duplicate shortcut
    for k in list(sd):
        if k.startswith("layer3."):
            del sd[k]
        elif k.startswith("layer2."):
            v = sd[k]
            if k.endswith("conv1.weight"):
                sd[k] = torch.randn(12, 4, 3, 3)
            elif k.endswith("conv2.weight"):
                sd[k] = torch.randn(12, 12, 3, 3)
            elif v.dim() == 4:
                sd[k] = torch.zeros(1, 12, 1, 1)
            elif v.dim() == 1:
                sd[k] = torch.ones(12)
    sd["linear.weight"] = torch.ones(10, 12)
    with pytest.raises(ex.ExportError, match="shortcut 4->12"):
        _export(sd, tmp_path)


def test_cli_exit_status_and_message(tiny_sd, tmp_path):
    sd = {k: v.clone() for k, v in tiny_sd.items()}
    sd["layer1.0.se.fc.weight"] = torch.ones(2, 2)
    ck = tmp_path / "bad.pt"
    torch.save(sd, str(ck))
    r = subprocess.run([sys.executable, EXPORT, str(ck), str(tmp_path / "x.fbnn"), "--in-ch", "1",
                        "--in-hw", "28"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "export_fbnn: error:" in r.stderr and "layer1.0.se.fc.weight" in r.stderr
    assert not (tmp_path / "x.fbnn").exists()
    # a step-1 (float weight) checkpoint of our own trainer is refused too
    torch.save(dict(model=tiny_sd, config=dict(in_ch=1, in_hw=28, resolution=8), phase=1), str(ck))
    r = subprocess.run([sys.executable, EXPORT, str(ck), str(tmp_path / "x.fbnn")], capture_output=True,
                       text=True)
    assert r.returncode == 1 and "step 1" in r.stderr
    r = subprocess.run([sys.executable, EXPORT, str(tmp_path / "nope.pt"), str(tmp_path / "x.fbnn")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "cannot read checkpoint" in r.stderr

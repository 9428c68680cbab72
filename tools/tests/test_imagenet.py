"""Issue 17: the FracBNN ImageNet network in the toolkit and its converter."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import fbnn_format as ff
import fracbnn_mobile_export as fx
from fracbnn_torch.mobile import FracMobileNet, mobile_exact_forward, mobile_folded_params, quant4_value

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = dict(in_ch=3, in_hw=32, num_classes=7, stem_out=8, stem_stride=2,
             blocks=[(8, 16, 1), (16, 16, 2), (16, 32, 2), (32, 32, 1)], resolution=8)


def _random_bn(m, seed=0):
    g = torch.Generator().manual_seed(seed)
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            c = mod.num_features
            mod.running_mean.copy_(torch.randn(c, generator=g) * 3)
            mod.running_var.copy_(torch.rand(c, generator=g) * 25 + 5)
            mod.weight.data.copy_(torch.rand(c, generator=g) + 0.5)
            mod.bias.data.copy_(torch.randn(c, generator=g) * 0.3)
    m.eval()
    return m


def test_state_dict_names_are_the_authors():
    sd = FracMobileNet().state_dict()
    keys = {k for k in sd if not k.endswith("num_batches_tracked")}
    exp = set(fx.expected_shapes(fx.IMAGENET_CONFIG))
    assert keys == exp
    for k, shape in fx.expected_shapes(fx.IMAGENET_CONFIG).items():
        assert tuple(sd[k].shape) == shape, k
    assert tuple(sd["model.13.pointwise.0.weight"].shape) == (1024, 1024, 1, 1)
    assert tuple(sd["model.2.conv3x3.0.weight"].shape) == (64, 64, 3, 3)
    assert tuple(sd["fc.weight"].shape) == (1000, 1024)


def test_quant4_levels_and_ties():
    x = torch.tensor([-5.0, -1.0, -0.99, 0.0, 1.0 / 15, 0.2, 0.999, 1.0, 7.0])
    q = quant4_value(x)
    d = np.float32(2) / np.float32(15)
    k = np.round((np.clip(x.numpy(), -1, 1) + np.float32(1)) / d)
    assert np.array_equal(q.numpy(), (k * d - np.float32(1)).astype(np.float32))
    assert len(set(quant4_value(torch.linspace(-2, 2, 10001)).tolist())) == 16


def test_exact_forward_equals_file_reference_and_training_path():
    torch.manual_seed(1)
    m = _random_bn(FracMobileNet(**SMALL))
    x = torch.randint(0, 256, (3, 3, 32, 32), dtype=torch.uint8)
    n, g = fx.convert(m.state_dict(), "/tmp/_fbnn_test_mobile.fbnn", m.config, ["c%d" % i for i in range(7)], "t")
    ref = ff.run_reference(ff.read_fbnn("/tmp/_fbnn_test_mobile.fbnn"), x.numpy())
    ex = m(x).numpy()
    assert ref.reshape(ex.shape).tobytes() == ex.tobytes()
    tr = m.forward_train(x).detach().numpy()
    assert np.abs(tr - ex).max() < 1e-3
    os.remove("/tmp/_fbnn_test_mobile.fbnn")


_BASE_SD = []


def _base_sd():
    """The random full-size state_dict, made once per session (30 M parameters)."""
    if not _BASE_SD:
        torch.manual_seed(2)
        sd = FracMobileNet().state_dict()
        for v in sd.values():
            if v.dim() == 4:
                v[v == 0] = 1e-3   # uniform init can draw an exact 0 (refused: sign(0) = 0)
        _BASE_SD.append(sd)
    return _BASE_SD[0]


def _ckpt(tmp_path, mutate=None, wrap=True, prefix="module."):
    sd = {prefix + k: v.clone() for k, v in _base_sd().items()}
    sd[prefix + "teacher.layer1.0.conv1.weight"] = torch.randn(64, 64, 1, 1)
    sd[prefix + "img_mean"] = torch.zeros(1, 3, 1, 1)
    sd[prefix + "img_std"] = torch.ones(1, 3, 1, 1)
    sd[prefix + "encoder.placeholder"] = torch.zeros(1, 3, 32, 2, 2)
    if mutate:
        mutate(sd)
    p = str(tmp_path / "ck.pt")
    torch.save({"state_dict": sd, "epoch": 3} if wrap else sd, p)
    return p


def _convert(ck, out):
    return subprocess.run([sys.executable, os.path.join(TOOLS, "convert_official.py"), "--imagenet", ck, out],
                          capture_output=True, text=True)


@pytest.mark.parametrize("wrap,prefix", [(True, "module."), (False, "")])
def test_convert_imagenet_cli(tmp_path, wrap, prefix):
    out = str(tmp_path / "m.fbnn")
    r = _convert(_ckpt(tmp_path, wrap=wrap, prefix=prefix), out)
    assert r.returncode == 0, r.stderr
    m = ff.read_fbnn(out)
    assert m.n_classes == 1000 and m.labels[0] == "tench" and m.labels[999] == "toilet tissue"
    assert m.resize == 2 and m.colour == 3
    assert os.path.getsize(out) > 5 * 1024 * 1024
    with open(out, "rb") as f:
        hdr = f.read(8)
    assert hdr[6] == 2   # version minor 2: resize mode 2


@pytest.mark.parametrize("mutate,needle", [
    (lambda sd: sd.pop("module.model.7.pointwise.0.threshold"), "model.7.pointwise.0.threshold"),
    (lambda sd: sd.update({"module.model.3.extra.weight": torch.zeros(3)}), "model.3.extra.weight"),
    (lambda sd: sd.update({"module.model.5.conv3x3.0.weight": torch.randn(128, 128, 1, 1)}),
     "model.5.conv3x3.0.weight"),
    (lambda sd: sd.update({"module.fc.bias": torch.zeros(999)}), "fc.bias"),
    (lambda sd: sd["module.model.2.pointwise.0.weight"].view(-1)[5].fill_(0.0), "model.2.pointwise.0.weight"),
    (lambda sd: sd["module.model.9.shiftbn2.running_var"].fill_(-1.0), "model.9.shiftbn2.running_var"),
])
def test_convert_imagenet_refuses(tmp_path, mutate, needle):
    r = _convert(_ckpt(tmp_path, mutate=mutate), str(tmp_path / "m.fbnn"))
    assert r.returncode == 1
    assert needle in r.stderr, r.stderr
    assert not os.path.exists(str(tmp_path / "m.fbnn"))


# More of issue 17 item 8: every kind of defect, in the stem, the BN buffers,
# the 1x1 convs and the head, each named with its key and its kind.
@pytest.mark.parametrize("mutate,needle,kind", [
    (lambda sd: sd.pop("module.model.0.1.running_mean"), "model.0.1.running_mean", "missing key"),
    (lambda sd: sd.pop("module.fc.weight"), "fc.weight", "missing key"),
    (lambda sd: sd.update({"module.model.14.conv3x3.0.weight": torch.ones(8, 8, 3, 3)}),
     "model.14.conv3x3.0.weight", "unexpected key"),
    (lambda sd: sd.update({"module.model.0.0.weight": torch.randn(32, 3, 3, 3)}), "model.0.0.weight", "has shape"),
    (lambda sd: sd.update({"module.model.13.shiftbn2.weight": torch.ones(1000)}), "model.13.shiftbn2.weight",
     "has shape"),
    (lambda sd: sd.update({"module.model.4.pointwise.0.threshold": torch.zeros(1, 256)}),
     "model.4.pointwise.0.threshold", "has shape"),
    (lambda sd: sd.update({"module.fc.weight": torch.randn(1024, 1000)}), "fc.weight", "has shape"),
    (lambda sd: sd["module.model.4.rprelu1.prelu.weight"].view(-1)[3].fill_(float("nan")),
     "model.4.rprelu1.prelu.weight", "NaN or Inf"),
])
def test_convert_imagenet_refuses_naming_key_and_kind(tmp_path, mutate, needle, kind):
    out = str(tmp_path / "m.fbnn")
    r = _convert(_ckpt(tmp_path, mutate=mutate), out)
    assert r.returncode == 1, r.stdout
    line = r.stderr.strip()
    assert line.count("\n") == 0 and line.startswith("convert_official: error:"), r.stderr
    assert "'%s'" % needle in line and kind in line, line
    assert not os.path.exists(out)


@pytest.mark.parametrize("payload,needle", [
    (b"not a torch file at all", "cannot read checkpoint"),
    (None, "not a state_dict"),
])
def test_convert_imagenet_refuses_unreadable(tmp_path, payload, needle):
    ck = str(tmp_path / "bad.pt")
    if payload is None:
        torch.save([1, 2, 3], ck)
    else:
        with open(ck, "wb") as f:
            f.write(payload)
    r = _convert(ck, str(tmp_path / "m.fbnn"))
    assert r.returncode == 1 and needle in r.stderr, r.stderr
    assert not os.path.exists(str(tmp_path / "m.fbnn"))


def test_folded_gate_off_uses_lowest_threshold():
    torch.manual_seed(0)  # weights and input independent of earlier tests' RNG use
    m = FracMobileNet(**SMALL)
    p = mobile_folded_params(m.state_dict(), m.config, gate=False)
    assert float(p["b1_thr1"].max()) < -3e38
    x = torch.randint(0, 256, (1, 3, 32, 32), dtype=torch.uint8)
    st = {}
    mobile_exact_forward(p, m.config, x, st)
    assert all(a == b for a, b in st.values())

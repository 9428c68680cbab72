"""tools/import_qonnx.py against qonnx's own forward (execute_onnx).

Needs the PyPI venv (brevitas, onnx, qonnx; scripts/setup_pyenv.sh):
    PYENV/bin/python -m pytest -q tools/tests/test_import_qonnx.py
Under Debian's /usr/bin/python3 (no qonnx) the module is skipped. Small
random-weight Brevitas models, one per layer family, are exported with
export_qonnx, imported, and run by the float32 reference of the written file
(tools/fbnn_format.py, bit-exact with the C library; if the build's fracbnn
package is found, the C logits are checked bit for bit too) on real
Fashion-MNIST / CIFAR-10 images and random images.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

try:
    import onnx
    from onnx import helper, TensorProto
    import brevitas.nn as qnn
    from brevitas.export import export_qonnx
    from brevitas.quant import SignedBinaryActPerTensorConst, SignedBinaryWeightPerTensorConst
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model
except ImportError as e:  # Debian's interpreter: the venv is absent
    pytest.skip("needs the PyPI venv of scripts/setup_pyenv.sh (brevitas, onnx, qonnx): %s" % e,
                allow_module_level=True)

import torch  # noqa: E402
from torch import nn  # noqa: E402

import fbnn_format as ff  # noqa: E402
from import_qonnx import import_qonnx  # noqa: E402

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TOOLS)
BUILD = os.path.abspath(os.environ.get("FBNN_BUILD_DIR", os.path.join(REPO, "build")))
CIFAR = "/work/shared/data/cifar10_test_846.bin"
WQ = SignedBinaryWeightPerTensorConst


def sign_act():
    return qnn.QuantIdentity(act_quant=SignedBinaryActPerTensorConst)


def randomize_bn(model, seed):
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            n = m.num_features
            m.running_mean.copy_(torch.rand(n, generator=g) * 6 - 3)
            m.running_var.copy_(torch.rand(n, generator=g) * 3 + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) * 2 - 1)
            m.bias.data.copy_(torch.rand(n, generator=g) * 2 - 1)
    return model.eval()


def images(c, n=12, seed=0):
    """Real test images (Fashion-MNIST or the CIFAR-10 sample) + random ones."""
    rnd = np.random.RandomState(seed).randint(0, 256, (n, c, 28 if c == 1 else 32, 28 if c == 1 else 32))
    if c == 1:
        from fracbnn_torch.data import load_split
        real = load_split("test")[0][:n]
    elif os.path.exists(CIFAR):
        real = np.fromfile(CIFAR, dtype=np.uint8).reshape(-1, 3073)[:n, 1:].reshape(n, 3, 32, 32)
    else:
        real = rnd[:0]
    return np.concatenate([real, rnd.astype(np.uint8)]).astype(np.uint8)


def qonnx_forward(path, x, scale=np.float32(1 / 255.0)):
    m = cleanup_model(ModelWrapper(path))
    i, o = m.graph.input[0].name, m.graph.output[0].name
    return np.concatenate([execute_onnx(m, {i: x[k:k + 1].astype(np.float32) * scale})[o] for k in range(len(x))])


def check_import(path, out, x, expect_ops):
    import_qonnx(str(path), str(out))
    m = ff.read_fbnn(str(out))
    names = {ff.OP_NAMES[op[0]] for op in m.ops}
    assert set(expect_ops) <= names, names
    ref = qonnx_forward(str(path), x).reshape(len(x), -1)
    got = ff.run_reference(m, x)
    assert np.array_equal(got.argmax(1), ref.argmax(1))
    assert np.allclose(got, ref, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(ref).max())))
    if os.path.isdir(os.path.join(BUILD, "python", "fracbnn")):
        sys.path.insert(0, os.path.join(BUILD, "python"))
        import fracbnn
        assert fracbnn.Model(str(out)).run(x).tobytes() == got.tobytes()   # C == reference, bit for bit
    return m


class BinaryNet(nn.Module):
    """Binary conv on real pixels, BN + sign, maxpool over bits, binary convs and FCs."""

    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(qnn.QuantConv2d(1, 8, 3, padding=1, bias=False, weight_quant=WQ), nn.BatchNorm2d(8),
                               sign_act(), nn.MaxPool2d(2),
                               qnn.QuantConv2d(8, 16, 3, stride=2, padding=1, bias=False, weight_quant=WQ),
                               nn.BatchNorm2d(16), sign_act())
        self.fc1 = qnn.QuantLinear(16 * 49, 32, bias=True, weight_quant=WQ)
        self.bn1, self.a1 = nn.BatchNorm1d(32), sign_act()
        self.fc2 = qnn.QuantLinear(32, 10, bias=False, weight_quant=WQ)
        self.bn2 = nn.BatchNorm1d(10)

    def forward(self, x):
        return self.bn2(self.fc2(self.a1(self.bn1(self.fc1(torch.flatten(self.f(x), 1))))))


class KBitNet(nn.Module):
    """8-bit input quant, float conv, 2-bit and 1-bit unsigned activations into
    binary convs (KCONV), maxpool of codes, float FC on codes."""

    def __init__(self):
        super().__init__()
        self.q0 = qnn.QuantIdentity()
        self.c0, self.b0 = nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.r0 = qnn.QuantReLU(bit_width=2)
        self.c1, self.b1 = qnn.QuantConv2d(8, 8, 3, padding=1, bias=False, weight_quant=WQ), nn.BatchNorm2d(8)
        self.r1 = qnn.QuantReLU(bit_width=1)
        self.c2 = qnn.QuantConv2d(8, 8, 3, padding=0, bias=True, weight_quant=WQ)
        self.r2 = qnn.QuantReLU(bit_width=3)
        self.fc = nn.Linear(8 * 12 * 12, 10)

    def forward(self, x):
        x = self.r0(self.b0(self.c0(self.q0(x))))
        x = nn.functional.max_pool2d(self.r1(self.b1(self.c1(x))), 2)
        return self.fc(torch.flatten(self.r2(self.c2(x)), 1))


class MixedNet(nn.Module):
    """RGB: strided float conv, a binary conv with a real residual, PReLU,
    depthwise conv, average and global pools, float FC."""

    def __init__(self):
        super().__init__()
        self.c0, self.b0 = nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8)
        self.q = sign_act()
        self.c1, self.b1 = qnn.QuantConv2d(8, 8, 3, padding=1, bias=False, weight_quant=WQ), nn.BatchNorm2d(8)
        self.act = nn.PReLU(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        r = torch.relu(self.b0(self.c0(x)))
        y = self.act(self.b1(self.c1(self.q(r))) + r)
        y = nn.functional.avg_pool2d(self.dw(y), 2)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


def export(model, c, hw, path, seed=1):
    torch.manual_seed(seed)
    for p in model.parameters():
        if p.dim() > 1:
            nn.init.uniform_(p, -1, 1)
    export_qonnx(randomize_bn(model, seed), torch.zeros(1, c, hw, hw), str(path))
    return path


def test_binary_net(tmp_path):
    p = export(BinaryNet(), 1, 28, tmp_path / "bin.onnx")
    m = check_import(p, tmp_path / "bin.fbnn", images(1), ["rconv", "sign", "maxpool", "bconv_thr", "bfc_thr",
                                                             "bfc"])
    assert [ff.OP_NAMES[o[0]] for o in m.ops].count("affine") == 1   # only the first BN; the rest folded


def test_kbit_net(tmp_path):
    p = export(KBitNet(), 1, 28, tmp_path / "kbit.onnx")
    check_import(p, tmp_path / "kbit.fbnn", images(1), ["quant_uniform", "rconv", "quant_kbit", "kconv", "fc"])


def test_mixed_rgb_net(tmp_path):
    p = export(MixedNet(), 3, 32, tmp_path / "mixed.onnx")
    check_import(p, tmp_path / "mixed.fbnn", images(3), ["rconv", "bconv", "add", "rprelu", "avgpool",
                                                           "global_avgpool", "fc"])


def multithreshold_model(path, seed=0):
    """FINN-style graph: float conv -> MultiThreshold {0,1} -> binary conv
    (padding: the {0,1} code pads as -1) -> MultiThreshold {-1,+1} -> binary
    conv -> MultiThreshold with integer thresholds (exact ties on the integer
    sums; folded into BCONV_THR) -> binary MatMul + Add."""
    rng = np.random.RandomState(seed)
    f = lambda *s: rng.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    inits = [("w0", f(4, 1, 3, 3)), ("t0", f(4, 1) * 0.5), ("w1", np.sign(f(6, 4, 3, 3)) * 0.5),
             ("t1", f(6, 1) * 2), ("w3", np.sign(f(6, 6, 3, 3))), ("t3", rng.randint(-6, 7, (6, 1)).astype(np.float32)),
             ("w2", np.sign(f(6 * 16, 5))), ("b2", f(5))]
    nodes = [helper.make_node("Conv", ["x", "w0"], ["a"], pads=[1, 1, 1, 1], strides=[2, 2], kernel_shape=[3, 3]),
             helper.make_node("MultiThreshold", ["a", "t0"], ["b"], domain="qonnx.custom_op.general",
                              out_dtype="BINARY"),
             helper.make_node("Conv", ["b", "w1"], ["c"], pads=[1, 1, 1, 1], strides=[2, 2], kernel_shape=[3, 3]),
             helper.make_node("MultiThreshold", ["c", "t1"], ["d"], domain="qonnx.custom_op.general",
                              out_dtype="BIPOLAR", out_scale=2.0, out_bias=-1.0),
             helper.make_node("Conv", ["d", "w3"], ["d3"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
             helper.make_node("MultiThreshold", ["d3", "t3"], ["d4"], domain="qonnx.custom_op.general",
                              out_dtype="BIPOLAR", out_scale=2.0, out_bias=-1.0),
             helper.make_node("Flatten", ["d4"], ["e"], axis=1),
             helper.make_node("MatMul", ["e", "w2"], ["g"]),
             helper.make_node("Add", ["g", "b2"], ["y"])]
    graph = helper.make_graph(nodes, "mt", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 16, 16])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
                              [onnx.numpy_helper.from_array(a, n) for n, a in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid("qonnx.custom_op.general", 1)])
    onnx.save(model, str(path))
    return path


def test_multithreshold(tmp_path):
    p = multithreshold_model(tmp_path / "mt.onnx")
    x = np.random.RandomState(3).randint(0, 256, (16, 1, 16, 16)).astype(np.uint8)
    m = check_import(p, tmp_path / "mt.fbnn", x, ["rconv", "sign", "bconv", "bconv_thr", "bfc"])
    bconv = [op for op in m.ops if ff.OP_NAMES[op[0]] == "bconv"][0]
    assert bconv[4][3] == -1   # {0,1} activations: a zero-padded tap is the -1 bit


# -- refusals: the CLI exits 2 with one clear line, no traceback ---------------------------
def run_cli(*args):
    r = subprocess.run([sys.executable, os.path.join(TOOLS, "import_qonnx.py")] + [str(a) for a in args],
                       capture_output=True, text=True)
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, r.stderr


def test_refuses_plain_onnx(tmp_path):
    nodes = [helper.make_node("Conv", ["x", "w"], ["a"], kernel_shape=[3, 3]), helper.make_node("Relu", ["a"], ["b"]),
             helper.make_node("GlobalAveragePool", ["b"], ["c"]), helper.make_node("Flatten", ["c"], ["y"])]
    graph = helper.make_graph(nodes, "plain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
                              [onnx.numpy_helper.from_array(np.ones((4, 1, 3, 3), np.float32), "w")])
    onnx.save(helper.make_model(graph), str(tmp_path / "plain.onnx"))
    rc, err = run_cli(tmp_path / "plain.onnx", tmp_path / "o.fbnn")
    assert rc == 2 and "not a QONNX model" in err
    assert not (tmp_path / "o.fbnn").exists()


def test_refuses_truncated_and_garbage(tmp_path):
    blob = open(export(BinaryNet(), 1, 28, tmp_path / "ok.onnx"), "rb").read()
    for i, cut in enumerate((0, 9, len(blob) // 3, len(blob) // 2, len(blob) - 5)):
        p = tmp_path / ("cut%d.onnx" % i)
        p.write_bytes(blob[:cut])
        rc, err = run_cli(p, tmp_path / "o.fbnn")
        assert rc == 2 and "error:" in err, (cut, err)
    (tmp_path / "text.onnx").write_text("hello, not a model\n")
    rc, err = run_cli(tmp_path / "text.onnx", tmp_path / "o.fbnn")
    assert rc == 2 and "error:" in err
    rc, err = run_cli(tmp_path / "missing.onnx", tmp_path / "o.fbnn")
    assert rc == 2 and "cannot read" in err
    assert not (tmp_path / "o.fbnn").exists()


class SigmoidNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.c = sign_act(), qnn.QuantConv2d(1, 4, 3, bias=False, weight_quant=WQ)
        self.fc = nn.Linear(4 * 26 * 26, 3)

    def forward(self, x):
        return self.fc(torch.flatten(torch.sigmoid(self.c(self.q(x))), 1))


def test_refuses_unsupported_node(tmp_path):
    p = export(SigmoidNet(), 1, 28, tmp_path / "sig.onnx")
    rc, err = run_cli(p, tmp_path / "o.fbnn")
    assert rc == 2 and "Sigmoid" in err and "not supported" in err
    node = [n.name for n in cleanup_model(ModelWrapper(str(p))).graph.node if n.op_type == "Sigmoid"][0]
    assert node in err


def test_refuses_padding_of_offset_bits(tmp_path):
    """{1, 2} activations (MultiThreshold out_bias 1) before a padded binary conv:
    padding is neither -1, 0 nor +1 of the bit; refused naming the conv."""
    p = multithreshold_model(tmp_path / "mt.onnx")
    m = onnx.load(str(p))
    for n in m.graph.node:
        if n.op_type == "MultiThreshold" and n.output[0] == "b":
            n.attribute.extend([helper.make_attribute("out_bias", 1.0)])
    onnx.save(m, str(tmp_path / "bad.onnx"))
    rc, err = run_cli(tmp_path / "bad.onnx", tmp_path / "o.fbnn")
    assert rc == 2 and "(Conv)" in err and "padding" in err

"""tools/import_lce_tflite.py against Larq Compute Engine's own interpreter (PyPI venv; see conftest.py).

A small random-weight Larq model with the op kinds LCE's converter emits
(LceBconv2d with zero and +1 SAME padding, stride 2 with TF's asymmetric
padding, bitpacked outputs with output thresholds between two binary convs,
float outputs with post multiplier/bias, LceBMaxPool2d, real convs, a
dense layer on +-1 values) is converted with larq_compute_engine's converter,
imported from the .tflite, run by libfracbnn (the fracbnn package) and by
larq_compute_engine.testing.Interpreter on the same uint8 images (random and
real): logits within 1e-4 * (1 + max |logit|), top-1 identical, and every
LceQuantize sign decision identical (tools/lce_tflite_diag.py). Bad input
(truncated file, a file that is not a .tflite, an int8 model, an unsupported
op) is refused by the command line with exit status 2 and a message, no
traceback.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs the PyPI venv (scripts/setup_pyenv.sh)")
lq = pytest.importorskip("larq", reason="needs larq (scripts/setup_pyenv.sh)")
lce = pytest.importorskip("larq_compute_engine", reason="needs larq-compute-engine (scripts/setup_pyenv.sh)")
fracbnn = pytest.importorskip("fracbnn", reason="needs the fracbnn package of a build (FBNN_BUILD_DIR)")

import fbnn_format as ff  # noqa: E402
import import_lce_tflite  # noqa: E402
import lce_tflite as lt  # noqa: E402
import lce_tflite_diag  # noqa: E402

K = tf.keras
SCALE = np.float32(1.0 / 255.0)
TOOL = os.path.join(os.path.dirname(import_lce_tflite.__file__), "import_lce_tflite.py")
REPO = os.path.dirname(os.path.dirname(import_lce_tflite.__file__))


def q(**kw):
    return dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip", **kw)


def _randomise_bn(model, rng):
    for layer in model.layers:
        if isinstance(layer, K.layers.BatchNormalization):
            n = layer.gamma.shape[0]
            layer.set_weights([np.asarray(w, np.float32) for w in (
                rng.uniform(0.3, 2.0, n) * rng.choice([-1, 1], n, p=[0.25, 0.75]),   # gamma (some < 0)
                rng.normal(0, 1.0, n), rng.normal(0, 3.0, n), rng.uniform(0.5, 20.0, n))])
    return model


def _mixed_model():
    x = inp = K.Input((32, 32, 3))
    x = lq.layers.QuantConv2D(24, 3, padding="same", kernel_quantizer="ste_sign", use_bias=False)(x)
    x = K.layers.BatchNormalization()(x)                        # real conv (binary weights, real input)
    x = lq.layers.QuantConv2D(32, 3, padding="same", pad_values=0.0, use_bias=False, **q())(x)
    x = K.layers.BatchNormalization()(x)                        # SAME zero padding, float out -> thresholds
    x = K.layers.MaxPooling2D(2)(x)                             # LceBMaxPool2d
    x = lq.layers.QuantConv2D(40, 3, padding="same", strides=2, pad_values=1.0, use_bias=False, **q())(x)
    x = K.layers.BatchNormalization()(x)                        # +1 padding, stride 2 (TF pads bottom/right)
    x = lq.layers.QuantConv2D(48, 3, padding="valid", use_bias=False, **q())(x)
    x = K.layers.BatchNormalization()(x)                        # VALID, bitpacked out (output thresholds)
    x = lq.layers.QuantConv2D(64, 1, padding="valid", use_bias=False, **q())(x)
    x = K.layers.BatchNormalization()(x)                        # float out (post multiplier / bias)
    y = K.layers.Conv2D(16, 1, activation="relu")(x)            # a real conv reading it
    x = K.layers.Concatenate()([x, y])
    x = K.layers.BatchNormalization()(x)                        # not foldable: MUL + ADD -> one AFFINE
    x = lq.layers.QuantConv2D(32, 3, padding="same", pad_values=1.0, use_bias=False, activation="relu", **q())(x)
    x = K.layers.GlobalAveragePooling2D()(x)                    # (relu fused into the bconv: clamp of the sum)
    x = K.layers.Dense(32)(x)
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantDense(24, use_bias=False, **q())(x)      # +-1 dense -> BFC_THR / BFC
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantDense(10, **q())(x)
    return K.Model(inp, x)


def _real_images():
    from PIL import Image
    d = os.path.join(REPO, "examples", "images")
    out = []
    for f in sorted(os.listdir(d)):
        if f.endswith(".png") or f.endswith(".jpg"):
            im = Image.open(os.path.join(d, f)).convert("RGB").resize((32, 32), Image.BILINEAR)
            out.append(np.asarray(im, np.uint8).transpose(2, 0, 1))
    return np.stack(out)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    d = tmp_path_factory.mktemp("lce")
    tf.keras.utils.set_random_seed(7)
    model = _randomise_bn(_mixed_model(), np.random.default_rng(7))
    path = str(d / "m.tflite")
    with open(path, "wb") as f:
        f.write(lce.convert_keras_model(model))
    return d, path


def test_mixed_model_matches_lce(mixed):
    d, path = mixed
    m = lt.read_tflite(path)
    names = [op.name for op in m.ops]
    for want in ("LceQuantize", "LceBconv2d", "LceBMaxPool2d", "CONV_2D", "FULLY_CONNECTED", "MUL", "ADD"):
        assert want in names, names
    bconvs = [op for op in m.ops if op.name == "LceBconv2d"]
    assert {(op.options["padding"], op.options["pad_values"]) for op in bconvs} >= {(0, 0), (0, 1), (1, 0)}
    assert any(m.tensors[op.outputs[0]].dtype == "INT32" for op in bconvs), "no bitpacked bconv output"
    out = str(d / "m.fbnn")
    g, cv = import_lce_tflite.convert(path, out)
    assert all(cv.vals[op.outputs[0]].kind == "scaled" for op in m.ops if op.name == "MUL")   # fused into the ADD
    assert any(op.options.get("fused_activation_function") == 1 for op in bconvs)
    kinds = {ff.OP_NAMES[op[0]] for op in g.ops}
    assert {"bconv", "bconv_thr", "maxpool", "rconv", "sign", "affine"} <= kinds, kinds
    rng = np.random.default_rng(3)
    imgs = np.concatenate([rng.integers(0, 256, size=(16, 3, 32, 32), dtype=np.uint8), _real_images()])
    it = lce.testing.Interpreter(open(path, "rb").read(), num_threads=1)
    xk = imgs.transpose(0, 2, 3, 1).astype(np.float32) * SCALE
    want = np.concatenate([it.predict(xk[i:i + 1]) for i in range(len(imgs))])
    got = fracbnn.Model(out).run(imgs, threads=2)
    assert len({tuple(r) for r in want}) >= len(imgs) // 2     # the logits depend on the image (not degenerate)
    tol = 1e-4 * (1.0 + np.abs(want).max())
    assert np.abs(got - want).max() <= tol, np.abs(got - want).max()
    assert np.array_equal(got.argmax(1), want.argmax(1))
    tfl = open(path, "rb").read()
    for i in (0, 5, len(imgs) - 1):          # every sign decision of every LceQuantize, random and real
        lines = lce_tflite_diag.first_divergence(tfl, cv, out, imgs[i:i + 1], xk[i:i + 1])
        assert "every LceQuantize decision agrees" in lines[0], lines


def test_explicit_pads_prelu_same_pool_flatten(tmp_path):
    """PADs LCE leaves in the graph (not SAME-like) fold into the next real conv
    (zero padding) or, through LceQuantize, into the binary conv (+1 padding);
    PReLU; TF-SAME max pooling with its extra bottom/right row; Flatten -> +-1 dense."""
    tf.keras.utils.set_random_seed(3)
    x = inp = K.Input((16, 16, 3))
    x = K.layers.ZeroPadding2D(((1, 2), (0, 1)))(x)
    x = K.layers.Conv2D(16, 3)(x)
    x = K.layers.ZeroPadding2D(((2, 0), (1, 1)))(x)
    x = lq.layers.QuantConv2D(32, 3, **q())(x)
    x = K.layers.PReLU(shared_axes=[1, 2], alpha_initializer=K.initializers.RandomUniform(0, 0.5))(x)
    x = K.layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = K.layers.Flatten()(x)
    x = lq.layers.QuantDense(10, **q())(x)
    path = tmp_path / "p.tflite"
    path.write_bytes(lce.convert_keras_model(K.Model(inp, x)))
    m = lt.read_tflite(str(path))
    assert [op.name for op in m.ops].count("PAD") == 2
    g, _ = import_lce_tflite.convert(str(path), str(tmp_path / "p.fbnn"))
    assert {"rconv", "bconv", "rprelu", "maxpool", "bfc"} <= {ff.OP_NAMES[op[0]] for op in g.ops}
    imgs = np.random.default_rng(4).integers(0, 256, size=(12, 3, 16, 16), dtype=np.uint8)
    it = lce.testing.Interpreter(path.read_bytes(), num_threads=1)
    xk = imgs.transpose(0, 2, 3, 1).astype(np.float32) * SCALE
    want = np.concatenate([it.predict(xk[i:i + 1]) for i in range(len(imgs))])
    got = fracbnn.Model(str(tmp_path / "p.fbnn")).run(imgs)
    assert len({tuple(r) for r in want}) == len(imgs)
    assert np.abs(got - want).max() <= 1e-4 * (1.0 + np.abs(want).max())
    assert np.array_equal(got.argmax(1), want.argmax(1))


def test_import_larq_dispatches_tflite(mixed, tmp_path):
    import import_larq
    _, path = mixed
    out = str(tmp_path / "d.fbnn")
    assert import_larq.main([path, out, "--labels", ",".join("abcdefghij")]) == 0
    assert list(fracbnn.Model(out).labels[:2]) == ["a", "b"]


# -- bad input: exit status 2 and a message naming the problem, never a traceback -------------
def _cli(*args):
    p = subprocess.run([sys.executable, TOOL] + [str(a) for a in args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stderr


def _refused(rc, err, *words):
    assert rc == 2, err
    assert "Traceback" not in err, err
    assert "import_lce_tflite: error:" in err, err
    for w in words:
        assert w in err, err


def test_refuses_truncated_and_foreign_files(mixed, tmp_path):
    _, path = mixed
    data = open(path, "rb").read()
    for cut in (6, len(data) // 10, len(data) // 2, len(data) - 16):
        bad = tmp_path / ("t%d.tflite" % cut)
        bad.write_bytes(data[:cut])
        rc, err = _cli(bad, tmp_path / "t.fbnn")
        _refused(rc, err)
        assert "truncated" in err or "not a TensorFlow Lite" in err, err
    txt = tmp_path / "n.tflite"
    txt.write_text("this is not a model\n")
    _refused(*_cli(txt, tmp_path / "n.fbnn"), "not a TensorFlow Lite flatbuffer")
    _refused(*_cli(tmp_path / "missing.tflite", tmp_path / "x.fbnn"), "no such file")
    assert not os.path.exists(str(tmp_path / "t.fbnn"))


def test_refuses_int8_and_unsupported_ops(tmp_path):
    x = inp = K.Input((8, 8, 3))
    x = lq.layers.QuantConv2D(8, 3, kernel_quantizer="ste_sign", name="stem")(x)
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(8, 3, **q())(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    x = K.layers.Dense(4)(x)
    model = K.Model(inp, x)
    p8 = tmp_path / "i8.tflite"
    # float32 input and output, int8 inside (QUANTIZE after the input): refused at op 0
    p8.write_bytes(lce.convert_keras_model(model, experimental_default_int8_range=(-3.0, 3.0)))
    _refused(*_cli(p8, tmp_path / "i8.fbnn"), "int8", "op 0 (QUANTIZE", "INT8")
    x = inp = K.Input((8, 8, 3))
    x = lq.layers.QuantConv2D(8, 3, kernel_quantizer="ste_sign")(x)
    x = K.layers.Activation("tanh", name="my_tanh")(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    pt = tmp_path / "tanh.tflite"
    pt.write_bytes(lce.convert_keras_model(K.Model(inp, x)))
    _refused(*_cli(pt, tmp_path / "tanh.fbnn"), "TANH", "no .fbnn mapping", "my_tanh")
    assert not os.path.exists(str(tmp_path / "tanh.fbnn"))

"""tools/import_larq.py against Keras' own forward pass (PyPI venv; see conftest.py).

Each test builds a small random-weight Larq model of one layer family (random
BatchNorm statistics, some negative scales so both threshold directions
occur), imports it, runs the .fbnn with libfracbnn (the fracbnn package) and
compares with Keras on the same uint8 images fed as u8 * (1/255):
- every sign decision the .fbnn makes (each BITS value, computed by the
  bit-exact float32 reference of the file) equals Keras' sign of the tensor it
  stands for, exactly;
- logits within |d| <= 1e-4 * (1 + max |logit|) (folded BatchNorm rounds
  differently from TensorFlow's), top-1 identical.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow", reason="needs the PyPI venv (scripts/setup_pyenv.sh): "
                         "run with <venv>/bin/python -m pytest tools/tests_pyenv")
lq = pytest.importorskip("larq", reason="needs larq (scripts/setup_pyenv.sh)")
fracbnn = pytest.importorskip("fracbnn", reason="needs the fracbnn package of a build (FBNN_BUILD_DIR)")

import fbnn_format as ff  # noqa: E402
import import_larq  # noqa: E402

K = tf.keras
SCALE = np.float32(1.0 / 255.0)
N_IMG = 24


def _randomise_bn(model, rng):
    for layer in model.layers:
        if isinstance(layer, K.layers.BatchNormalization):
            ws = []
            for w in layer.weights:
                n = w.shape[0]
                if "gamma" in w.name:
                    ws.append(rng.uniform(0.3, 2.0, n) * rng.choice([-1, 1], n, p=[0.25, 0.75]))
                elif "beta" in w.name:
                    ws.append(rng.normal(0, 1.0, n))
                elif "moving_mean" in w.name:
                    ws.append(rng.normal(0, 3.0, n))
                else:
                    ws.append(rng.uniform(0.5, 20.0, n))
            layer.set_weights([np.asarray(w, np.float32) for w in ws])
    return model


def _ref_values(m, images):
    """Every value of the float32 reference run of a .fbnn (bit-exact with C)."""
    vals = {m.input_value: images}
    for oi, (typ, ins, out, params, attrs) in enumerate(m.ops):
        r = ff._RefArgs([vals[i] for i in ins], None, oi)
        vals[out] = ff.BY_CODE[typ].ref(r.inputs[0], [m.tensors[p] for p in params], list(attrs), r)
    return vals


def check_model(model, tmp_path, seed=1, shape=None, expect_ops=()):
    rng = np.random.default_rng(seed)
    _randomise_bn(model, rng)
    h, w, c = model.inputs[0].shape[1:]
    imgs = rng.integers(0, 256, size=(N_IMG, c, h, w), dtype=np.uint8)
    path = str(tmp_path / "m.h5")
    model.save(path)
    out = str(tmp_path / "m.fbnn")
    g, cv = import_larq.convert(path, out)
    names = {ff.OP_NAMES[op[0]] for op in g.ops}
    for op in expect_ops:
        assert op in names, "expected op %s in %s" % (op, sorted(names))
    xk = imgs.transpose(0, 2, 3, 1).astype(np.float32) * SCALE
    ref_model = cv.model          # the loaded file (its tensors are the ones cv.sign_of names)
    m = ff.read_fbnn(out)
    vals = _ref_values(m, imgs)
    if cv.sign_of:               # every BITS value vs Keras' sign of the tensor it stands for
        kv = K.Model(cv.model.inputs, [t for t, _ in cv.sign_of])(xk)
        kv = kv if isinstance(kv, (list, tuple)) else [kv]
        for (t, v), kt in zip(cv.sign_of, kv):
            kt = kt.numpy()
            kb = np.where(kt >= 0, 1.0, -1.0)
            if kb.ndim == 4:
                kb = kb.transpose(0, 3, 1, 2)
            fb = vals[v].reshape(kb.shape)
            assert np.array_equal(kb, fb), "sign decisions differ at %s: %d of %d" % (
                t.name, int((kb != fb).sum()), kb.size)
    logits_k = ref_model(xk).numpy()
    logits_c = fracbnn.Model(out).run(imgs, threads=2)
    tol = 1e-4 * (1.0 + np.abs(logits_k).max())
    assert np.abs(logits_c - logits_k).max() <= tol, np.abs(logits_c - logits_k).max()
    assert np.array_equal(logits_c.argmax(1), logits_k.argmax(1))
    return g, cv


def q(**kw):
    return dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip", **kw)


def test_binary_convs_thresholds_and_pad_values(tmp_path):
    x = inp = K.Input((12, 12, 3))
    x = lq.layers.QuantConv2D(16, 3, padding="same", kernel_quantizer="ste_sign", use_bias=False)(x)
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(32, 3, padding="same", use_bias=False, **q())(x)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.MaxPooling2D(2)(x)                                   # on bits after the threshold
    x = lq.layers.QuantConv2D(32, 3, padding="same", strides=2, pad_values=1.0, **q())(x)  # TF same, asym
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(24, 3, padding="valid", use_bias=True, **q())(x)   # bias into thresholds
    x = lq.layers.QuantConv2D(16, 1, **q())(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    x = K.layers.Dense(7)(x)
    check_model(K.Model(inp, x), tmp_path, expect_ops=("bconv_thr", "bconv", "maxpool", "rconv"))


def test_binary_dense(tmp_path):
    x = inp = K.Input((6, 6, 3))
    x = K.layers.Flatten()(x)
    x = lq.layers.QuantDense(48, use_bias=False, **q())(x)            # sign of the raw input
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantDense(40, **q())(x)
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantDense(10, **q())(x)
    x = K.layers.BatchNormalization()(x)
    check_model(K.Model(inp, x), tmp_path, expect_ops=("bfc_thr", "bfc"))


def test_flatten_of_binary_map_order(tmp_path):
    x = inp = K.Input((8, 8, 1))
    x = lq.layers.QuantConv2D(8, 3, kernel_quantizer="ste_sign", use_bias=False)(x)
    x = K.layers.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(40, 3, use_bias=False, **q())(x)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.Flatten()(x)                                         # 4x4x40, Keras order h,w,c
    x = lq.layers.QuantDense(10, **q())(x)
    check_model(K.Model(inp, x), tmp_path, seed=2, expect_ops=("bconv_thr", "bfc"))


def test_real_valued_layers(tmp_path):
    x = inp = K.Input((15, 16, 3))
    x = K.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(x)
    x = K.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same")(x)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.LeakyReLU(0.1)(x)
    x = lq.layers.QuantDepthwiseConv2D(3, padding="same", depthwise_quantizer="ste_sign", use_bias=False)(x)
    x = K.layers.PReLU(shared_axes=[1, 2], alpha_initializer=K.initializers.RandomUniform(0, 0.5))(x)
    x = K.layers.MaxPooling2D(3, strides=2, padding="same")(x)      # 8x8 -> TF pads bottom/right
    x = K.layers.AveragePooling2D(2)(x)
    x = K.layers.Flatten()(x)
    x = K.layers.Dense(10)(x)
    check_model(K.Model(inp, x), tmp_path, seed=3, expect_ops=("rconv", "rprelu", "avgpool", "fc"))


def test_residual_bireal_style(tmp_path):
    x = inp = K.Input((16, 16, 3))
    x = K.layers.Conv2D(32, 3, padding="same", use_bias=False)(x)
    x = K.layers.BatchNormalization()(x)
    for stride in (1, 2):
        sc = x
        if stride == 2:
            sc = K.layers.AveragePooling2D(2)(sc)
            sc = K.layers.Conv2D(32, 1, use_bias=False)(sc)
            sc = K.layers.BatchNormalization()(sc)
        y = lq.layers.QuantConv2D(32, 3, strides=stride, padding="same", use_bias=False,
                                  input_quantizer="approx_sign", kernel_quantizer="magnitude_aware_sign")(x)
        y = K.layers.BatchNormalization()(y)
        x = K.layers.Add()([y, sc]) if stride == 1 else y + sc       # TFOpLambda add
    z = lq.layers.QuantConv2D(16, 3, padding="same", activation="relu", **q())(x)
    z = K.layers.BatchNormalization()(z)
    x = K.layers.Concatenate()([x, z])
    x = K.layers.Activation("relu")(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    x = K.layers.Dense(10, activation="softmax")(x)
    model = K.Model(inp, x)
    rng = np.random.default_rng(4)
    _randomise_bn(model, rng)
    imgs = rng.integers(0, 256, size=(N_IMG, 3, 16, 16), dtype=np.uint8)
    path = str(tmp_path / "r.keras")
    model.save(path)
    g, cv = import_larq.convert(path, str(tmp_path / "r.fbnn"))
    assert any("softmax dropped" in n for n in cv.notes)
    names = {ff.OP_NAMES[op[0]] for op in g.ops}
    assert {"add", "concat", "bconv", "affine"} <= names
    probs = model(imgs.transpose(0, 2, 3, 1).astype(np.float32) * SCALE).numpy()
    logits = fracbnn.Model(str(tmp_path / "r.fbnn")).run(imgs)
    e = np.exp(logits - logits.max(1, keepdims=True))
    assert np.abs(e / e.sum(1, keepdims=True) - probs).max() < 1e-5
    assert np.array_equal(logits.argmax(1), probs.argmax(1))


def test_savedmodel_directory(tmp_path):
    x = inp = K.Input((8, 8, 1))
    x = lq.layers.QuantConv2D(32, 3, kernel_quantizer="ste_sign", use_bias=False)(x)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.Flatten()(x)
    x = lq.layers.QuantDense(5, **q())(x)
    model = K.Model(inp, x)
    d = str(tmp_path / "saved")
    model.save(d, save_format="tf")
    g, _ = import_larq.convert(d, str(tmp_path / "s.fbnn"))
    imgs = np.random.default_rng(5).integers(0, 256, size=(8, 1, 8, 8), dtype=np.uint8)
    want = model(imgs.transpose(0, 2, 3, 1).astype(np.float32) * SCALE).numpy()
    assert np.abs(fracbnn.Model(str(tmp_path / "s.fbnn")).run(imgs) - want).max() <= 1e-4 * (1 + np.abs(want).max())


# -- bad input: the command line refuses with a message and exit status 2, no traceback --------
def _cli(*args):
    tool = os.path.join(os.path.dirname(import_larq.__file__), "import_larq.py")
    p = subprocess.run([sys.executable, tool] + list(args), capture_output=True, text=True, timeout=300)
    return p.returncode, p.stderr


def _assert_refused(rc, err, *words):
    assert rc == 2, err
    assert "Traceback" not in err, err
    assert "import_larq: error:" in err
    for w in words:
        assert w in err, err


def test_refuses_unsupported_layers(tmp_path):
    x = inp = K.Input((8, 8, 1))
    x = lq.layers.QuantConv2D(8, 3, kernel_quantizer="ste_sign", name="stem")(x)
    x = K.layers.Reshape((6 * 6 * 8,), name="my_reshape")(x)
    x = K.layers.Dense(3)(x)
    K.Model(inp, x).save(str(tmp_path / "u.h5"))
    _assert_refused(*_cli(str(tmp_path / "u.h5"), str(tmp_path / "u.fbnn")), "my_reshape", "Reshape")
    assert not os.path.exists(str(tmp_path / "u.fbnn"))
    x = inp = K.Input((8, 8, 1))
    x = lq.layers.QuantConv2D(8, 3, input_quantizer="dorefa_quantizer", kernel_quantizer="ste_sign",
                              name="dorefa_conv")(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    K.Model(inp, x).save(str(tmp_path / "d.h5"))
    _assert_refused(*_cli(str(tmp_path / "d.h5"), str(tmp_path / "d.fbnn")), "dorefa_conv", "DoReFa")
    x = inp = K.Input((8, 8, 1))
    x = lq.layers.QuantConv2D(8, 3, activation="hard_tanh", kernel_quantizer="ste_sign", name="ht")(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    assert import_larq.main([_save(K.Model(inp, x), tmp_path / "h.h5"), str(tmp_path / "h.fbnn")]) == 2
    x = inp = K.Input((8, 8, 1))
    x = lq.layers.QuantDepthwiseConv2D(3, input_quantizer="ste_sign", depthwise_quantizer="ste_sign", name="bdw")(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    with pytest.raises(import_larq.lk.Unsupported, match="'bdw'.*no binary depthwise"):
        import_larq.convert(_save(K.Model(inp, x), tmp_path / "b.h5"), str(tmp_path / "b.fbnn"))


def _save(model, path):
    model.save(str(path))
    return str(path)


def test_refuses_truncated_and_foreign_files(tmp_path):
    x = inp = K.Input((8, 8, 1))
    x = K.layers.Flatten()(x)
    x = K.layers.Dense(3)(x)
    good = _save(K.Model(inp, x), tmp_path / "g.h5")
    data = open(good, "rb").read()
    bad = tmp_path / "t.h5"
    bad.write_bytes(data[:len(data) // 3])
    _assert_refused(*_cli(str(bad), str(tmp_path / "t.fbnn")), "not a loadable Keras model")
    txt = tmp_path / "n.keras"
    txt.write_text("this is not a model\n")
    _assert_refused(*_cli(str(txt), str(tmp_path / "n.fbnn")), "not a loadable Keras model")
    _assert_refused(*_cli(str(tmp_path / "missing.h5"), str(tmp_path / "x.fbnn")), "no such file")

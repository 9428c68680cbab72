"""Tests of the fracbnn Python package against the C library and the CLI."""
import json
import os
import subprocess
import threading

import numpy as np
import pytest

import fracbnn
from conftest import CIFAR_MODEL, BUILD


def test_uses_build_library():
    assert os.path.realpath(fracbnn.LIBRARY_PATH).startswith(os.path.realpath(BUILD))
    assert fracbnn.library_version() == fracbnn.__version__


def test_model_description(cifar_model):
    m = cifar_model
    assert m.input_shape == (3, 32, 32)
    assert m.num_classes == 10
    assert m.labels[0] == "airplane" and m.labels[9] == "truck"
    info = m.info()
    assert info["num_ops"] == len(info["layers"]) > 10
    assert info["layers"][0]["op"] == "thermometer"
    assert info["layers"][-1]["out_shape"][0] == 10
    assert info["file_bytes"] == os.path.getsize(CIFAR_MODEL)


def test_panel_bytes_as_cli(cifar_model, fbnn_cli):
    """The loader's weight copies for the SIMD kernels, as `fbnn info --json` reports them."""
    out = subprocess.run([fbnn_cli, "info", CIFAR_MODEL, "--json"], check=True, capture_output=True, text=True)
    cli = json.loads(out.stdout)["panel_bytes"]
    assert cli > 0  # the CIFAR-10 model's convs get 16-channel weight blocks
    assert cifar_model.info()["panel_bytes"] == cli


def test_logits_identical_to_cli_eval(cifar_model, cifar_images, fbnn_cli, tmp_path):
    """Every logit of the 846 real images equals `fbnn eval --logits` bit for bit,
    for 1 and 2 threads and every ISA this CPU has."""
    x, y, path = cifar_images
    lf, pf = tmp_path / "logits.f32", tmp_path / "pred.txt"
    subprocess.run([fbnn_cli, "eval", CIFAR_MODEL, path, "--logits", str(lf), "--predictions", str(pf),
                    "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    ref = np.fromfile(lf, dtype=np.float32).reshape(len(x), 10)
    pred = np.loadtxt(pf, dtype=np.int64)
    for isa in cifar_model.available_isas():
        for threads in (1, 2):
            out = cifar_model.run(x, threads=threads, isa=isa)
            assert out.dtype == np.float32 and out.shape == (len(x), 10)
            assert out.tobytes() == ref.tobytes(), (isa, threads)
    assert np.array_equal(ref.argmax(1), pred)
    assert (pred == y).mean() > 0.85  # the model is the trained FracBNN (89.5 % on these 846)


def test_single_image_and_topk(cifar_model, cifar_images):
    x, _, _ = cifar_images
    one = cifar_model.run(x[5])
    assert one.shape == (1, 10) and np.array_equal(one[0], cifar_model.run(x[:8])[5])
    top = cifar_model.topk(x[5], k=3)
    with cifar_model.context() as c:
        ctop = c.topk(x[5], k=3)  # fbnn_topk in C
    assert [t[0] for t in top] == [t[0] for t in ctop]
    assert [t[1] for t in top] == [t[1] for t in ctop]
    for a, b in zip(top, ctop):
        assert a[2] == pytest.approx(b[3], rel=1e-6)
    assert len(cifar_model.topk(x[:4], k=20)) == 4 and len(cifar_model.topk(x[:4], k=20)[0]) == 10


def test_from_bytes_equals_file(cifar_model, cifar_images):
    x, _, _ = cifar_images
    with open(CIFAR_MODEL, "rb") as f:
        data = f.read()
    m2 = fracbnn.Model.from_bytes(data)
    assert m2.labels == cifar_model.labels
    assert m2.run(x[:50]).tobytes() == cifar_model.run(x[:50]).tobytes()
    m2.close()
    with pytest.raises(fracbnn.FbnnError):
        m2.run(x[:1])


@pytest.mark.parametrize("mutate,status", [
    (lambda d: b"XXXX" + d[4:], "FBNN_ERR_MAGIC"),
    (lambda d: d[: len(d) // 2], "FBNN_ERR_TRUNCATED"),
    (lambda d: d[:100] + bytes([d[100] ^ 0xFF]) + d[101:], "FBNN_ERR_CHECKSUM"),
    (lambda d: b"", "FBNN_ERR_TRUNCATED"),
])
def test_bad_model_bytes(mutate, status):
    with open(CIFAR_MODEL, "rb") as f:
        data = f.read()
    with pytest.raises(fracbnn.FbnnError) as e:
        fracbnn.Model.from_bytes(mutate(data))
    assert e.value.status_name == status
    assert e.value.message and e.value.status == fracbnn._lib.STATUS[status]


def test_bad_model_files(tmp_path):
    with pytest.raises(fracbnn.FbnnError) as e:
        fracbnn.Model(str(tmp_path / "missing.fbnn"))
    assert e.value.status_name == "FBNN_ERR_IO"
    p = tmp_path / "trunc.fbnn"
    with open(CIFAR_MODEL, "rb") as f:
        p.write_bytes(f.read()[:1000])
    with pytest.raises(fracbnn.FbnnError) as e:
        fracbnn.Model(str(p))
    assert e.value.status_name == "FBNN_ERR_TRUNCATED"
    with pytest.raises(fracbnn.FbnnError):
        fracbnn.Model.from_bytes("not bytes")


def test_bad_images(cifar_model, cifar_images):
    x, _, _ = cifar_images
    bad = [x[:2].astype(np.float32), x[:2].astype(np.int8), x[:2, :2], x[:2].reshape(2, 32, 32, 3),
           x[:2, :, :, ::-1], np.asfortranarray(x[0]), x[:2].tolist(), x[:2][None]]
    for b in bad:
        with pytest.raises(fracbnn.InputError) as e:
            cifar_model.run(b)
        assert e.value.status_name == "FBNN_ERR_INPUT"
        assert isinstance(e.value, ValueError)
    for kw in ({"threads": 0}, {"threads": 1.5}, {"threads": 1000}, {"isa": "sse9"}):
        with pytest.raises(fracbnn.FbnnError) as e:
            cifar_model.run(x[:1], **kw)
        assert e.value.status_name == "FBNN_ERR_ARG"
    with pytest.raises(fracbnn.FbnnError):
        cifar_model.topk(x[0], k=0)
    assert cifar_model.run(x[:0]).shape == (0, 10)


def test_isa_choice(cifar_model, cifar_images):
    x, _, _ = cifar_images
    names = cifar_model.available_isas()
    assert "scalar" in names
    with cifar_model.context(isa="scalar") as c:
        assert c.isa == "scalar"
        ref = c.run(x[:20])
    for isa in names:
        with cifar_model.context(isa=isa) as c:
            assert c.run(x[:20]).tobytes() == ref.tobytes()
    missing = [n for n in fracbnn.ISA if n != "auto" and n not in names]
    for n in missing:
        with pytest.raises(fracbnn.FbnnError) as e:
            cifar_model.context(isa=n)
        assert e.value.status_name == "FBNN_ERR_UNSUPPORTED"


def test_profile(cifar_model, cifar_images):
    x, _, _ = cifar_images
    prof = cifar_model.profile(x[0], repeat=3)
    layers = cifar_model.layers()
    assert [p["op"] for p in prof] == [l["op"] for l in layers]
    assert all(p["seconds"] > 0 for p in prof)
    assert not any(p["fused"] for p in prof)  # fusion off: every op timed on its own
    conv = sum(p["seconds"] for p in prof if p["op"] in ("bconv", "pgconv"))
    assert conv > 0.3 * sum(p["seconds"] for p in prof)  # the convolutions dominate
    with pytest.raises(fracbnn.InputError):
        cifar_model.profile(x[:2])


def test_gil_released_during_run(cifar_model, cifar_images):
    """While one thread is inside fbnn_run_batch, another Python thread keeps
    running: the main thread's counter advances during the foreign call."""
    x, _, _ = cifar_images
    big = np.ascontiguousarray(np.concatenate([x] * 2))
    counter = [0]
    seen = {}
    stop = threading.Event()

    def worker():
        with cifar_model.context(isa="scalar") as c:  # scalar: a long call
            seen["before"] = counter[0]
            c.run(big)
            seen["after"] = counter[0]
        stop.set()

    t = threading.Thread(target=worker)
    t.start()
    while not stop.is_set():
        counter[0] += 1
    t.join()
    # With the GIL held for the call the counter could advance only around it
    # (a few switch intervals); released, it runs for the whole call.
    assert seen["after"] - seen["before"] > 100000, seen


def test_threads_share_model(cifar_model, cifar_images):
    """One Model, four Python threads, each with its own Context: same logits."""
    x, _, _ = cifar_images
    ref = cifar_model.run(x[:64])
    res = [None] * 4

    def work(i):
        res[i] = cifar_model.run(x[:64], threads=1 + i % 2)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(r.tobytes() == ref.tobytes() for r in res)


def test_context_refuses_concurrent_use(cifar_model, cifar_images):
    x, _, _ = cifar_images
    big = np.ascontiguousarray(np.concatenate([x] * 2))
    c = cifar_model.context(isa="scalar")
    errors = []
    started = threading.Event()

    def worker():
        started.set()
        c.run(big)

    t = threading.Thread(target=worker)
    t.start()
    started.wait()
    for _ in range(2000):
        try:
            c.run(x[:1])
        except fracbnn.FbnnError as e:
            errors.append(e)
            break
    t.join()
    c.close()
    assert errors and "another thread" in errors[0].message


def test_no_shared_state_between_models(cifar_images):
    """Two models loaded at once, closed in any order: results unchanged."""
    x, _, _ = cifar_images
    a = fracbnn.Model(CIFAR_MODEL)
    b = fracbnn.Model(CIFAR_MODEL)
    ra = a.run(x[:16])
    b.close()
    assert a.run(x[:16]).tobytes() == ra.tobytes()
    a.close()
    a.close()

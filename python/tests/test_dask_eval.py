"""examples/python/dask_eval.py on a 2-worker LocalCluster: its predictions and
accuracy equal `fbnn eval`'s on the same images (a Fashion-MNIST IDX subset
and a CIFAR-10 binary subset). Needs python3-dask and python3-distributed
(scripts/setup.sh installs them)."""
import gzip
import os
import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("distributed", reason="python3-distributed is not installed (scripts/setup.sh installs it)")

from conftest import BUILD, REPO, CIFAR_846  # noqa: E402

EXAMPLE = os.path.join(REPO, "examples", "python", "dask_eval.py")
FMNIST = "/usr/share/datasets/fashion-mnist/t10k-%s-ubyte.gz"


def run_both(fbnn_cli, model, data, tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(BUILD, "python"))
    pred_dask, pred_cli = tmp_path / "dask.txt", tmp_path / "cli.txt"
    out = subprocess.run([sys.executable, EXAMPLE, model] + data + ["--workers", "2", "--chunk", "64",
                                                                     "--predictions", str(pred_dask)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    ref = subprocess.run([fbnn_cli, "eval", model] + data + ["--predictions", str(pred_cli), "--no-progress"],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"accuracy ([0-9.]+) % \((\d+) correct\), ([0-9.]+) images/s on 2 workers", out.stdout)
    assert m, out.stdout
    assert np.array_equal(np.loadtxt(pred_dask, dtype=np.int64), np.loadtxt(pred_cli, dtype=np.int64))
    assert "top-1 accuracy: %s %%" % m.group(1) in ref
    assert "correct: %s" % m.group(2) in ref
    return float(m.group(1))


def test_dask_eval_fashion_mnist_idx(fbnn_cli, tmp_path):
    if not os.path.exists(FMNIST % "images-idx3"):
        pytest.skip("Fashion-MNIST not installed (dataset-fashion-mnist)")
    n = 700   # a subset, written as plain IDX files: 7 chunks over 2 workers
    with gzip.open(FMNIST % "images-idx3") as f:
        img = f.read(16 + n * 784)
    with gzip.open(FMNIST % "labels-idx1") as f:
        lab = f.read(8 + n)
    (tmp_path / "img.idx").write_bytes(img[:4] + n.to_bytes(4, "big") + img[8:])
    (tmp_path / "lab.idx").write_bytes(lab[:4] + n.to_bytes(4, "big") + lab[8:])
    acc = run_both(fbnn_cli, os.path.join(REPO, "models", "fashion_mnist_binarynet.fbnn"),
                   [str(tmp_path / "img.idx"), str(tmp_path / "lab.idx")], tmp_path)
    assert acc > 80


def test_dask_eval_cifar10_bin(fbnn_cli, tmp_path):
    if not os.path.exists(CIFAR_846):
        pytest.skip("CIFAR-10 images not found at %s" % CIFAR_846)
    (tmp_path / "c.bin").write_bytes(open(CIFAR_846, "rb").read()[:200 * 3073])
    acc = run_both(fbnn_cli, os.path.join(REPO, "models", "cifar10_fracbnn.fbnn"), [str(tmp_path / "c.bin")],
                   tmp_path)
    assert acc > 80

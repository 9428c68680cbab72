"""The committed Fashion-MNIST model and its golden files are consistent."""
import os

import numpy as np
import pytest

import fbnn_format as ff

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "fashion_mnist_fracbnn.fbnn")
G = os.path.join(ROOT, "tests", "data", "fmnist_")

pytestmark = pytest.mark.skipif(not os.path.exists(MODEL) or not os.path.exists(G + "golden.txt"),
                                reason="Fashion-MNIST model not exported yet")


def test_meta():
    m = ff.read_fbnn(MODEL)
    assert m.labels == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    assert (m.colour, m.resize, m.invert) == (1, 0, 1)
    assert m.values[0] == (ff.VK_U8, 1, 28, 28)


def test_golden_logits_reproduced():
    n, c, h, w, k = [int(v) for v in open(G + "golden.txt").read().split()]
    x = np.fromfile(G + "golden_inputs.u8", np.uint8).reshape(n, c, h, w)
    y = np.fromfile(G + "golden_logits.f32", "<f4").reshape(n, k)
    m = ff.read_fbnn(MODEL)
    n_check = 8
    assert ff.run_reference(m, x[:n_check]).tobytes() == y[:n_check].tobytes()
    pred = [int(v) for v in open(G + "test_predictions.txt").read().split()]
    assert len(pred) == 10000
    assert pred[:n] == list(y.argmax(1))   # golden inputs are the first test images

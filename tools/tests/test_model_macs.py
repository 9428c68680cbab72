"""tools/model_macs.py against MAC counts worked out by hand from the shipped
DoReFa model's architecture (models/fashion_mnist_bnn_family.md)."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from model_macs import model_macs  # noqa: E402


def test_dorefa_counts_by_hand():
    r = model_macs(os.path.join(ROOT, "models", "fashion_mnist_dorefa.fbnn"))
    ops = {o["index"]: o for o in r["per_op"]}
    # stem: real 3x3 conv 1 -> 32 at 28x28
    assert ops[0]["op"] == "rconv" and ops[0]["real_macs"] == 28 * 28 * 32 * 9 * 1
    # kconv layers: Ho*Wo*Co*9*Ci*planes(2)*bases(1)
    shapes = [(14, 32, 32), (7, 64, 32), (7, 64, 64), (4, 128, 64), (4, 128, 128)]
    kconvs = [o for o in r["per_op"] if o["op"] == "kconv"]
    assert [o["binary_macs"] for o in kconvs] == [h * h * co * 9 * ci * 2 for h, co, ci in shapes]
    assert r["real_macs"] == 28 * 28 * 32 * 9 + 128 * 10
    assert r["binary_macs"] == sum(h * h * co * 9 * ci * 2 for h, co, ci in shapes)
    assert r["lsb_macs_max"] == 0

"""bench/pytorch_fp32.py: the PyTorch timing script runs, and with --fbnn it
alternates PyTorch repeats with `fbnn eval` passes and prints their ratio."""
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NPZ = os.path.join(ROOT, "..", "shared", "data", "fracbnn_cifar10_official.npz")
FBNN = os.path.join(ROOT, "build", "fbnn")
DATA = os.path.join(ROOT, "tests", "data", "cifar10_test_first64.bin")


@pytest.mark.skipif(not os.path.exists(NPZ) or not os.path.exists(FBNN),
                    reason="released npz or build/fbnn not available")
def test_ratio_against_fbnn_eval():
    out = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "pytorch_fp32.py"), "--quick",
                          "--reps", "2", "--data", DATA, "--npz", NPZ, "--fbnn", FBNN],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout
    torch_rate = float(re.search(r"^FracBNN fp32, batch 64: +([0-9.]+) images/s", out, re.M).group(1))
    m = re.search(r"^fbnn eval, 2 threads: +([0-9.]+) images/s \(median; passes (\d+) (\d+)\)", out, re.M)
    assert m, out
    ratio = re.search(r"^ratio fbnn eval / PyTorch: +([0-9.]+)x \(median of 2 pairs; pairs ([0-9.]+) ([0-9.]+)\)",
                      out, re.M)
    assert ratio, out
    pairs = [float(ratio.group(2)), float(ratio.group(3))]
    assert torch_rate > 0 and float(m.group(1)) > 0
    assert min(pairs) <= float(ratio.group(1)) <= max(pairs)

"""pytest setup for the fracbnn package tests.

The package under test is the build tree's copy: FBNN_BUILD_DIR (default
<repo>/build) /python, whose _config.py names that build's libfracbnn.so.
Run: /usr/bin/python3 -m pytest -q python/tests   (after cmake --build build)
"""
import os
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("FBNN_BUILD_DIR", os.path.join(REPO, "build")))
sys.path.insert(0, os.path.join(BUILD, "python"))

CIFAR_MODEL = os.path.join(REPO, "models", "cifar10_fracbnn.fbnn")
CIFAR_846 = "/work/shared/data/cifar10_test_846.bin"


@pytest.fixture(scope="session")
def build_dir():
    return BUILD


@pytest.fixture(scope="session")
def fbnn_cli():
    p = os.path.join(BUILD, "fbnn")
    if not os.path.exists(p):
        pytest.skip("no CLI in %s (FBNN_BUILD_CLI=OFF)" % BUILD)
    return p


@pytest.fixture(scope="session")
def cifar_model():
    import fracbnn
    return fracbnn.Model(CIFAR_MODEL)


@pytest.fixture(scope="session")
def cifar_images():
    """The 846 real CIFAR-10 test images (uint8 [N, 3, 32, 32]) and their labels."""
    path = CIFAR_846 if os.path.exists(CIFAR_846) else None
    if path is None:
        pytest.skip("CIFAR-10 images not found at %s" % CIFAR_846)
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    return np.ascontiguousarray(raw[:, 1:].reshape(-1, 3, 32, 32)), raw[:, 0].astype(np.int64), path

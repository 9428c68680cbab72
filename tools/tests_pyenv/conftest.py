"""pytest setup for the tests that need the PyPI venv (larq, TensorFlow, LCE).

Run with the venv's interpreter (scripts/setup_pyenv.sh makes it; scripts/test.sh
does both):  TF_USE_LEGACY_KERAS=1 build/pyenv/bin/python -m pytest -q tools/tests_pyenv
The fracbnn package under test is FBNN_BUILD_DIR (default <repo>/build)/python.
"""
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(TOOLS)
BUILD = os.path.abspath(os.environ.get("FBNN_BUILD_DIR", os.path.join(REPO, "build")))
for p in (TOOLS, os.path.join(BUILD, "python")):
    if p not in sys.path:
        sys.path.insert(0, p)

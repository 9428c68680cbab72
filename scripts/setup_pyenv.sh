#!/usr/bin/env bash
# Optional PyPI environment for the Larq/LCE/QONNX importers and benchmarks:
# a venv under build/pyenv (Debian python3.11 + python3-venv; --system-site-packages
# so brevitas uses Debian's PyTorch 1.13 instead of downloading one), pinned
# versions from python/requirements-pyenv.txt. tf-keras is installed --no-deps
# (it would pull the full `tensorflow` next to tensorflow-cpu); use
# TF_USE_LEGACY_KERAS=1 so larq gets Keras 2. Measured: 6 min (360 s) on this machine.
# onnx is pinned to 1.16.2: 1.19.0 needs ml_dtypes.float4_e2m1fn but TF 2.16 pins ml_dtypes~=0.3.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV=${1:-build/pyenv}
/usr/bin/python3 -m venv --system-site-packages "$ENV"
grep -v '^tf-keras' python/requirements-pyenv.txt > "$ENV/req.txt"
"$ENV/bin/pip" install -r "$ENV/req.txt"
"$ENV/bin/pip" install --no-deps "$(grep '^tf-keras' python/requirements-pyenv.txt)"
TF_USE_LEGACY_KERAS=1 "$ENV/bin/python" -c "import larq, larq_compute_engine, onnx, onnxruntime, qonnx, brevitas; print('pyenv ok')"

#!/usr/bin/env bash
# Optional PyPI environment for the Larq/LCE/QONNX importers and benchmarks:
# a venv under build/pyenv (or $1; Debian python3.11 + python3-venv; --system-site-packages
# so brevitas uses Debian's PyTorch 1.13 instead of downloading one), pinned
# versions from python/requirements-pyenv.txt. Lines marked `# no-deps` are
# installed with --no-deps: tf-keras (it would pull the full `tensorflow` next to
# tensorflow-cpu) and larq-zoo with its import chain (their declared pins are
# older than ours). Use TF_USE_LEGACY_KERAS=1 so larq gets Keras 2.
# Idempotent: when the venv exists and every package imports, nothing is
# installed (a second run takes seconds). Measured: 6 min (360 s) for a fresh venv.
# onnx is pinned to 1.16.2: 1.19.0 needs ml_dtypes.float4_e2m1fn but TF 2.16 pins ml_dtypes~=0.3.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ENV=${1:-build/pyenv}
check() {
  TF_USE_LEGACY_KERAS=1 TF_CPP_MIN_LOG_LEVEL=3 "$ENV/bin/python" -c "
import larq, larq_compute_engine, onnx, onnxruntime, onnxoptimizer, qonnx, brevitas, pytest
import importlib.util as u
assert u.find_spec('larq_zoo') and u.find_spec('zookeeper') and u.find_spec('tensorflow_datasets')
print('pyenv ok')" 2>/dev/null
}
if [ -x "$ENV/bin/python" ] && check; then
  exit 0
fi
/usr/bin/python3 -m venv --system-site-packages "$ENV"
grep -v 'no-deps' python/requirements-pyenv.txt > "$ENV/req.txt"
grep 'no-deps' python/requirements-pyenv.txt | sed 's/ *#.*//' > "$ENV/req-nodeps.txt"
"$ENV/bin/pip" install -r "$ENV/req.txt"
"$ENV/bin/pip" install --no-deps -r "$ENV/req-nodeps.txt"
check

#!/usr/bin/env bash
# Set up and run every test: the CMocka/ctest suite in a Release build, the
# same suite under ASan+UBSan, and the Python tests (exporter, round trip).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd build && ctest --output-on-failure -j"$(nproc)")

echo "== AArch64 NEON cross build, tests under qemu-aarch64 =="
scripts/test_aarch64.sh build-aarch64

echo "== Cortex-M4 / M55 firmware under qemu-system-arm (scripts/test_mcu.sh) =="
scripts/test_mcu.sh

echo "== install + downstream consumers (find_package, pkg-config) =="
scripts/test_downstream.sh build

echo "== API docs (Doxygen, warnings are errors) =="
scripts/docs.sh

echo "== ASan + UBSan build =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFBNN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure -j"$(nproc)")

echo "== fuzz smoke: each libFuzzer harness 30 s under ASan+UBSan (fails on any finding) =="
scripts/fuzz_smoke.sh build-fuzz-smoke 30

echo "== ThreadSanitizer: shared model, N threads (scripts/tsan_check.sh) =="
scripts/tsan_check.sh build-tsan 128

echo "== valgrind memcheck: examples, CLI, test subset (scripts/valgrind_check.sh) =="
scripts/valgrind_check.sh build

if [ -d tools/tests ]; then
  echo "== Python tests =="
  /usr/bin/python3 -m pytest -q tools/tests
  /usr/bin/python3 -m pytest -q python/tests  # also ctest python_package
fi

# The Larq importers against Keras' own forward and against LCE's
# interpreter on LCE-converted .tflite files (PyPI venv). The venv is
# FBNN_PYENV (default build/pyenv); setup_pyenv.sh returns at once when it
# exists and imports (a fresh one is ~6 min of downloads). About 2 min.
echo "== Larq importers, .h5 and LCE .tflite (PyPI venv: tools/tests_pyenv) =="
PYENV=${FBNN_PYENV:-build/pyenv}
scripts/setup_pyenv.sh "$PYENV"
FBNN_BUILD_DIR=build TF_USE_LEGACY_KERAS=1 "$PYENV/bin/python" -m pytest -q -p no:cacheprovider tools/tests_pyenv
echo "== QONNX importer vs qonnx's forward (PyPI venv, ~20 s) =="
"$PYENV/bin/python" -m pytest -q -p no:cacheprovider tools/tests/test_import_qonnx.py
echo "all tests passed"

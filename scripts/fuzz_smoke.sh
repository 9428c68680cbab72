#!/usr/bin/env bash
# CI fuzz smoke run (issue 7): build the libFuzzer harnesses with clang
# (-fsanitize=fuzzer,address,undefined) and run each one for a bounded time
# on a copy of its committed seed corpus. Any crash, sanitizer report,
# invariant violation (abort), leak, timeout (> 25 s for one input) or
# out-of-memory (> 2 GiB) makes the script exit 1; the reproducer is left in
# BUILD_DIR/smoke/artifacts/ and the log tail is printed.
#
#   scripts/fuzz_smoke.sh [BUILD_DIR] [SECONDS_PER_HARNESS]
#
# Defaults: build-fuzz-smoke, 30 s (5 harnesses: about 2.5 min + the build).
# The longer campaign is tests/fuzz/run_fuzz.sh (numbers in tests/fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
B=${1:-build-fuzz-smoke}
T=${2:-30}
case "$B" in /*) ;; *) B="$root/$B" ;; esac

CC=clang cmake -S . -B "$B" -DFBNN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$(nproc)" --target fuzz_model_load fuzz_model_load_crc fuzz_model_file \
  fuzz_image_load fuzz_dataset_load >/dev/null

S="$B/smoke"
rm -rf "$S"
mkdir -p "$S/artifacts" "$S/logs"
fz="$B/tests/fuzz"
c="tests/fuzz/corpus"
r="tests/fuzz/regress"
fail=0
# name binary max_len seed-dirs/files...
run() {
  local name=$1 bin=$2 max_len=$3; shift 3
  local work="$S/work/$name"
  mkdir -p "$work"
  for src in "$@"; do
    if [ -d "$src" ]; then cp -n "$src"/* "$work/" 2>/dev/null || true
    elif [ -f "$src" ]; then cp -n "$src" "$work/"; fi
  done
  if "$fz/$bin" -max_total_time="$T" -max_len="$max_len" -timeout=25 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$S/artifacts/$name-" "$work" >"$S/logs/$name.log" 2>&1; then
    printf 'fuzz smoke %-16s ok   %s\n' "$name" \
      "$(grep -E '^#[0-9]+[[:space:]]+DONE' "$S/logs/$name.log" | tail -1 | sed 's/[[:space:]]*corp:.*//')"
  else
    fail=1
    echo "fuzz smoke $name: FAILED (log $S/logs/$name.log, artifacts $S/artifacts/)"
    tail -30 "$S/logs/$name.log"
  fi
}
run model_load     fuzz_model_load     131072 "$c/model" models/cifar10_fracbnn.fbnn "$r/model"
run model_load_crc fuzz_model_load_crc 8192   "$c/model" "$r/model_crc" "$r/model"
run model_file     fuzz_model_file     8192   "$c/model"
run image          fuzz_image_load     65536  "$c/image" "$r/image"
run dataset        fuzz_dataset_load   8192   "$c/dataset" "$c/dataset_min"
exit $fail

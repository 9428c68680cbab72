#!/usr/bin/env bash
# valgrind memcheck (issue 7): 0 errors and 0 definite/indirect leaks over
# the examples, the CLI and a bounded subset of the test suite.
#
#   scripts/valgrind_check.sh [BUILD_DIR] [--full]
#
# BUILD_DIR (default build) must be a build WITHOUT sanitizers (Release is
# fine: memcheck needs no debug info to find errors). --full also runs the
# remaining CMocka/plain test programs (slow under valgrind: ~50x).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
full=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes)
fail=0
# check NAME CMD...: the command must exit 0 with no memcheck error.
# check_fails NAME CMD...: the command must fail cleanly (exit 1..98, no signal, no memcheck error).
check() { run_vg 0 "$@"; }
check_fails() { run_vg 1 "$@"; }
run_vg() {
  local want_fail=$1 name=$2; shift 2
  if [ ! -x "$1" ]; then echo "valgrind: $name skipped ($1 not built)"; return 0; fi
  local rc=0
  "${VG[@]}" --log-file="$tmp/$name.vg" "$@" >"$tmp/$name.out" 2>&1 || rc=$?
  if { [ "$want_fail" = 0 ] && [ $rc -eq 0 ]; } || { [ "$want_fail" = 1 ] && [ $rc -ge 1 ] && [ $rc -lt 99 ]; }; then
    echo "valgrind: $name clean (exit $rc)"
  else
    fail=1
    echo "valgrind: $name FAILED (exit $rc)"
    cat "$tmp/$name.vg"
    tail -20 "$tmp/$name.out"
  fi
}
data=tests/data/cifar10_test_first64.bin
head -c $((20 * 3073)) "$data" > "$tmp/cifar20.bin"
model=models/cifar10_fracbnn.fbnn
img=$(ls examples/images/*.jpg 2>/dev/null | head -1)
[ -n "$img" ] || img=tests/fuzz/corpus/image/rgb.jpg

check test_loader_reject "$B/tests/test_loader_reject"
check test_loader_reject_graph "$B/tests/test_loader_reject_graph"
check test_io_image      "$B/tests/test_io_image"
check test_io_to_input   "$B/tests/test_io_to_input"
check test_io_dataset    "$B/tests/test_io_dataset"
check test_api_args      "$B/tests/test_api_args"
check test_limits        "$B/tests/test_limits"
check test_concurrency   "$B/tests/test_concurrency" "$tmp/cifar20.bin" 20 2
check example_classify   "$B/examples/classify" "$model" "$img"
check fbnn_info          "$B/fbnn" info "$model"
check fbnn_classify      "$B/fbnn" classify "$model" "$img"
check fbnn_eval_20       "$B/fbnn" eval "$model" "$tmp/cifar20.bin" --no-progress
check_fails fbnn_bad_model "$B/fbnn" info tests/fuzz/regress/model/quant_uniform_step_zero.fbnn
printf 'not an image' > "$tmp/bad.jpg"; head -c 300 "$img" > "$tmp/trunc.jpg"
check_fails fbnn_bad_image   "$B/fbnn" classify "$model" "$tmp/bad.jpg"
check_fails fbnn_trunc_image "$B/fbnn" classify "$model" "$tmp/trunc.jpg"
if [ "$full" = "--full" ]; then
  for t in test_kernels test_kernels_elementwise test_layers test_layers_conv_limits test_model test_dispatch test_threads test_simd; do
    check "$t" "$B/tests/$t"
  done
fi
[ $fail -eq 0 ] && echo "valgrind: all clean"
exit $fail

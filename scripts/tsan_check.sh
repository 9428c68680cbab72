#!/usr/bin/env bash
# ThreadSanitizer check (issue 7): build the library and the threading tests
# with clang -fsanitize=thread and run them; any data race report fails.
#
#   scripts/tsan_check.sh [BUILD_DIR] [IMAGES]
#
# - test_concurrency: one model shared by 4 pthreads, each with its own
#   context, IMAGES (default 128) CIFAR-10 images each, logits memcmp-equal
#   to one thread;
# - test_threads (when built): the library's own worker pool (N = 1..4
#   threads per context, batches);
# - test_api_args: every public function with bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build-tsan}
N=${2:-128}
CC=clang cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
targets="test_concurrency test_api_args"
if grep -q "test_threads" tests/CMakeLists.txt; then targets="$targets test_threads"; fi
cmake --build "$B" -j"$(nproc)" --target $targets >/dev/null
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
data=../shared/data/cifar10_test_846.bin
[ -f "$data" ] || data=tests/data/cifar10_test_first64.bin
"$B/tests/test_concurrency" "$data" "$N" 4
"$B/tests/test_api_args" | tail -1
if [ -x "$B/tests/test_threads" ]; then "$B/tests/test_threads" | tail -3; fi
echo "tsan: clean"

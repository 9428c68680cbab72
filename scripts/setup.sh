#!/usr/bin/env bash
# Install the Debian packages the project needs (idempotent), then configure
# and build into build/ (Release).
#
#   scripts/setup.sh [extra cmake args]            everything: library, CLI,
#       examples, tests, fuzz replays, benchmarks (what scripts/test.sh runs),
#       with the whole test toolchain (CMocka, PyTorch, clang, valgrind,
#       doxygen, AArch64 cross compiler + qemu, oneDNN, tcl)
#   scripts/setup.sh --minimal [extra cmake args]  only the library and the
#       fbnn CLI (what scripts/demo.sh needs), from a C compiler, CMake,
#       pkg-config, stb, libpng and zlib; quiet: the build output goes to
#       build/setup.log, which is shown if the build fails
set -euo pipefail
cd "$(dirname "$0")/.."

minimal=0
if [ "${1:-}" = "--minimal" ]; then
  minimal=1
  shift
fi

# The library needs a C99 compiler, CMake and pthreads/libm (build-essential,
# cmake); the CLI adds pkg-config, libpng, zlib and stb_image (CMakeLists.txt).
PKGS_MIN="build-essential cmake pkg-config libstb-dev libpng-dev zlib1g-dev"
PKGS_TEST="libcmocka-dev python3-numpy python3-torch python3-pytest python3-pil dataset-fashion-mnist \
clang libclang-rt-14-dev valgrind doxygen gcc-aarch64-linux-gnu qemu-user libdnnl-dev tcl \
gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm python3-dask python3-distributed python3-skimage"
PKGS=$PKGS_MIN
[ "$minimal" -eq 1 ] || PKGS="$PKGS_MIN $PKGS_TEST"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

if [ "$minimal" -eq 1 ]; then
  mkdir -p build
  log=build/setup.log
  echo "setup: building the library and the fbnn CLI into build/ (log: $log)"
  if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFBNN_BUILD_CLI=ON -DFBNN_BUILD_TESTS=OFF \
           -DFBNN_BUILD_BENCH=OFF "$@" &&
         cmake --build build -j"$(nproc)" --target fbnn; } >"$log" 2>&1; then
    echo "setup: build failed; the last lines of $log:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
else
  # The options are explicit so that a build/ configured by --minimal before
  # gets the tests and benchmarks back.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFBNN_BUILD_CLI=ON -DFBNN_BUILD_TESTS=ON \
        -DFBNN_BUILD_BENCH=ON "$@" >/dev/null
  cmake --build build -j"$(nproc)"
fi

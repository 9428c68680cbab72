#!/usr/bin/env bash
# Install the Debian packages the project needs (idempotent), then configure
# and build into build/ (Release). Usage: scripts/setup.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="build-essential cmake pkg-config libcmocka-dev libstb-dev libpng-dev zlib1g-dev \
python3-numpy python3-torch python3-pytest python3-pil dataset-fashion-mnist clang libclang-rt-14-dev valgrind doxygen \
gcc-aarch64-linux-gnu qemu-user libdnnl-dev tcl"
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

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$(nproc)"

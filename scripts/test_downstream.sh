#!/usr/bin/env bash
# Install libfracbnn into a temporary prefix and build examples/downstream/
# against it three ways: find_package + fracbnn::fracbnn (shared),
# find_package + fracbnn::fracbnn_static, and plain cc with the documented
# pkg-config recipe (README, docs/GUIDE.md):
#   cc app.c $(pkg-config --cflags --libs fracbnn) -Wl,-rpath,$(pkg-config --variable=libdir fracbnn)
# Each program must run and classify; the pkg-config one from a prefix outside
# the loader path (like /tmp/x/opt/fracbnn) without LD_LIBRARY_PATH.
#
#   scripts/test_downstream.sh [BUILD_DIR]    (default: build; must be configured + built)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
root=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fbnn_downstream.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/x/opt/fracbnn   # not on the dynamic loader's search path
model=$root/models/cifar10_fracbnn.fbnn

cmake --install "$build" --prefix "$prefix" >/dev/null
echo "== installed files =="
(cd "$prefix" && find . -type f -o -type l | sort)
test -f "$prefix/include/fracbnn/fracbnn.h"
test -f "$prefix/lib/libfracbnn.a"
test -f "$prefix/lib/cmake/fracbnn/fracbnnConfig.cmake"
test -f "$prefix/lib/cmake/fracbnn/fracbnnConfigVersion.cmake"
test -f "$prefix/lib/pkgconfig/fracbnn.pc"
version=$(sed -n 's/^#define FBNN_VERSION_STRING "\([^"]*\)".*/\1/p' include/fracbnn/fracbnn.h)
major=${version%%.*}
soname=$(objdump -p "$prefix/lib/libfracbnn.so" | awk '/SONAME/ {print $2}')
[ "$soname" = "libfracbnn.so.$major" ] || { echo "FAIL: SONAME '$soname', expected libfracbnn.so.$major"; exit 1; }
[ "$(readlink "$prefix/lib/libfracbnn.so.$major")" = "libfracbnn.so.$version" ] ||
  { echo "FAIL: libfracbnn.so.$major does not point to libfracbnn.so.$version"; exit 1; }
echo "SONAME $soname -> libfracbnn.so.$version"

for link in fracbnn::fracbnn fracbnn::fracbnn_static; do
  echo "== find_package(fracbnn CONFIG) + $link =="
  ds=$tmp/ds_${link##*:}
  cmake -S examples/downstream -B "$ds" -DCMAKE_PREFIX_PATH="$prefix" -DFBNN_LINK="$link" >"$tmp/cfg.log" ||
    { cat "$tmp/cfg.log"; exit 1; }
  cmake --build "$ds" >/dev/null
  "$ds/downstream" "$model"
  if [ "$link" = fracbnn::fracbnn ]; then
    ldd "$ds/downstream" | grep -F "$prefix/lib/libfracbnn.so.$major" >/dev/null ||
      { echo "FAIL: not linked against the installed shared library"; ldd "$ds/downstream"; exit 1; }
  else
    ! ldd "$ds/downstream" | grep libfracbnn >/dev/null || { echo "FAIL: static build needs libfracbnn.so"; exit 1; }
  fi
done

echo "== pkg-config --cflags --libs fracbnn (+ rpath), run without LD_LIBRARY_PATH =="
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion fracbnn)" = "$version" ]
# absolute paths under the prefix, nothing relative to the .pc file
cflags=$(pkg-config --cflags fracbnn | sed 's/ *$//')
[ "$cflags" = "-I$prefix/include" ] ||
  { echo "FAIL: pkg-config --cflags gives '$cflags', expected -I$prefix/include"; exit 1; }
[ "$(pkg-config --variable=libdir fracbnn)" = "$prefix/lib" ] ||
  { echo "FAIL: libdir '$(pkg-config --variable=libdir fracbnn)', expected $prefix/lib"; exit 1; }
# shellcheck disable=SC2046
cc -std=c99 -o "$tmp/ds_pc" examples/downstream/main.c $(pkg-config --cflags --libs fracbnn) \
  -Wl,-rpath,"$(pkg-config --variable=libdir fracbnn)"
(unset LD_LIBRARY_PATH; "$tmp/ds_pc" "$model")
(unset LD_LIBRARY_PATH; ldd "$tmp/ds_pc") | grep -F "$prefix/lib/libfracbnn.so.$major" >/dev/null ||
  { echo "FAIL: the pkg-config build does not load the installed libfracbnn.so.$major"; ldd "$tmp/ds_pc"; exit 1; }
# without the rpath the loader does not find the library (why the recipe has it)
# shellcheck disable=SC2046
cc -std=c99 -o "$tmp/ds_pc_norpath" examples/downstream/main.c $(pkg-config --cflags --libs fracbnn)
if (unset LD_LIBRARY_PATH; "$tmp/ds_pc_norpath" "$model") >/dev/null 2>&1; then
  echo "note: the program without rpath ran too (libfracbnn.so.$major is on the loader path of this machine)"
fi
LD_LIBRARY_PATH=$prefix/lib "$tmp/ds_pc_norpath" "$model" >/dev/null
echo "downstream: all builds ok"

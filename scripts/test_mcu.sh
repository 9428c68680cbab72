#!/usr/bin/env bash
# Cortex-M firmware (examples/mcu) under qemu-system-arm on mps2-an386
# (Cortex-M4) and mps3-an547 (Cortex-M55): builds both, runs 200 Fashion-MNIST
# test images from flash, checks exit code 0 (which includes 0 heap calls),
# compares predictions and the logits hash with a host build of the same
# fw_main.c (must be identical), prints accuracy and footprint.
#   MCU_BUILD_PREFIX (default build-mcu) : build dirs <prefix>-m4, <prefix>-m55, <prefix>-host
# Not yet called from scripts/test.sh; instruction counts are not reported yet.
set -euo pipefail
cd "$(dirname "$0")/.."
P=${MCU_BUILD_PREFIX:-build-mcu}
for core in m4 m55; do
  cmake -S . -B "$P-$core" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm-none-eabi.cmake \
        -DFBNN_MCU_CPU=cortex-$core -DFBNN_BARE_METAL=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$P-$core" -j2 >/dev/null
done
G="$P-m4/examples/mcu/gen"
mkdir -p "$P-host"
cmake -S . -B "$P-host" -DFBNN_BUILD_TESTS=OFF -DFBNN_BUILD_CLI=OFF -DFBNN_BUILD_BENCH=OFF >/dev/null
cmake --build "$P-host" -j2 --target fracbnn >/dev/null
${CC:-cc} -O2 -std=c99 -Iinclude -I"$G" -Iexamples/mcu examples/mcu/fw_main.c examples/mcu/host_platform.c \
  "$P-host/libfracbnn.a" -lm -lpthread -o "$P-host/fw_host"
"$P-host/fw_host" > "$P-host/fw_host.txt"
fail=0
for b in m4:mps2-an386 m55:mps3-an547; do
  core=${b%%:*}; board=${b#*:}
  out="$P-$core/fw_$board.txt"
  rc=0
  timeout 300 qemu-system-arm -M "$board" -nographic -semihosting-config enable=on,target=native \
    -kernel "$P-$core/examples/mcu/fw_$board.elf" > "$out" 2>&1 || rc=$?  # semihosting console: stderr
  if [ "$rc" -ne 0 ]; then echo "FAIL $board: exit $rc"; fail=1; continue; fi
  if ! diff -q <(grep -E '^pred|^correct|^logits_fnv' "$P-host/fw_host.txt") \
               <(grep -E '^pred|^correct|^logits_fnv' "$out") >/dev/null; then
    echo "FAIL $board: predictions differ from the host"; fail=1; continue
  fi
  elf="$P-$core/examples/mcu/fw_$board.elf"
  text=$(arm-none-eabi-size -A "$elf" | awk '$1==".text"{print $2}')
  data=$(arm-none-eabi-size -A "$elf" | awk '$1==".data"{print $2}')
  g() { awk -v k="$1" '$1==k{print $2}' "$out"; }
  echo "$board: $(g correct)/$(g images) correct, predictions + logits identical to host ($(grep '^isa' "$P-host/fw_host.txt"))," \
       "isa $(g isa), heap calls $(g heap_calls)"
  echo "  flash: .text+.rodata $text (model $(g model_bytes), code+rodata $((text - $(g model_bytes))))," \
       ".data $data; RAM: descriptor $(g desc_bytes), context $(g context_bytes), stack used $(g stack_used)"
done
exit $fail

#!/usr/bin/env bash
# Cortex-M firmware (examples/mcu) under qemu-system-arm, mps2-an386
# (Cortex-M4) and mps3-an547 (Cortex-M55), two models each:
#   fracbnn : models/fashion_mnist_fracbnn.fbnn (the shipped FracBNN ResNet)
#   small   : models/fashion_mnist_binarynet.fbnn linked into a 256 KiB flash /
#             64 KiB RAM budget (FW_SMALL_PART: the link fails if it does not fit)
# Each firmware classifies 200 Fashion-MNIST test images from flash, twice:
# with the M-profile kernels (ISA auto = "swar") and with the portable C
# reference path (ISA scalar). Checks: exit code 0 (includes 0 heap calls),
# predictions and logits hash identical to a host build of the same
# fw_main.c, for both. Prints accuracy, footprint and instructions per
# inference (qemu -icount shift=0: 1 ns of virtual time per instruction,
# read through SysTick, examples/mcu/mcu_platform.c), per op on request
# (MCU_PER_OP=1).
#   MCU_BUILD_PREFIX (default build-mcu) : build dirs <prefix>-<core>-<model>, <prefix>-host-<model>
set -euo pipefail
cd "$(dirname "$0")/.."
P=${MCU_BUILD_PREFIX:-build-mcu}
fail=0

build_fw() { # core model-name model-file extra-cmake-args...
  local core=$1 name=$2 model=$3; shift 3
  cmake -S . -B "$P-$core-$name" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-arm-none-eabi.cmake \
        -DFBNN_MCU_CPU=cortex-$core -DFBNN_BARE_METAL=ON -DCMAKE_BUILD_TYPE=Release \
        -DFW_MODEL="$PWD/$model" "$@" >/dev/null
  if ! cmake --build "$P-$core-$name" -j2 > "$P-$core-$name/build.log" 2>&1; then
    grep -E "error|overflow" "$P-$core-$name/build.log" | head -20; echo "FAIL: build $core $name"; exit 1
  fi
}

host_ref() { # model-name (needs the m4 build's generated headers)
  local name=$1 G="$P-m4-$1/examples/mcu/gen"
  ${CC:-cc} -O2 -std=c99 -Iinclude -I"$G" -Iexamples/mcu examples/mcu/fw_main.c examples/mcu/host_platform.c \
    "$P-host/libfracbnn.a" -lm -lpthread -o "$P-host/fw_host_$name"
  "$P-host/fw_host_$name" > "$P-host/fw_host_$name.txt"
}

run_fw() { # core board model-name
  local core=$1 board=$2 name=$3 d="$P-$1-$3/examples/mcu" v out rc elf text data insn=() g
  for v in "" _portable; do
    out="$d/fw_$board$v.txt"
    rc=0
    timeout 600 qemu-system-arm -M "$board" -nographic -icount shift=0 \
      -semihosting-config enable=on,target=native -kernel "$d/fw_$board$v.elf" > "$out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then echo "FAIL $board $name$v: exit $rc"; tail -3 "$out"; fail=1; return; fi
    if ! diff -q <(grep -E '^pred|^correct|^logits_fnv' "$P-host/fw_host_$name.txt") \
                 <(grep -E '^pred|^correct|^logits_fnv' "$out") >/dev/null; then
      echo "FAIL $board $name$v: predictions or logits differ from the host"; fail=1; return
    fi
    insn+=("$(awk '$1=="insn_per_image"{print $2}' "$out")")
  done
  out="$d/fw_$board.txt"
  g() { awk -v k="$1" '$1==k{print $2}' "$out"; }
  elf="$d/fw_$board.elf"
  text=$(arm-none-eabi-size -A "$elf" | awk '$1==".text"{print $2}')
  data=$(arm-none-eabi-size -A "$elf" | awk '$1==".data"||$1==".bss"{s+=$2} END{print s}')
  echo "$board ($core) $name: $(g correct)/$(g images) correct; predictions + logits identical to the host for isa $(g isa) and isa scalar; heap calls $(g heap_calls)"
  echo "  flash: code+model $text (model $(g model_bytes)); RAM: descriptor $(g desc_bytes) + context $(g context_bytes) + stack used $(g stack_used) = $(( $(g desc_bytes) + $(g context_bytes) + $(g stack_used) )) (linked .data+.bss $data, stack region $(g stack_size))"
  echo "  instructions per inference: $(g isa) ${insn[0]}, portable C ${insn[1]}: $(awk -v a="${insn[1]}" -v b="${insn[0]}" 'BEGIN{printf "%.2fx fewer", a/b}')"
  if [ "${MCU_PER_OP:-0}" = 1 ]; then
    paste <(grep '^insn_op' "$d/fw_$board${v:-_portable}.txt") <(grep '^insn_op' "$out") |
      awk '{printf "    op %-3s %-15s portable %10s  %s %10s\n", $2, $3, $4, "m-profile", $8}'
  fi
}

for core in m4 m55; do
  build_fw "$core" fracbnn models/fashion_mnist_fracbnn.fbnn
  # The small part at -O2: at -O3 gcc's unrolling and MVE vectorisation
  # make the M55 code about 132 KB against 78 KB, and code + model then
  # overflow 256 KiB with the session-13 binarynet (127 140 bytes).
  build_fw "$core" small models/fashion_mnist_binarynet.fbnn -DFW_SMALL_PART=ON \
           -DFW_ARENA_BYTES=12288 -DFW_DESC_BYTES=4096 -DFW_STACK_BYTES=8192 "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG"
done
mkdir -p "$P-host"
cmake -S . -B "$P-host" -DFBNN_BUILD_TESTS=OFF -DFBNN_BUILD_CLI=OFF -DFBNN_BUILD_BENCH=OFF >/dev/null
cmake --build "$P-host" -j2 --target fracbnn >/dev/null
host_ref fracbnn
host_ref small
echo "host reference: $(grep '^isa' "$P-host/fw_host_fracbnn.txt")"
for b in m4:mps2-an386 m55:mps3-an547; do
  for name in fracbnn small; do run_fw "${b%%:*}" "${b#*:}" "$name"; done
done
exit $fail

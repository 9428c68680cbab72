#!/usr/bin/env bash
# Build the libFuzzer harnesses with clang and run them one after another
# (one job: the machines have 2 shared cores).
#
#   tests/fuzz/run_fuzz.sh [BUILD_DIR] [SECONDS_SCALE]
#
# BUILD_DIR defaults to build-fuzz; SECONDS_SCALE (default 1) multiplies the
# durations below (e.g. 0.1 for a quick smoke run). FUZZ_ONLY="name ..."
# runs only the named campaigns (names as in the run lines at the end).
# A campaign that finds a crash makes the script exit 1 at the end. Working corpora live in
# BUILD_DIR/work/*, crash/leak/timeout reproducers in BUILD_DIR/artifacts/,
# logs in BUILD_DIR/logs/. Reproducers worth keeping go to tests/fuzz/regress/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${1:-$root/build-fuzz}
scale=${2:-1}
secs() { awk -v s="$1" -v k="$scale" 'BEGIN { v = int(s * k); if (v < 1) v = 1; print v }'; }

CC=clang cmake -S "$root" -B "$B" -DFBNN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j2 --target fuzz_model_load fuzz_model_load_crc fuzz_model_file \
  fuzz_image_load fuzz_dataset_load >/dev/null

mkdir -p "$B/work/model" "$B/work/model_crc" "$B/work/model_small" "$B/work/model_file" "$B/work/image" \
  "$B/work/dataset" "$B/artifacts" "$B/logs"
cp -n "$here"/corpus/model/* "$root/models/cifar10_fracbnn.fbnn" "$B/work/model/"
cp -n "$here"/corpus/model/* "$root/models/cifar10_fracbnn.fbnn" "$B/work/model_crc/"
cp -n "$here"/corpus/model/* "$B/work/model_small/"
cp -n "$here"/corpus/model/* "$B/work/model_file/"
cp -n "$here"/corpus/dataset/* "$B/work/dataset/"
cp -n "$here"/corpus/image/* "$here"/corpus/image_min/* "$B/work/image/"
cp -n "$here"/corpus/model_crc_min/* "$B/work/model_small/"
for d in model model_crc image dataset; do
  if compgen -G "$here/regress/$d/*" >/dev/null; then cp -n "$here"/regress/$d/* "$B/work/$d/"; fi
done

common=(-timeout=20 -print_final_stats=1 -artifact_prefix="$B/artifacts/")
fz="$B/tests/fuzz"
found=0
run() { # name binary seconds corpus extra...
  local name=$1 bin=$2 t; t=$(secs "$3"); shift 3
  if [ -n "${FUZZ_ONLY:-}" ] && [[ " $FUZZ_ONLY " != *" $name "* ]]; then return 0; fi
  echo "== $name: $t s"
  "$fz/$bin" -max_total_time="$t" "${common[@]}" "$@" >"$B/logs/$name.log" 2>&1 || {
    found=1
    echo "   FINDING: see $B/logs/$name.log and $B/artifacts/"; tail -40 "$B/logs/$name.log"; }
  grep -E "^stat::(number_of_executed_units|new_units_added)|^#[0-9]+ +DONE" "$B/logs/$name.log" | sed 's/^/   /'
}
run model_raw       fuzz_model_load      60  "$B/work/model" -max_len=131072
run model_crc       fuzz_model_load_crc  120 "$B/work/model_crc" -max_len=131072
run model_crc_small fuzz_model_load_crc  600 "$B/work/model_small" -max_len=8192
run model_file      fuzz_model_file      120 "$B/work/model_file" -max_len=8192
run dataset         fuzz_dataset_load    600 "$B/work/dataset" -max_len=8192
run image           fuzz_image_load      300 "$B/work/image" -rss_limit_mb=2048 -max_len=65536
exit $found

#!/usr/bin/env bash
# CLI robustness: broken inputs must give a clean error, never a crash.
#
#   tests/cli_robustness.sh PATH/TO/fbnn      (run from the repository root)
#
# For every case the `fbnn` process must exit with a status in 1..127 (not
# 0, and not >= 128, i.e. not killed by a signal or a sanitizer abort that
# maps to one), print exactly one line on stderr, and that line must contain
# "error". Sanitizer reports would add lines to stderr, so an ASan/UBSan
# build (cmake -DFBNN_SANITIZE=ON) also fails this script on any report.
# The line must say each thing once: no file argument named twice and no
# three-word phrase repeated ("not a .fbnn model (bad magic): not a .fbnn
# model: ..." was such a line).
set -u
fbnn=${1:?usage: cli_robustness.sh PATH/TO/fbnn}
model=models/cifar10_fracbnn.fbnn
jpeg=examples/images/cat_chelsea.jpg
[ -x "$fbnn" ] || { echo "not executable: $fbnn"; exit 2; }
[ -f "$model" ] || { echo "run from the repository root (no $model)"; exit 2; }
[ -f "$jpeg" ] || jpeg=tests/fuzz/corpus/image/rgb.jpg
[ -f "$jpeg" ] || { echo "no JPEG to cut"; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fbnn_cli_robust.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Stop at the first sanitizer report with a distinctive status, and make
# LeakSanitizer reports count too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:abort_on_error=0:exitcode=99:detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:print_stacktrace=1:halt_on_error=1:exitcode=98"

size() { wc -c <"$1" | tr -d ' '; }
cut_file() { head -c "$2" "$1" >"$3"; }            # cut_file SRC BYTES DST
flip_bit() {                                         # flip_bit FILE OFFSET BIT
  local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "$(printf '\\%03o' $(( b ^ (1 << $3) )))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# --- inputs ---
n_jpeg=$(size "$jpeg")
cut_file "$jpeg" $((n_jpeg / 2)) "$tmp/half.jpg"
cut_file "$jpeg" 200 "$tmp/header_only.jpg"
cut_file "$jpeg" 3 "$tmp/soi_only.jpg"
n_model=$(size "$model")
cut_file "$model" $((n_model / 2)) "$tmp/half.fbnn"
cut_file "$model" 63 "$tmp/short.fbnn"
cut_file "$model" $((n_model - 1)) "$tmp/minus1.fbnn"
cp "$model" "$tmp/flip1.fbnn"; flip_bit "$tmp/flip1.fbnn" 40000 3
cp "$model" "$tmp/flip3.fbnn"; flip_bit "$tmp/flip3.fbnn" 100 0; flip_bit "$tmp/flip3.fbnn" 20000 7
flip_bit "$tmp/flip3.fbnn" $((n_model - 1)) 5
cp "$model" "$tmp/flip_hdr.fbnn"; flip_bit "$tmp/flip_hdr.fbnn" 4 1     # version field
cp "$model" "$tmp/trailing.fbnn"; printf 'x' >>"$tmp/trailing.fbnn"
: >"$tmp/empty.jpg"
: >"$tmp/empty.fbnn"
printf 'This is a text file, not an image.\n' >"$tmp/notes.jpg"
printf 'GIF89a\001\000\001\000\000\000\000;' >"$tmp/tiny.gif"
head -c 3000 /dev/zero >"$tmp/zeros.png"
printf '\211PNG\r\n\032\n' >"$tmp/sig_only.png"
cut_file tests/fuzz/corpus/image/rgb.png 100 "$tmp/half.png" 2>/dev/null || cp "$tmp/sig_only.png" "$tmp/half.png"
mkdir "$tmp/dir.fbnn"
if [ -f tests/data/cifar10_test_first64.bin ]; then
  cut_file tests/data/cifar10_test_first64.bin 5000 "$tmp/cut_batch.bin"
else
  head -c 5000 /dev/zero >"$tmp/cut_batch.bin"
fi

pass=0 fail=0
check() { # check NAME ARGS...
  local name=$1; shift
  "$fbnn" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines bad=""
  lines=$(wc -l <"$tmp/err" | tr -d ' ')
  if [ "$rc" -eq 0 ]; then bad="exit status 0"
  elif [ "$rc" -ge 128 ]; then bad="exit status $rc (signal)"
  elif [ "$rc" -eq 98 ] || [ "$rc" -eq 99 ]; then bad="exit status $rc (sanitizer report)"
  elif [ "$lines" -ne 1 ]; then bad="$lines lines on stderr"
  elif ! grep -q error "$tmp/err"; then bad="stderr has no \"error\""
  else
    local a rep
    for a in "$@"; do
      case "$a" in
        */*) [ "$(grep -o -F -- "$a" "$tmp/err" | wc -l)" -le 1 ] || bad="names '$a' more than once" ;;
      esac
    done
    rep=$(tr -s ' \t' '\n\n' <"$tmp/err" | awk 'NF { w[n++] = $0 } END { for (i = 2; i < n; i++) { t = w[i-2] " " w[i-1] " " w[i]; if (seen[t]++) { print t; exit } } }')
    [ -z "$rep" ] || bad="repeats '$rep'"
  fi
  if [ -n "$bad" ]; then
    fail=$((fail + 1))
    echo "FAIL $name: $bad"
    echo "     command: fbnn $*"
    sed 's/^/     stderr: /' "$tmp/err" | head -30
  else
    pass=$((pass + 1))
    echo "ok   $name (exit $rc): $(cat "$tmp/err")"
  fi
}

# Broken images (classify with the good model).
check "truncated JPEG (half)"        classify "$model" "$tmp/half.jpg"
check "truncated JPEG (headers)"     classify "$model" "$tmp/header_only.jpg"
check "truncated JPEG (SOI only)"    classify "$model" "$tmp/soi_only.jpg"
check "truncated PNG"                classify "$model" "$tmp/half.png"
check "PNG signature only"           classify "$model" "$tmp/sig_only.png"
check "missing image"                classify "$model" "$tmp/no_such_image.jpg"
check "text file named .jpg"         classify "$model" "$tmp/notes.jpg"
check "GIF (unsupported format)"     classify "$model" "$tmp/tiny.gif"
check "zeros named .png"             classify "$model" "$tmp/zeros.png"
check "empty image"                  classify "$model" "$tmp/empty.jpg"
check "directory as image"           classify "$model" "$tmp"
check "model file as image"          classify "$model" "$model"
# Broken models (info, classify and eval all load the model first).
for cmd in info classify eval; do
  extra=()
  [ "$cmd" = classify ] && extra=("$jpeg")
  [ "$cmd" = eval ] && extra=("$tmp/cut_batch.bin")
  check "$cmd: truncated model (half)"  "$cmd" "$tmp/half.fbnn" "${extra[@]}"
  check "$cmd: truncated model (63 B)"  "$cmd" "$tmp/short.fbnn" "${extra[@]}"
  check "$cmd: truncated model (-1 B)"  "$cmd" "$tmp/minus1.fbnn" "${extra[@]}"
  check "$cmd: one flipped bit"         "$cmd" "$tmp/flip1.fbnn" "${extra[@]}"
  check "$cmd: three flipped bits"      "$cmd" "$tmp/flip3.fbnn" "${extra[@]}"
  check "$cmd: flipped version bit"     "$cmd" "$tmp/flip_hdr.fbnn" "${extra[@]}"
  check "$cmd: trailing byte"           "$cmd" "$tmp/trailing.fbnn" "${extra[@]}"
  check "$cmd: missing model"           "$cmd" "$tmp/no_such_model.fbnn" "${extra[@]}"
  check "$cmd: empty model"             "$cmd" "$tmp/empty.fbnn" "${extra[@]}"
  check "$cmd: JPEG as model"           "$cmd" "$jpeg" "${extra[@]}"
  check "$cmd: directory as model"      "$cmd" "$tmp/dir.fbnn" "${extra[@]}"
done
# Broken datasets (eval with the good model).
check "eval: truncated CIFAR batch"  eval "$model" "$tmp/cut_batch.bin"
check "eval: empty dataset"          eval "$model" "$tmp/empty.fbnn"
check "eval: missing dataset"        eval "$model" "$tmp/no_such_batch.bin"
check "eval: JPEG as dataset"        eval "$model" "$jpeg"

echo "cli_robustness: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

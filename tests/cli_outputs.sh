#!/usr/bin/env bash
# `fbnn` outputs meant for scripts and people: --json of info/classify/eval,
# the confusion-matrix PNG, --help of every command, documented exit codes.
#
#   tests/cli_outputs.sh PATH/TO/fbnn      (run from the repository root)
#
# The JSON is parsed by Python's json module and checked against facts
# computed independently here (layer shapes, reference predictions of the
# bundled 64 CIFAR-10 images); the PNG is decoded with PIL and its size and
# cell colours are checked against the documented layout and the JSON counts.
set -euo pipefail
fbnn=${1:?usage: cli_outputs.sh PATH/TO/fbnn}
py=/usr/bin/python3
model=models/cifar10_fracbnn.fbnn
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fbnn_cli_out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

expect_rc() {  # expect_rc CODE CMD...
  local want=$1; shift
  set +e; "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?; set -e
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL: '$*' exited $rc, expected $want"; cat "$tmp/err"; exit 1
  fi
}

# --- help and exit codes ---
expect_rc 0 "$fbnn" --help
grep -q "exit codes" "$tmp/out"
for c in info classify eval; do
  expect_rc 0 "$fbnn" "$c" --help
  grep -q "usage: fbnn $c" "$tmp/out"
done
expect_rc 2 "$fbnn"
expect_rc 2 "$fbnn" frobnicate
expect_rc 2 "$fbnn" info
expect_rc 2 "$fbnn" info "$model" --bogus
expect_rc 2 "$fbnn" classify "$model"
expect_rc 2 "$fbnn" eval "$model"
expect_rc 1 "$fbnn" info "$tmp/missing.fbnn"
expect_rc 1 "$fbnn" classify "$model" "$tmp/missing.png"

# --- a missing positional argument: one line saying which, then the help (exit 2) ---
expect_first_err() {  # expect_first_err LINE: the first stderr line of the last expect_rc
  local got; got=$(head -n 1 "$tmp/err")
  [ "$got" = "$1" ] || { echo "FAIL: first stderr line '$got', expected '$1'"; exit 1; }
}
expect_rc 2 "$fbnn"
expect_first_err "fbnn: error: missing argument COMMAND"
expect_rc 2 "$fbnn" info
expect_first_err "fbnn: error: info: missing argument MODEL"
grep -q "^usage: fbnn info" "$tmp/err"
expect_rc 2 "$fbnn" classify
expect_first_err "fbnn: error: classify: missing argument MODEL"
expect_rc 2 "$fbnn" classify "$model"
expect_first_err "fbnn: error: classify: missing argument IMAGE"
grep -q "^usage: fbnn classify" "$tmp/err"
expect_rc 2 "$fbnn" eval "$model"
expect_first_err "fbnn: error: eval: missing argument DATASET (CIFAR10_BATCH.bin or IMAGES.idx LABELS.idx)"
expect_rc 2 "$fbnn" bench
expect_first_err "fbnn: error: bench: missing argument MODEL"

# --- error lines say each thing once; OS failures carry the OS reason ---
expect_rc 1 "$fbnn" info "$tmp/missing.fbnn"
expect_first_err "fbnn: error: $tmp/missing.fbnn: cannot open: No such file or directory"
expect_rc 1 "$fbnn" classify "$model" "$tmp/missing.png"
expect_first_err "fbnn: error: $tmp/missing.png: cannot open: No such file or directory"
expect_rc 1 "$fbnn" info "$tmp"
expect_first_err "fbnn: error: $tmp: cannot read: Is a directory"
expect_rc 1 "$fbnn" info examples/images/cat_chelsea.jpg
expect_first_err 'fbnn: error: examples/images/cat_chelsea.jpg: not a .fbnn model: magic is not "FBNN"'
head -c 1000 "$model" >"$tmp/cut.fbnn"
expect_rc 1 "$fbnn" info "$tmp/cut.fbnn"
expect_first_err "fbnn: error: $tmp/cut.fbnn: model truncated: 1000 of $(wc -c <"$model" | tr -d ' ') bytes present"
cp "$model" "$tmp/long.fbnn"; printf 'x' >>"$tmp/long.fbnn"   # field-level message: the status says what kind
expect_rc 1 "$fbnn" info "$tmp/long.fbnn"
expect_first_err "fbnn: error: $tmp/long.fbnn: invalid model header or table layout: model has $(wc -c <"$tmp/long.fbnn" | tr -d ' ') bytes but its header declares $(wc -c <"$model" | tr -d ' ')"
expect_rc 3 "$fbnn" eval "$model" tests/data/cifar10_test_first64.bin --confusion-png "$tmp/no/such/dir.png"
# --repeat: N timed passes, median throughput; the same accuracy as one pass
expect_rc 2 "$fbnn" eval "$model" tests/data/cifar10_test_first64.bin --repeat 0
expect_rc 2 "$fbnn" eval "$model" tests/data/cifar10_test_first64.bin --repeat
expect_rc 0 "$fbnn" eval "$model" tests/data/cifar10_test_first64.bin --repeat 3 --threads 2 --batch 16
grep -q "^throughput: [0-9]* images/s (median of 3 passes, min [0-9]*, max [0-9]*; 2 threads, batch 16" "$tmp/out"
grep "^correct:" "$tmp/out" >"$tmp/correct3"
expect_rc 0 "$fbnn" eval "$model" tests/data/cifar10_test_first64.bin
grep "^correct:" "$tmp/out" | cmp - "$tmp/correct3"
expect_rc 0 "$fbnn" --version
grep -q "^fbnn [0-9]*\.[0-9]*\.[0-9]*$" "$tmp/out"

# --- info --json ---
"$fbnn" info "$model" --json >"$tmp/info.json"
"$py" - "$tmp/info.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
L = d["layers"]
assert d["input"] == {"channels": 3, "height": 32, "width": 32, "invert": 0, "resize_mode": 0,
                      "therm_resolution": 8, "therm_bits": 32}, d["input"]
assert len(d["classes"]) == 10 and d["classes"][3] == "cat"
assert [l["index"] for l in L] == list(range(len(L)))
# first binary conv: 96 thermometer bit-planes -> 16 x 32 x 32, 3x3
b = L[1]
assert b["op"] == "bconv" and b["in"]["shape"] == [96, 32, 32] and b["out"]["shape"] == [16, 32, 32]
assert b["binops"] == 16 * 32 * 32 * 96 * 9, b
for l in L:
    if l["op"] == "pgconv":
        c, h, w = l["out"]["shape"]
        assert l["binops"] == l["lsb_binops_max"] == c * h * w * l["in"]["shape"][0] * l["k"] ** 2
    if l["op"] == "fc":
        assert l["flops"] == l["in"]["shape"][0] * l["out"]["shape"][0]
assert d["totals"]["binops"] == sum(l["binops"] for l in L)
assert d["weight_bytes"] == sum(l["param_bytes"] for l in L), (d["weight_bytes"], sum(l["param_bytes"] for l in L))
print("info --json ok:", len(L), "layers,", d["totals"]["binops"], "binops")
PY

# --- classify --json ---
set +e
"$fbnn" classify "$model" examples/images/cat_chelsea.jpg "$tmp/missing.png" -k 3 --json >"$tmp/cls.json" 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "FAIL: classify with one missing image exited $rc"; exit 1; }
"$py" - "$tmp/cls.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert len(r) == 2 and "error" in r[1] and "top" not in r[1]
top = r[0]["top"]
assert len(top) == 3 and top[0]["label"] == "cat", top
p = [t["probability"] for t in top]
assert p == sorted(p, reverse=True) and 0 < sum(p) <= 1 + 1e-6
print("classify --json ok:", top[0])
PY

# --- eval --json + --confusion-png on the bundled 64 CIFAR-10 test images ---
"$fbnn" eval "$model" tests/data/cifar10_test_first64.bin --json --confusion-png "$tmp/cm.png" >"$tmp/eval.json"
"$py" - "$tmp/eval.json" "$tmp/cm.png" tests/data/cifar10_test_first64.bin tests/data/cifar10_ref_predictions.txt <<'PY'
import json, sys
from PIL import Image
d = json.load(open(sys.argv[1]))
recs = open(sys.argv[3], "rb").read()
labels = [recs[i * 3073] for i in range(len(recs) // 3073)]
preds = [int(x) for x in open(sys.argv[4]).read().split()][:len(labels)]
n = len(d["classes"])
cm = [[0] * n for _ in range(n)]
for t, p in zip(labels, preds):
    cm[t][p] += 1
assert d["images"] == len(labels) == 64
assert d["confusion"] == cm, "confusion matrix differs from the reference predictions"
assert d["correct"] == sum(cm[i][i] for i in range(n))
assert abs(d["accuracy"] - d["correct"] / 64) < 1e-6
# PNG layout (tools/cli/cmd_eval.c): scale 2 font (6x8 cell), 56 px cells, margin 16, gap 8
S, CELL, M, G = 2, 56, 16, 8
tw = lambda s: (len(s) * 6 - 1) * S
label_w = max(tw("%d %s" % (i, c)) for i, c in enumerate(d["classes"]))
left = M + label_w + G
top = M + 2 * 8 * S + G + 8 * S
width = max(left + n * CELL + M, M + max(tw("ROWS: TRUE CLASS, COLUMNS: PREDICTED"),
            tw("%d IMAGES, TOP-1 ACCURACY %.2f %%" % (64, 100.0 * d["correct"] / 64))) + M)
height = top + n * CELL + M
im = Image.open(sys.argv[2])
im.verify()
im = Image.open(sys.argv[2]).convert("RGB")
assert im.size == (width, height), (im.size, (width, height))
def heat(t):
    return tuple(int(255 + (e - 255) * t + 0.5) for e in (8, 48, 107))
for i in range(n):
    row = sum(cm[i])
    for j in range(n):
        t = cm[i][j] / row if row else 0.0
        px = im.getpixel((left + j * CELL + 3, top + i * CELL + 3))  # inside the cell, off the digits
        assert px == heat(t), (i, j, px, heat(t))
print("eval --json and confusion PNG ok: %dx%d, %d/64 correct" % (width, height, d["correct"]))
PY
echo "cli outputs: all checks passed"

#!/usr/bin/env bash
# fbnn bench --chart: the PNG has one bar row per op of the model (count and
# op kinds taken independently from `fbnn info --json`), conv bars blue,
# others grey, the longest bar 480 px; --chart with --no-layers is a usage error.
set -euo pipefail
FBNN=$1
OUT=${2:-/tmp}/bench_chart_$$.png
M=models/cifar10_fracbnn.fbnn
trap 'rm -f "$OUT" "$OUT.json"' EXIT
"$FBNN" info "$M" --json > "$OUT.json"
"$FBNN" bench "$M" --iters 1 --batch 4 --chart "$OUT" > /dev/null
set +e
"$FBNN" bench "$M" --no-layers --chart "$OUT.x" > /dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || { echo "expected exit 2 for --chart with --no-layers, got $rc"; exit 1; }
/usr/bin/python3 - "$OUT" "$OUT.json" <<'PY'
import json, sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
layers = json.load(open(sys.argv[2]))["layers"]
TOP, ROW, BAR_X, BAR_MAX = 28, 12, 160, 480
assert im.size == (760, TOP + ROW * len(layers) + 8), im.size
blue, grey = (40, 90, 200), (150, 150, 150)
longest = 0
for i, l in enumerate(layers):
    y = TOP + ROW * i + ROW // 2
    want = blue if l["op"] in ("bconv", "pgconv") else grey
    got = im.getpixel((BAR_X, y))
    assert got == want, (i, l["op"], got)
    n = 0
    while BAR_X + n < im.size[0] and im.getpixel((BAR_X + n, y)) == want:
        n += 1
    longest = max(longest, n)
assert longest == BAR_MAX, longest
print("bench chart ok: %d rows, longest bar %d px" % (len(layers), longest))
PY

#!/usr/bin/env bash
# Issue 17: `fbnn classify` with the 224x224 ImageNet model (made by the
# ctest fixture imagenet_model_setup, tests/imagenet_golden.sh) on tiny and
# huge images, and a clear error on truncated ones.
#
#   tests/cli_classify_imagenet.sh PATH/TO/fbnn WORKDIR    (from the repository root)
#
# Images are made here with PIL (Debian's /usr/bin/python3):
#  - one colour as a 1x1 PNG, a 3x5 PNG and a 4000x3000 PNG: after any
#    correct resize + centre crop all three are the same 224x224 input, so
#    the JSON logits of the three must be identical (and the run must work);
#  - a 1x1 and a 4000x3000 JPEG of a gradient with noise: top-5 printed,
#    exit 0;
#  - the 4000x3000 JPEG and PNG cut in half, and a PNG cut after its header:
#    exit status 1..127, one stderr line that says "error" and names the file;
#  - the 8 MB model itself cut in half, with one byte flipped at 5 MB and with
#    bytes appended: `fbnn info` must refuse each the same way.
set -u
fbnn=${1:?usage: cli_classify_imagenet.sh PATH/TO/fbnn WORKDIR}
model=${2:?usage: cli_classify_imagenet.sh PATH/TO/fbnn WORKDIR}/model/model.fbnn
[ -f "$model" ] || { echo "FAIL: no $model (the fixture imagenet_model_setup did not run)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fbnn_cls_imnet.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:abort_on_error=0:exitcode=99:detect_leaks=1"
fail=0

/usr/bin/python3 - "$tmp" <<'EOF' || { echo "FAIL: cannot make the images"; exit 1; }
import sys
import numpy as np
from PIL import Image
d = sys.argv[1]
col = (143, 61, 200)
for w, h in ((1, 1), (3, 5), (4000, 3000)):
    Image.new("RGB", (w, h), col).save("%s/flat_%dx%d.png" % (d, w, h))
rng = np.random.default_rng(17)
yy, xx = np.mgrid[0:3000, 0:4000]
big = np.stack([(xx * 255 // 3999), (yy * 255 // 2999), ((xx + yy) % 256)], -1).astype(np.int16)
big = np.clip(big + rng.integers(-20, 21, big.shape), 0, 255).astype(np.uint8)
Image.fromarray(big).save(d + "/huge_4000x3000.jpg", quality=85)
Image.fromarray(big).save(d + "/huge_4000x3000.png", compress_level=1)
Image.fromarray(big[:1, :1]).save(d + "/tiny_1x1.jpg", quality=90)
Image.fromarray(big[:5, :3]).save(d + "/tiny_3x5.jpg", quality=90)
EOF

# 1. the same colour at 1x1, 3x5 and 4000x3000: identical logits
logits() {
    "$fbnn" classify "$model" "$1" -k 1000 --json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["results"][0]
print(" ".join("%d:%.9g" % (t["index"], t["logit"]) for t in sorted(r["top"], key=lambda t: t["index"])))'
}
ref=$(logits "$tmp/flat_1x1.png") || { echo "FAIL: classify flat 1x1 PNG"; fail=1; }
[ "$(echo "$ref" | wc -w)" -eq 1000 ] || { echo "FAIL: expected 1000 logits for the 1x1 PNG"; fail=1; }
for f in flat_3x5.png flat_4000x3000.png; do
    got=$(logits "$tmp/$f") || { echo "FAIL: classify $f"; fail=1; continue; }
    [ "$got" = "$ref" ] || { echo "FAIL: $f: logits differ from the 1x1 image of the same colour"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: one colour at 1x1, 3x5 and 4000x3000: identical logits"

# 2. tiny and huge JPEGs (and the huge PNG): a top-5 of ImageNet labels
for f in tiny_1x1.jpg tiny_3x5.jpg huge_4000x3000.jpg huge_4000x3000.png; do
    out=$("$fbnn" classify "$model" "$tmp/$f" -k 5 2>&1); rc=$?
    if [ $rc -ne 0 ] || [ "$(echo "$out" | grep -c ' %  ')" -ne 5 ]; then
        echo "FAIL: classify $f (exit $rc):"; echo "$out"; fail=1
    else
        echo "ok: $f -> $(echo "$out" | sed -n 2p | sed 's/^ *//')"
    fi
done

# 3. truncated images: a clear error naming the file, no crash
n=$(wc -c <"$tmp/huge_4000x3000.jpg"); head -c $((n / 2)) "$tmp/huge_4000x3000.jpg" >"$tmp/cut.jpg"
n=$(wc -c <"$tmp/huge_4000x3000.png"); head -c $((n / 2)) "$tmp/huge_4000x3000.png" >"$tmp/cut.png"
head -c 40 "$tmp/huge_4000x3000.png" >"$tmp/cut_header.png"
for f in cut.jpg cut.png cut_header.png; do
    "$fbnn" classify "$model" "$tmp/$f" >/dev/null 2>"$tmp/err"; rc=$?
    if [ $rc -lt 1 ] || [ $rc -gt 127 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q error "$tmp/err" ||
       ! grep -q "$f" "$tmp/err"; then
        echo "FAIL: truncated $f: exit $rc, stderr:"; cat "$tmp/err"; fail=1
    else
        echo "ok: truncated $f: exit $rc: $(cat "$tmp/err")"
    fi
done

# 4. corrupt copies of the 8 MB model
n=$(wc -c <"$model")
head -c $((n / 2)) "$model" >"$tmp/half.fbnn"
cp "$model" "$tmp/flip.fbnn"
b=$(od -An -tu1 -j 5242880 -N1 "$model" | tr -d ' ')
printf "$(printf '\\%03o' $(( b ^ 16 )))" | dd of="$tmp/flip.fbnn" bs=1 seek=5242880 conv=notrunc status=none
cmp -s "$model" "$tmp/flip.fbnn" && { echo "FAIL: the byte flip did not change the model"; fail=1; }
{ cat "$model"; printf 'trailing'; } >"$tmp/long.fbnn"
for f in half.fbnn flip.fbnn long.fbnn; do
    "$fbnn" info "$tmp/$f" >/dev/null 2>"$tmp/err"; rc=$?
    if [ $rc -lt 1 ] || [ $rc -gt 127 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -q error "$tmp/err"; then
        echo "FAIL: corrupt model $f: exit $rc, stderr:"; cat "$tmp/err"; fail=1
    else
        echo "ok: corrupt model $f: exit $rc: $(cat "$tmp/err")"
    fi
done
"$fbnn" info "$model" | grep -q '^sizes:' || { echo "FAIL: fbnn info on the intact model"; fail=1; }
exit $fail

#!/usr/bin/env bash
# examples/classify on the bundled sample images (examples/images/).
#
#   tests/examples_test.sh PATH/TO/classify PATH/TO/fbnn   (from the repository root)
#
# Native-size and 3x pixel-replicated PNGs carry exactly the dataset pixels
# through the preprocessing, so their best class must be the class that the
# C library's evaluation of the same test image predicts
# (tests/data/*_predictions.txt), and their logits must be bit-identical to
# each other. The bicubic JPEGs only have to classify cleanly (5 lines,
# probabilities descending).
set -euo pipefail
classify=${1:?usage: examples_test.sh CLASSIFY FBNN}
fbnn=${2:?usage: examples_test.sh CLASSIFY FBNN}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fbnn_examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
for f in examples/images/cifar10_*.png examples/images/fmnist_*.png examples/images/*.jpg; do
  case $f in
    *fmnist_*) model=models/fashion_mnist_fracbnn.fbnn; preds=tests/data/fmnist_test_predictions.txt ;;
    *) model=models/cifar10_fracbnn.fbnn; preds=tests/data/cifar10_ref_predictions.txt ;;
  esac
  [ -f "$model" ] || continue
  "$classify" "$model" "$f" >"$tmp/out"
  [ "$(wc -l <"$tmp/out")" -eq 5 ] || { echo "FAIL: $f: expected 5 lines"; cat "$tmp/out"; exit 1; }
  sort -k1,1 -g -r -s "$tmp/out" | cmp -s - "$tmp/out" || { echo "FAIL: $f: not sorted"; exit 1; }
  case $f in
    *.png)
      idx=$(basename "$f" | sed -E 's/^[a-z0-9]+_0*([0-9]+)_.*/\1/')
      want=$(sed -n "$((idx + 1))p" "$preds")
      [ -f "$tmp/$(basename "$model").classes" ] ||
        "$fbnn" info "$model" --json | /usr/bin/python3 -c "import json,sys; print('\n'.join(json.load(sys.stdin)['classes']))" \
          >"$tmp/$(basename "$model").classes"
      label=$(sed -n "$((want + 1))p" "$tmp/$(basename "$model").classes")
      got=$(head -n 1 "$tmp/out" | sed -E 's/^ *[0-9.]+ %  //')
      [ "$got" = "$label" ] || { echo "FAIL: $f: top class '$got', evaluation predicts '$label'"; exit 1; }
      "$fbnn" classify "$model" "$f" -k 100 --json >"$tmp/$(basename "$f").json"
      ;;
  esac
  echo "ok  $f: $(head -n 1 "$tmp/out")"
  n=$((n + 1))
done
# native vs 3x: identical logits
for a in "$tmp"/*_32x32.png.json "$tmp"/*_28x28.png.json; do
  [ -f "$a" ] || continue
  b=$(ls "${a%_*x*.png.json}"_*x*.png.json | grep -v "$(basename "$a")")
  /usr/bin/python3 - "$a" "$b" <<'PY'
import json, sys
t = [json.load(open(p))["results"][0]["top"] for p in sys.argv[1:3]]
assert t[0] == t[1], "logits differ between %s and %s" % tuple(sys.argv[1:3])
PY
done
[ "$n" -ge 12 ] || { echo "FAIL: only $n sample images checked"; exit 1; }
echo "examples: $n images ok"

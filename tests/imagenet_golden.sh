#!/bin/sh
# Issue 17, exactness of the ImageNet FracBNN (224x224, 13 blocks, 8 MB).
#
#   sh tests/imagenet_golden.sh setup WORKDIR
#       Makes WORKDIR/model/: a random-weight ImageNet model with the authors'
#       key layout, BatchNorm statistics and PG gate thresholds calibrated on
#       the 18 real photos of scripts/get_test_photos.sh, converted with
#       tools/convert_official.py --imagenet, plus the golden logits of the
#       toolkit's float32 reference forward on the photos and 2 random images
#       (tools/make_imagenet_testmodel.py, Debian's /usr/bin/python3 with
#       torch, numpy, PIL). About 2 CPU-minutes, so the result is kept and
#       only remade when a generator source or a photo changes (the key is a
#       SHA-256 of them). Exit 77 (ctest: skipped) only when the photos cannot
#       be had (no python3-skimage installed and apt-get cannot download it).
#   sh tests/imagenet_golden.sh check WORKDIR TEST_GOLDEN_DIR [K]
#       tests/test_golden_dir on that model for every ISA this CPU runs
#       (FBNN_TEST_ISA; the others exit 77 and are skipped) and 1, 2, 3
#       threads: thread count t checks the inputs i with i % K == t - 1
#       (K = 3 by default: every input through every ISA, each in one of the
#       thread counts; a sanitizer build passes K = 9 to check a third).
#       Every logit must be bit-identical (memcmp).
set -eu
mode=${1:?usage: imagenet_golden.sh setup|check WORKDIR ...}
work=${2:?usage: imagenet_golden.sh setup|check WORKDIR ...}
model=$work/model

if [ "$mode" = setup ]; then
    mkdir -p "$work"
    if [ "$(ls "$work/photos" 2>/dev/null | wc -l)" -lt 18 ]; then
        rm -rf "$work/photos"
        if ! sh scripts/get_test_photos.sh "$work/photos"; then
            echo "imagenet_golden: cannot get the test photos (python3-skimage): skipped"
            rm -rf "$work/photos"
            exit 77
        fi
    fi
    key=$( (cat tools/make_imagenet_testmodel.py tools/fracbnn_mobile_export.py tools/convert_official.py \
                tools/fbnn_format.py tools/fbnn_ops.py tools/fbnn_ops12.py tools/fracbnn_torch/*.py;
            sha256sum "$work"/photos/* | sed 's/ .*//') | sha256sum | sed 's/ .*//')
    if [ -f "$model/key" ] && [ "$(cat "$model/key")" = "$key" ] && [ -f "$model/golden_logits.f32" ]; then
        echo "imagenet_golden: $model is up to date (key $key)"
    else
        rm -rf "$model"
        nice -n 10 /usr/bin/python3 tools/make_imagenet_testmodel.py "$model" --photos "$work/photos" --random 2
        echo "$key" >"$model/key"
    fi
    # The issue's conditions on the test model: >= 16 real photos, a 5+ MB
    # model, and the LSB pass firing on 30-50 % of the PG outputs.
    nph=$(grep -c . "$model/photos.txt")
    size=$(wc -c <"$model/model.fbnn")
    fired=$(sed -n 's/^total [0-9]* [0-9]* //p' "$model/stats.txt")
    echo "imagenet_golden: $nph photos, model $size bytes, LSB fired on a fraction $fired of the PG outputs"
    [ "$nph" -ge 16 ] || { echo "FAIL: fewer than 16 photos"; exit 1; }
    [ "$size" -gt 5242880 ] || { echo "FAIL: model smaller than 5 MB"; exit 1; }
    awk -v f="$fired" 'BEGIN { exit !(f >= 0.30 && f <= 0.50) }' || { echo "FAIL: LSB share outside 30-50 %"; exit 1; }
    exit 0
fi

[ "$mode" = check ] || { echo "unknown mode $mode"; exit 2; }
tgd=${3:?usage: imagenet_golden.sh check WORKDIR TEST_GOLDEN_DIR [K]}
k=${4:-3}
[ -f "$model/golden_logits.f32" ] || { echo "FAIL: no $model (the setup test did not run)"; exit 1; }
ran=""
for isa in scalar popcnt swar avx2 avx512 avx512bw neon; do
    for th in 1 2 3; do
        rc=0
        FBNN_TEST_ISA=$isa FBNN_TEST_THREADS=$th FBNN_TEST_SUBSET=$k:$((th - 1)) "$tgd" "$model/" || rc=$?
        [ "$rc" -eq 77 ] && continue 2
        [ "$rc" -eq 0 ] || { echo "FAIL: ISA $isa, $th threads"; exit 1; }
    done
    ran="$ran $isa"
done
echo "imagenet_golden: bit-identical with ISAs$ran x threads 1 2 3"
case "$ran" in *scalar*) ;; *) echo "FAIL: the scalar reference did not run"; exit 1 ;; esac

#!/bin/sh
# Copy 18 real photographs of the scikit-image sample data (BSD-3-Clause;
# see examples/images/NOTICE.md) into DIR, for the ImageNet exactness test
# (tests/imagenet_golden.sh, tools/make_imagenet_testmodel.py).
# They come from Debian's python3-skimage package: from the installed package
# when it is there (scripts/setup.sh installs it with the test toolchain, so
# the test then needs no network), otherwise the package is downloaded with
# apt-get download (not installed; no root needed unless the apt lists are
# missing) and unpacked with dpkg-deb into a temporary directory.
#   sh scripts/get_test_photos.sh DIR
set -e
dir=${1:?usage: get_test_photos.sh DIR}
files="astronaut.png brick.png camera.png cell.png chelsea.png clock_motion.png coffee.png coins.png
       grass.png gravel.png hubble_deep_field.jpg ihc.png moon.png motorcycle_left.png
       motorcycle_right.png page.png retina.jpg rocket.jpg"
src=/usr/lib/python3/dist-packages/skimage/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -f "$src/rocket.jpg" ]; then
    (cd "$tmp" && (apt-get download python3-skimage >/dev/null 2>&1 ||
                   { apt-get update -qq >/dev/null 2>&1; apt-get download python3-skimage >/dev/null; }))
    dpkg-deb -x "$tmp"/python3-skimage_*.deb "$tmp/x"
    src="$tmp/x/usr/lib/python3/dist-packages/skimage/data"
fi
mkdir -p "$dir"
for f in $files; do
    cp "$src/$f" "$dir/$f"
done
echo "$(ls "$dir" | wc -l) photos in $dir (from $(dirname "$(dirname "$src")" | sed "s|$tmp/x|the downloaded package: |"))"

#!/bin/sh
# Extract 18 real photographs from Debian's python3-skimage package (the
# scikit-image sample data, BSD-3-Clause; see examples/images/NOTICE.md) into
# DIR, for the ImageNet exactness test (tools/make_imagenet_testmodel.py).
# The package is downloaded with apt-get (not installed) and unpacked with
# dpkg-deb into a temporary directory.
#   sh scripts/get_test_photos.sh DIR
set -e
dir=${1:?usage: get_test_photos.sh DIR}
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && (apt-get download python3-skimage >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1; apt-get download python3-skimage >/dev/null; }))
dpkg-deb -x "$tmp"/python3-skimage_*.deb "$tmp/x"
src="$tmp/x/usr/lib/python3/dist-packages/skimage/data"
for f in astronaut.png brick.png camera.png cell.png chelsea.png clock_motion.png coffee.png coins.png \
         grass.png gravel.png hubble_deep_field.jpg ihc.png moon.png motorcycle_left.png \
         motorcycle_right.png page.png retina.jpg rocket.jpg; do
    cp "$src/$f" "$dir/$f"
done
echo "$(ls "$dir" | wc -l) photos in $dir"

#!/usr/bin/env bash
# The main job: set up, build, and classify the bundled photo with the bundled
# FracBNN CIFAR-10 model (and, when the shared CIFAR-10 test images are
# present, evaluate the model on them).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
./build/fbnn classify models/cifar10_fracbnn.fbnn examples/images/cat_chelsea.jpg
if [ -f ../shared/data/cifar10_test_846.bin ]; then
  ./build/fbnn eval models/cifar10_fracbnn.fbnn ../shared/data/cifar10_test_846.bin
fi

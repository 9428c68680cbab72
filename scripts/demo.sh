#!/usr/bin/env bash
# The main job: set up, build, and classify the bundled photo with the bundled
# FracBNN CIFAR-10 model (and, when the shared CIFAR-10 test images are
# present, evaluate the model on them).
#
# Installs and builds only what this needs (scripts/setup.sh --minimal: the
# library and the fbnn CLI, build output in build/setup.log);
# scripts/test.sh sets up and builds everything else.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --minimal
./build/fbnn classify models/cifar10_fracbnn.fbnn examples/images/cat_chelsea.jpg
if [ -f ../shared/data/cifar10_test_846.bin ]; then
  echo
  echo "Evaluation on 846 real CIFAR-10 test images (the first 846 of the official test batch, labelled; ../shared/data/cifar10_test_846.bin):"
  ./build/fbnn eval models/cifar10_fracbnn.fbnn ../shared/data/cifar10_test_846.bin
fi

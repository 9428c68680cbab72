#!/usr/bin/env python3
"""Write the sample images of examples/images/ from real test sets.

    /usr/bin/python3 tools/make_sample_images.py [--cifar PATH] [--fmnist PATH] [--out DIR]

CIFAR-10: records of the CIFAR-10 test set (binary batch format, 1 label byte
+ 3x32x32 planar RGB), by default ../shared/data/cifar10_test_846.bin.
Fashion-MNIST: t10k-images-idx3-ubyte.gz of the official test split.

Each picked image is written
  - at its native size as PNG (lossless: `fbnn classify` reproduces the
    dataset pixels exactly, so it must predict what `fbnn eval` predicts);
  - upscaled 3x by pixel replication as PNG (area averaging back down to the
    model input is again exact, so the prediction must be the same too);
  - upscaled 4x with bicubic interpolation as JPEG quality 92 (a "photo":
    lossy and resampled, so only the classification is shown, not checked).
Fashion-MNIST images are stored as dark garments on a white page (255 - p),
i.e. the way a product photo looks; the Fashion-MNIST model's metadata says
`invert`, so the input pipeline turns them back into the training polarity.
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image

CIFAR_LABELS = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
FMNIST_LABELS = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                 "ankle_boot"]
CIFAR_PICK = [0, 1, 4, 6]   # test-set indices: cat, ship, frog, automobile
FMNIST_PICK = [0, 1, 2, 8]  # ankle boot, pullover, trouser, sandal


def save_variants(img, stem, out):
    """img: PIL image at native size. Writes 3 files, returns their names."""
    w, h = img.size
    names = []
    name = "%s_%dx%d.png" % (stem, w, h)
    img.save(os.path.join(out, name), optimize=True)
    names.append(name)
    big = img.resize((3 * w, 3 * h), Image.NEAREST)
    name = "%s_%dx%d.png" % (stem, 3 * w, 3 * h)
    big.save(os.path.join(out, name), optimize=True)
    names.append(name)
    photo = img.resize((4 * w, 4 * h), Image.BICUBIC)
    name = "%s_%dx%d.jpg" % (stem, 4 * w, 4 * h)
    photo.save(os.path.join(out, name), quality=92)
    names.append(name)
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cifar", default="../shared/data/cifar10_test_846.bin")
    ap.add_argument("--fmnist", default="/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    ap.add_argument("--fmnist-labels", default="/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
    ap.add_argument("--out", default="examples/images")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    raw = np.fromfile(a.cifar, dtype=np.uint8).reshape(-1, 3073)
    for i in CIFAR_PICK:
        label = int(raw[i, 0])
        rgb = raw[i, 1:].reshape(3, 32, 32).transpose(1, 2, 0)
        names = save_variants(Image.fromarray(rgb, "RGB"), "cifar10_%03d_%s" % (i, CIFAR_LABELS[label]), a.out)
        print("CIFAR-10 test #%d (%s):" % (i, CIFAR_LABELS[label]), " ".join(names))

    with gzip.open(a.fmnist) as f:
        buf = f.read()
    n, h, w = (int.from_bytes(buf[k:k + 4], "big") for k in (4, 8, 12))
    images = np.frombuffer(buf, dtype=np.uint8, offset=16).reshape(n, h, w)
    with gzip.open(a.fmnist_labels) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    for i in FMNIST_PICK:
        label = int(labels[i])
        page = Image.fromarray(255 - images[i], "L")
        names = save_variants(page, "fmnist_%04d_%s" % (i, FMNIST_LABELS[label]), a.out)
        print("Fashion-MNIST test #%d (%s):" % (i, FMNIST_LABELS[label]), " ".join(names))


if __name__ == "__main__":
    main()

"""Fashion-MNIST loading (Debian's dataset-fashion-mnist IDX files), seeded
train/validation split and light uint8 augmentation."""
import gzip
import os

import numpy as np
import torch

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
FMNIST_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
SPLIT_SEED = 20240503


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims).copy()


def load_split(split, root=FMNIST_DIR):
    """split: 'train' (60000) or 'test' (10000). Returns uint8 [N,1,28,28], int64 [N]."""
    pre = "train" if split == "train" else "t10k"
    x = _read_idx(os.path.join(root, pre + "-images-idx3-ubyte.gz"))
    y = _read_idx(os.path.join(root, pre + "-labels-idx1-ubyte.gz"))
    return x[:, None], y.astype(np.int64)


def train_val_split(n_val=5000, seed=SPLIT_SEED, root=FMNIST_DIR):
    """Seeded hold-out of n_val training images. Returns (xtr, ytr, xval, yval)."""
    x, y = load_split("train", root)
    perm = np.random.RandomState(seed).permutation(len(x))
    va, tr = perm[:n_val], perm[n_val:]
    return x[tr], y[tr], x[va], y[va]


def augment(xb, gen, pad=2, flip=True):
    """Random crop with zero padding and horizontal flip on uint8 [N,C,H,W]."""
    n, c, h, w = xb.shape
    if pad > 0:
        xp = torch.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=xb.dtype)
        xp[:, :, pad:pad + h, pad:pad + w] = xb
        off = torch.randint(0, 2 * pad + 1, (n, 2), generator=gen)
        out = torch.empty_like(xb)
        for i in range(n):
            oy, ox = int(off[i, 0]), int(off[i, 1])
            out[i] = xp[i, :, oy:oy + h, ox:ox + w]
        xb = out
    if flip:
        f = torch.rand(n, generator=gen) < 0.5
        xb = xb.clone()
        xb[f] = xb[f].flip(-1)
    return xb

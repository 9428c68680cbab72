#!/usr/bin/python3
"""Evaluate a .fbnn model on a large labelled image set across worker
processes with Dask (dask.distributed), through the fracbnn Python package.

  PYTHONPATH=build/python /usr/bin/python3 examples/python/dask_eval.py \\
      models/fashion_mnist_binarynet.fbnn \\
      /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \\
      /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --workers 2
  ... examples/python/dask_eval.py models/cifar10_fracbnn.fbnn /work/shared/data/cifar10_test_846.bin

Datasets: a CIFAR-10 binary batch (3073-byte records), or IDX image + label
files (MNIST / Fashion-MNIST, plain or .gz) - the formats of `fbnn eval`.
Without --scheduler a LocalCluster of --workers processes (one fracbnn
thread each by default) is started; with --scheduler tcp://HOST:8786 the
same code runs on an existing cluster, whose workers must be able to
`import fracbnn` (cmake --install, or pip install of this source tree).

The driver reads the images, cuts them into chunks and scatters them; the
model file's bytes are broadcast once and each worker process loads them
with fracbnn.Model.from_bytes once (cached by digest). Printed: images,
accuracy, images/s (wall time from the first submit to the last result,
cluster start-up and file reading excluded).
Interpreter: Debian's /usr/bin/python3 with python3-dask, python3-distributed
and python3-numpy (scripts/setup.sh installs them).
"""
import argparse
import gzip
import hashlib
import os
import struct
import sys
import time
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def read_dataset(images, labels=None):
    """uint8 images [N, C, H, W] and int64 labels [N] from CIFAR-10 binary or IDX files."""
    if labels is None:
        raw = np.fromfile(images, dtype=np.uint8)
        if raw.size % 3073:
            raise ValueError("%s: not a CIFAR-10 binary batch (size is not a multiple of 3073)" % images)
        raw = raw.reshape(-1, 3073)
        return np.ascontiguousarray(raw[:, 1:].reshape(-1, 3, 32, 32)), raw[:, 0].astype(np.int64)
    x, y = _idx(images), _idx(labels)
    if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
        raise ValueError("%s / %s: expected IDX images [N,H,W] and labels [N]" % (images, labels))
    return np.ascontiguousarray(x[:, None]), y.astype(np.int64)


def _idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or dtype != 0x08:
        raise ValueError("%s: not an unsigned-byte IDX file" % path)
    dims = struct.unpack_from(">%dI" % ndim, data, 4)
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _worker_models():
    """The worker process's digest -> fracbnn.Model cache. It lives in a module
    registered in sys.modules because this file's functions reach the workers
    pickled by value (cloudpickle), so a global here would be a fresh copy per task."""
    mod = sys.modules.get("_fracbnn_dask_models")
    if mod is None:
        mod = types.ModuleType("_fracbnn_dask_models")
        mod.models = {}
        mod = sys.modules.setdefault("_fracbnn_dask_models", mod)
    return mod.models


def classify_chunk(digest, model_bytes, images, threads):
    """Worker task: top-1 predictions of one chunk (runs in a worker process)."""
    import fracbnn
    models = _worker_models()
    model = models.get(digest)
    if model is None:
        model = models.setdefault(digest, fracbnn.Model.from_bytes(model_bytes))
    return model.run(images, threads=threads).argmax(axis=1)


def evaluate(client, model_bytes, x, chunk, threads):
    """Predictions of every image, chunk by chunk on the cluster's workers; and the seconds it took."""
    digest = hashlib.sha256(model_bytes).hexdigest()
    blob = client.scatter(model_bytes, broadcast=True)
    parts = [x[i:i + chunk] for i in range(0, len(x), chunk)]
    t0 = time.perf_counter()
    futures = client.map(classify_chunk, [digest] * len(parts), [blob] * len(parts), client.scatter(parts),
                         [threads] * len(parts))
    preds = np.concatenate(client.gather(futures))
    return preds, time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("images", help="CIFAR-10 .bin, or IDX images (then give the IDX labels too)")
    ap.add_argument("labels", nargs="?")
    ap.add_argument("--scheduler", help="address of a running dask scheduler (default: start a LocalCluster)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    ap.add_argument("--threads", type=int, default=1, help="fracbnn threads per task (default 1)")
    ap.add_argument("--chunk", type=int, default=500, help="images per task (default 500)")
    ap.add_argument("--predictions", help="write the predicted class of each image, one per line")
    args = ap.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    with open(args.model, "rb") as f:
        model_bytes = f.read()
    x, y = read_dataset(args.images, args.labels)
    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        # The worker processes inherit PYTHONPATH (build/python), so they import the same fracbnn.
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        workers = len(client.scheduler_info()["workers"])
        preds, secs = evaluate(client, model_bytes, x, args.chunk, args.threads)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    acc = float((preds == y).mean())
    print("%s: %d images, accuracy %.2f %% (%d correct), %.0f images/s on %d workers x %d thread(s), chunk %d"
          % (os.path.basename(args.model), len(x), 100 * acc, int((preds == y).sum()), len(x) / secs, workers,
             args.threads, args.chunk))
    if args.predictions:
        np.savetxt(args.predictions, preds, fmt="%d")
    return acc


if __name__ == "__main__":
    main()

#!/work/pyenv/bin/python
"""Train a small Larq BNN on Fashion-MNIST and import it into .fbnn.

Interpreter: the PyPI venv (scripts/setup_pyenv.sh; TF_USE_LEGACY_KERAS=1 is
set here). One TensorFlow thread (the machine is shared).

    build/pyenv/bin/python tools/train_larq_fashion.py OUTDIR [--epochs 6]
    -> OUTDIR/model.h5 (the epoch with the best validation accuracy),
       OUTDIR/train.log, OUTDIR/fashion_mnist_larq.fbnn (tools/import_larq.py)

Recipe: the 60 000 training images minus a seeded 5 000-image validation
split (the epoch is chosen on it, never on the test set); inputs
x = u8 * float32(1/255) (the importer's contract); Adam, cosine-decayed
learning rate, batch 128, no augmentation. Network (BinaryNet style, latent
weights clipped to [-1, 1]): a real-input conv with binary weights, three
binary 3x3 convs (sign activations, zero padding) each followed by
BatchNorm and 2x2 max pooling, a binary dense layer of 128 and a binary
10-way output, each with BatchNorm. The importer turns every
conv/dense + BatchNorm + sign into one integer-threshold op.
"""
import argparse
import gzip
import os
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
          "Ankle boot"]
SCALE = np.float32(1.0 / 255.0)


def load_idx(split, root=FMNIST_DIR):
    """(uint8 images [N,28,28], labels [N]) of 'train' or 't10k'."""
    with gzip.open(os.path.join(root, "%s-images-idx3-ubyte.gz" % split)) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(root, "%s-labels-idx1-ubyte.gz" % split)) as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    return x, y


def build(tf, lq):
    K = tf.keras
    q = dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip",
             use_bias=False)
    x = inp = K.Input((28, 28, 1), name="image")
    x = lq.layers.QuantConv2D(32, 3, kernel_quantizer="ste_sign", kernel_constraint="weight_clip",
                              use_bias=False, name="conv0")(x)
    x = K.layers.BatchNormalization(scale=False, name="bn0")(x)
    for i, c in enumerate((64, 64, 128), 1):
        x = lq.layers.QuantConv2D(c, 3, padding="same", name="conv%d" % i, **q)(x)
        x = K.layers.BatchNormalization(scale=False, name="bn%d" % i)(x)
        x = K.layers.MaxPooling2D(2, name="pool%d" % i)(x)
    x = K.layers.Flatten()(x)
    x = lq.layers.QuantDense(128, name="fc1", **q)(x)
    x = K.layers.BatchNormalization(scale=False, name="bn_fc1")(x)
    x = lq.layers.QuantDense(10, name="fc2", **q)(x)
    x = K.layers.BatchNormalization(scale=False, name="bn_fc2")(x)
    return K.Model(inp, x, name="fashion_mnist_larq")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--n-val", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20261206)
    args = ap.parse_args(argv)
    import tensorflow as tf
    import larq as lq
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.keras.utils.set_random_seed(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    log = open(os.path.join(args.outdir, "train.log"), "w")

    def say(msg):
        print(msg)
        log.write(msg + "\n")
        log.flush()

    x, y = load_idx("train")
    perm = np.random.default_rng(args.seed).permutation(len(x))
    va, tr = perm[:args.n_val], perm[args.n_val:]
    xf = x[..., None].astype(np.float32) * SCALE
    model = build(tf, lq)
    steps = args.epochs * ((len(tr) + 127) // 128)
    lr = tf.keras.optimizers.schedules.CosineDecay(args.lr, steps)
    model.compile(tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    say("train %d, validation %d (seed %d), epochs %d, lr %g, batch 128, 1 TF thread"
        % (len(tr), len(va), args.seed, args.epochs, args.lr))
    best, path = -1.0, os.path.join(args.outdir, "model.h5")
    for ep in range(args.epochs):
        t0 = time.time()
        h = model.fit(xf[tr], y[tr], batch_size=128, epochs=1, verbose=0, shuffle=True)
        _, vacc = model.evaluate(xf[va], y[va], batch_size=500, verbose=0)
        say("epoch %d: loss %.4f train acc %.4f val acc %.4f (%.0f s)"
            % (ep + 1, h.history["loss"][0], h.history["accuracy"][0], vacc, time.time() - t0))
        if vacc > best:
            best = vacc
            model.save(path)
    say("best validation accuracy %.4f -> %s" % (best, path))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import import_larq
    out = os.path.join(args.outdir, "fashion_mnist_larq.fbnn")
    import_larq.main([path, out, "--labels", ",".join(LABELS), "--invert", "--name", "fashion_mnist_larq"])
    xt, yt = load_idx("t10k")
    best_model = tf.keras.models.load_model(path, compile=False)
    pk = best_model.predict(xt[..., None].astype(np.float32) * SCALE, batch_size=500, verbose=0).argmax(1)
    np.savetxt(os.path.join(args.outdir, "keras_test_preds.txt"), pk, fmt="%d")
    say("Keras test accuracy (reported only, not used for any choice): %.4f" % float((pk == yt).mean()))


if __name__ == "__main__":
    main()

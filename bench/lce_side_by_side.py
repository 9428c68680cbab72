#!/work/pyenv/bin/python
"""libfracbnn vs Larq Compute Engine on the same Keras models and real images.

Interpreter: the PyPI venv (scripts/setup_pyenv.sh: TensorFlow 2.16, larq,
larq-compute-engine 0.16, larq-zoo), libfracbnn through the fracbnn package
of a build (PYTHONPATH=BUILD/python, default build/python).

    build/pyenv/bin/python bench/lce_side_by_side.py [--fmnist models/fashion_mnist_larq.h5]
        [--zoo QuickNet,BiRealNet,BinaryResNetE18,BinaryDenseNet28] [--photos DIR] [--repeats 5]
        [--via keras|tflite] [--diagnose]

Each Keras model is converted twice: LCE's converter (convert_keras_model ->
.tflite, run by LCE's own interpreter larq_compute_engine.testing.Interpreter,
its x86 build: generic kernels) and, with --via keras (default),
tools/import_larq.py (-> .fbnn, run by libfracbnn); with --via tflite the
.fbnn is imported from the very .tflite LCE runs (tools/import_lce_tflite.py),
and --diagnose then names, for each image where the top-1 differs, the first
LceQuantize whose sign decisions differ and LCE's values there
(tools/lce_tflite_diag.py). Both engines see the same images (uint8; the Keras/LCE input is
u8 * scale + offset in float32, the importer's contract).
Printed: top-1 agreement (and test accuracy of the trained Fashion-MNIST
model from both engines); latency (one image) and throughput (images/s over
a batch; LCE runs one image per call, libfracbnn a batch over N threads) at 1
and 2 threads, medians of --repeats interleaved runs, and the ratios
libfracbnn / LCE. Larq Zoo models are built with weights=None and their
BatchNorm statistics calibrated on the photos (scripts/get_test_photos.sh):
one training-mode forward pass gives every BatchNorm its input's batch mean
and variance. A model needing an op the format lacks is reported, not run.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools"))
sys.path.insert(0, os.path.join(os.environ.get("FBNN_BUILD_DIR", os.path.join(REPO, "build")), "python"))
import numpy as np  # noqa: E402

from lce_tflite_import import Unsupported  # noqa: E402  (the .tflite importer's refusal)

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406]) * 255
IMAGENET_STD = np.array([0.229, 0.224, 0.225]) * 255


def median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


class Pair:
    """One Keras model as an LCE .tflite and as a .fbnn, with the input contract."""

    def __init__(self, name, model, scale, offset, workdir, labels=None, invert=0, via="keras"):
        import larq_compute_engine as lce
        import fracbnn
        self.name, self.model, self.via = name, model, via
        self.scale = np.asarray(scale, np.float32)
        self.offset = np.asarray(offset, np.float32)
        fb = self.fbnn_path = os.path.join(workdir, name + ".fbnn")
        self.tflite = lce.convert_keras_model(model)
        if via == "tflite":
            import import_lce_tflite
            tfl = os.path.join(workdir, name + ".tflite")
            with open(tfl, "wb") as f:
                f.write(self.tflite)
            self.graph, self.conv = import_lce_tflite.convert(tfl, fb, labels, scale, offset, invert)
        else:
            import import_larq
            self.graph, self.conv = import_larq.convert(model, fb, labels, scale, offset, invert)
        self.fbnn = fracbnn.Model(fb)
        self.lce_mod = lce.testing
        self.lce = {t: lce.testing.Interpreter(self.tflite, num_threads=t) for t in (1, 2)}

    def keras_input(self, u8_nchw):
        x = u8_nchw.transpose(0, 2, 3, 1).astype(np.float32)
        return x * self.scale + self.offset

    def run_lce(self, u8, threads=1):
        it = self.lce[threads]
        x = self.keras_input(u8)
        return np.concatenate([it.predict(x[i:i + 1]) for i in range(len(x))])

    def run_fbnn(self, u8, threads=1):
        return self.fbnn.run(u8, threads=threads)

    def timings(self, u8, repeats):
        """{(engine, threads): (latency s, images/s)} medians, engines interleaved."""
        out = {}
        one = u8[:1]
        ctx = {t: self.fbnn.context(threads=t) for t in (1, 2)}
        xk1 = self.keras_input(one)
        xk = self.keras_input(u8)
        for t in (1, 2):
            it = self.lce[t]
            lat = {"lce": [], "fbnn": []}
            thr = {"lce": [], "fbnn": []}
            for _ in range(repeats):
                lat["lce"].append(median_time(lambda: it.predict(xk1), 3))
                lat["fbnn"].append(median_time(lambda: ctx[t].run(one), 3))
                thr["lce"].append(median_time(lambda: [it.predict(xk[i:i + 1]) for i in range(len(xk))], 1))
                thr["fbnn"].append(median_time(lambda: self.fbnn.run(u8, threads=t), 1))
            for e in ("lce", "fbnn"):
                out[(e, t)] = (float(np.median(lat[e])), len(u8) / float(np.median(thr[e])))
        for c in ctx.values():
            c.close()
        return out


def diagnose(p, u8):
    """Where libfracbnn's sign decisions differ from Keras': per BITS value of
    the .fbnn (float32 reference of the file = the C library, bit for bit),
    the number of differing decisions and the largest |Keras value| among them."""
    import tensorflow as tf
    import fbnn_format as ff
    m = ff.read_fbnn(p.fbnn_path)
    vals = {m.input_value: u8}
    for oi, (typ, ins, out, params, attrs) in enumerate(m.ops):
        r = ff._RefArgs([vals[i] for i in ins], None, oi)
        vals[out] = ff.BY_CODE[typ].ref(r.inputs[0], [m.tensors[q] for q in params], list(attrs), r)
    ts = [t for t, _ in p.conv.sign_of]
    kv = tf.keras.Model(p.conv.model.inputs, ts)(p.keras_input(u8))
    kv = kv if isinstance(kv, (list, tuple)) else [kv]
    first = None
    for (t, v), k in zip(p.conv.sign_of, kv):
        k = k.numpy()
        k = k.transpose(0, 3, 1, 2) if k.ndim == 4 else k.reshape(vals[v].shape)
        diff = np.where(k >= 0, 1.0, -1.0) != vals[v]
        if diff.any():
            if first is None:
                first = t.name
            print("    sign of %-40s %6d of %8d decisions differ; largest |Keras value| among them %.3g"
                  % (t.name, int(diff.sum()), diff.size, float(np.abs(k[diff]).max())))
    if first is None:
        print("    every sign decision of the .fbnn equals Keras' on these images")


def report_timings(name, tm):
    for t in (1, 2):
        (ll, li), (fl, fi) = tm[("lce", t)], tm[("fbnn", t)]
        print("  %-18s %d thread%s: latency LCE %8.3f ms  libfracbnn %8.3f ms  (x%.2f faster); "
              "throughput LCE %8.1f img/s  libfracbnn %8.1f img/s  (x%.2f)"
              % (name, t, "s" if t > 1 else " ", ll * 1e3, fl * 1e3, ll / fl, li, fi, fi / li))


def agreement(name, a, b, labels=None):
    pa, pb = a.argmax(1), b.argmax(1)
    same = int((pa == pb).sum())
    print("  %-18s top-1 agreement LCE vs libfracbnn: %d / %d (%.2f %%)" % (name, same, len(pa), 100.0 * same / len(pa)))
    if labels is not None:
        print("  %-18s accuracy: LCE %.2f %%  libfracbnn %.2f %%" % (
            name, 100 * float((pa == labels).mean()), 100 * float((pb == labels).mean())))
    for i in np.nonzero(pa != pb)[0][:5]:
        sa, sb = np.sort(a[i])[::-1], np.sort(b[i])[::-1]
        print("    image %d: LCE %d (margin %.3g), libfracbnn %d (margin %.3g)"
              % (i, pa[i], sa[0] - sa[1], pb[i], sb[0] - sb[1]))
    return same


def logit_gap(name, a, b):
    d = np.abs(a - b)
    print("  %-18s logits: largest |LCE - libfracbnn| %.3g (largest |logit| %.3g); median over images of the "
          "largest per image %.3g" % (name, float(d.max()), float(np.abs(a).max()), float(np.median(d.max(1)))))


def fashion(args, workdir):
    import tensorflow as tf
    import larq  # noqa: F401  (registers the Quant* layers for load_model)
    import train_larq_fashion as tl
    model = tf.keras.models.load_model(args.fmnist, compile=False)
    p = Pair("fashion_mnist_larq", model, 1.0 / 255.0, 0.0, workdir, tl.LABELS, invert=1, via=args.via)
    x, y = tl.load_idx("t10k")
    x = x[:args.n_test, None]
    y = y[:args.n_test]
    a, b = p.run_lce(x), p.run_fbnn(x, threads=2)
    print("Fashion-MNIST Larq model (%s, imported from its %s), %d test images:"
          % (args.fmnist, "LCE .tflite" if args.via == "tflite" else "Keras model", len(x)))
    agreement(p.name, a, b, y)
    logit_gap(p.name, a, b)
    if args.repeats > 0:
        report_timings(p.name, p.timings(x[:args.batch], args.repeats))


def load_photos(d, hw):
    """RGB photos of d, shorter side scaled to 8/7 hw (bilinear), centre crop: uint8 [N,3,hw,hw]."""
    from PIL import Image
    files = sorted(f for f in os.listdir(d) if f.lower().endswith((".png", ".jpg", ".jpeg")))
    out = []
    for f in files:
        im = Image.open(os.path.join(d, f)).convert("RGB")
        s = hw * 8.0 / 7.0 / min(im.size)
        im = im.resize((max(hw, round(im.size[0] * s)), max(hw, round(im.size[1] * s))), Image.BILINEAR)
        l, t = (im.size[0] - hw) // 2, (im.size[1] - hw) // 2
        out.append(np.asarray(im.crop((l, t, l + hw, t + hw)), dtype=np.uint8).transpose(2, 0, 1))
    if not out:
        raise SystemExit("no photos in %s (sh scripts/get_test_photos.sh %s)" % (d, d))
    return files, np.ascontiguousarray(np.stack(out))


def calibrate_bn(model, x):
    """Give every BatchNormalization its input's batch statistics on x (one
    training-mode pass: each BN then normalises exactly as it will in inference)."""
    import tensorflow as tf
    bns = [l for l in model.layers if isinstance(l, tf.keras.layers.BatchNormalization)]
    probe = tf.keras.Model(model.inputs, [l.input for l in bns])
    outs = probe(x, training=True)
    for l, t in zip(bns, outs):
        t = t.numpy().reshape(-1, t.shape[-1]).astype(np.float64)
        l.moving_mean.assign(t.mean(0).astype(np.float32))
        l.moving_variance.assign(t.var(0).astype(np.float32))


def zoo(args, workdir):
    import larq_zoo_compat  # noqa: F401  (keras-2 module paths for larq_zoo)
    import larq_zoo as lqz
    import tensorflow as tf
    import larq_keras as lk
    files, u8 = load_photos(args.photos, args.size)
    print("Larq Zoo, weights=None, BN calibrated on %d photos (%s), %dx%d, imported from the %s:"
          % (len(files), args.photos, args.size, args.size, "LCE .tflite" if args.via == "tflite" else "Keras model"))
    scale, offset = 1.0 / IMAGENET_STD, -IMAGENET_MEAN / IMAGENET_STD
    for name in args.zoo.split(","):
        tf.keras.utils.set_random_seed(args.seed)      # the same random network every run
        fn = getattr(lqz.sota, name, None) or getattr(lqz.literature, name)
        model = fn(weights=None, input_shape=(args.size, args.size, 3))
        x = (u8.transpose(0, 2, 3, 1).astype(np.float32) * np.float32(scale).astype(np.float32)
             + np.float32(offset).astype(np.float32))
        calibrate_bn(model, x)
        if model.layers[-1].__class__.__name__ == "Activation" and model.layers[-1].get_config()["activation"] == "softmax":
            model = tf.keras.Model(model.inputs, model.layers[-1].input, name=model.name)   # logits out
        try:
            p = Pair(name, model, scale, offset, workdir, via=args.via)
        except (lk.Unsupported, Unsupported) as e:
            print("  %-18s not imported: %s" % (name, e))
            continue
        a, b = p.run_lce(u8), p.run_fbnn(u8, threads=2)
        k = p.model(p.keras_input(u8)).numpy()
        agreement(name, a, b)
        logit_gap(name, a, b)
        if args.diagnose and args.via == "tflite":
            import lce_tflite_diag as ld
            for i in np.nonzero(a.argmax(1) != b.argmax(1))[0]:
                print("    image %d (%s):" % (i, files[i]))
                for line in ld.first_divergence(p.tflite, p.conv, p.fbnn_path, u8[i:i + 1], p.keras_input(u8[i:i + 1])):
                    print(line)
        elif args.diagnose:
            diagnose(p, u8[np.nonzero(k.argmax(1) != b.argmax(1))[0][:2]] if (k.argmax(1) != b.argmax(1)).any() else u8[:1])
        print("  %-18s top-1 agreement with Keras' own forward: libfracbnn %d / %d, LCE %d / %d"
              % (name, int((k.argmax(1) == b.argmax(1)).sum()), len(b), int((k.argmax(1) == a.argmax(1)).sum()), len(b)))
        if args.repeats > 0:
            report_timings(name, p.timings(u8[:args.batch_zoo], args.repeats))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fmnist", default=os.path.join(REPO, "models", "fashion_mnist_larq.h5"))
    ap.add_argument("--n-test", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=256, help="images per throughput run (Fashion-MNIST)")
    ap.add_argument("--repeats", type=int, default=5, help="timing repeats (0: no timing)")
    ap.add_argument("--zoo", default="QuickNet,BiRealNet,BinaryResNetE18,BinaryDenseNet28", help="'' = none")
    ap.add_argument("--photos", default="build/photos")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--batch-zoo", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1, help="weight seed of the Larq Zoo models")
    ap.add_argument("--diagnose", action="store_true", help="per-layer sign decisions vs Keras (--via keras) "
                    "or vs LCE's interpreter where the top-1 differs (--via tflite) (Larq Zoo)")
    ap.add_argument("--via", choices=("keras", "tflite"), default="keras",
                    help="import the Keras model (tools/import_larq.py) or LCE's .tflite (tools/import_lce_tflite.py)")
    ap.add_argument("--workdir", default="build/lce_side_by_side")
    args = ap.parse_args(argv)
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    os.makedirs(args.workdir, exist_ok=True)
    print("machine: %d CPUs (shared with other jobs: timings are medians of %d interleaved repeats)"
          % (os.cpu_count(), args.repeats))
    if args.fmnist:
        fashion(args, args.workdir)
    if args.zoo:
        zoo(args, args.workdir)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Write the fuzzing seed corpus (tests/fuzz/corpus/): small valid .fbnn
models made with tools/fbnn_format.py that together use all 20 op types
(tiny_mobile: the ImageNet FracBNN's op mix, from the converter's graph builder)
(the 1.2 ops 15-20 in tiny_binary_thr and tiny_ops12, with the optional
attributes: k-bit thresholds, per-side padding, padding values),
plus a few small JPEG/PNG images (needs PIL) for the image decoder harness.

    /usr/bin/python3 tests/fuzz/make_seeds.py

Also writes hand-made regression models to tests/fuzz/regress/model/.
The released model is not copied: the harness targets and ctest take
models/cifar10_fracbnn.fbnn from where it is. Deterministic (fixed seeds).
"""
import io
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import fbnn_format as ff  # noqa: E402

MODEL_DIR = os.path.join(HERE, "corpus", "model")
IMAGE_DIR = os.path.join(HERE, "corpus", "image")


def pm1(rng, *shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def f(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def tiny_min():
    """Smallest useful graph: 1x1x1 grey pixel -> thermometer -> 1x1 bconv -> 2 logits."""
    rng = np.random.default_rng(1)
    g = ff.GraphBuilder("min", ["a", "b"], colour=1)
    x = g.input(1, 1, 1)
    t = g.thermometer(x, resolution=64, bits=4)
    y = g.bconv(t, pm1(rng, 2, 4, 1, 1), stride=1, pad=0)
    g.set_output(y)
    return g


def tiny_bnn():
    """Classic BNN: sign activations, binary max pooling, FC head."""
    rng = np.random.default_rng(2)
    g = ff.GraphBuilder("tiny bnn", ["zero", "one", "two"], colour=1, resize=1, invert=1)
    x = g.input(1, 8, 8)
    t = g.thermometer(x, resolution=32, bits=8)
    c = g.bconv(t, pm1(rng, 4, 8, 3, 3), stride=1, pad=1)
    a = g.affine(c, f(rng, 4), f(rng, 4))
    s = g.sign(a)
    p = g.maxpool(s, k=2, stride=2, pad=0)
    c2 = g.bconv(p, pm1(rng, 40, 4, 3, 3), stride=2, pad=1)
    gp = g.global_avgpool(c2)
    y = g.fc(gp, f(rng, 3, 40), f(rng, 3))
    g.set_output(y)
    return g


def tiny_fracbnn():
    """FracBNN block: quant2 + PG conv, RPReLU, residual add, avgpool with
    channel duplication, concat, k-bit shortcut, real max pooling, FC."""
    rng = np.random.default_rng(3)
    g = ff.GraphBuilder("tiny fracbnn", ["cat", "dog", "ship", "frog"], colour=3)
    x = g.input(3, 6, 6)
    t = g.thermometer(x, resolution=16, bits=4)       # bits [12,6,6]
    c = g.bconv(t, pm1(rng, 5, 12, 3, 3), pad=1)      # real [5,6,6]
    a = g.affine(c, f(rng, 5), f(rng, 5))
    q = g.quant2(a)
    pg = g.pgconv(q, pm1(rng, 5, 5, 3, 3), f(rng, 5), pad=1)
    r = g.rprelu(pg, f(rng, 5), np.abs(f(rng, 5)), f(rng, 5))
    s = g.add(r, a)
    d = g.avgpool(s, k=2, stride=2, dup=2)            # real [10,3,3]
    u = g.quant_uniform(s, bits=3, lo=-1.0, hi=1.0)   # real [5,6,6]
    m = g.maxpool(u, k=2, stride=2, pad=0)            # real [5,3,3]
    cat = g.concat([d, m, m])                          # real [20,3,3]
    y = g.fc(cat, f(rng, 4, 20 * 9), f(rng, 4))
    g.set_output(y)
    return g


def strided_pg():
    """Stride-2 PG conv with C_in = 40 (two words, padding bits), 5x5 kernels."""
    rng = np.random.default_rng(4)
    g = ff.GraphBuilder("strided pg", ["x", "y"], colour=3, resize=1)
    x = g.input(3, 9, 7)
    t = g.thermometer(x, resolution=255, bits=1)      # bits [3,9,7]
    c = g.bconv(t, pm1(rng, 40, 3, 5, 5), stride=1, pad=2)
    q = g.quant2(c)
    pg = g.pgconv(q, pm1(rng, 6, 40, 3, 3), f(rng, 6), stride=2, pad=1)  # [6,5,4]
    mp = g.maxpool(pg, k=3, stride=2, pad=1)          # [6,3,2]
    gp = g.global_avgpool(mp)
    y = g.fc(gp, f(rng, 2, 6), f(rng, 2))
    g.set_output(y)
    return g


def sorted_thr(rng, n, bits, spread):
    """n channels of 2^bits - 1 thresholds sorted as the code counts them, and flips."""
    flip = rng.integers(0, 2, n)
    t = np.sort(rng.integers(-spread, spread + 1, (n, (1 << bits) - 1)), axis=1)
    t[flip == 1] = t[flip == 1, ::-1]
    return (t[:, 0] if bits == 1 else t), flip


def tiny_binary_thr():
    """Ops with integer epilogues (format 1.2): bconv_thr with 1 and 2 output
    bits (the 2-bit planes read by kconv), bfc_thr with 1 and 3 bits, bfc."""
    rng = np.random.default_rng(6)
    g = ff.GraphBuilder("tiny thr", ["a", "b", "c"], colour=1)
    x = g.input(1, 6, 5)
    t = g.thermometer(x, resolution=32, bits=8)
    y = g.bconv_thr(t, pm1(rng, 20, 8, 3, 3), *sorted_thr(rng, 20, 1, 6), stride=1, pad=1)
    y = g.maxpool(y, k=2, stride=2, pad=0)                                        # 20 x 3 x 2
    q = g.bconv_thr(y, pm1(rng, 7, 20, 3, 3), *sorted_thr(rng, 7, 2, 8), stride=1, pad=1, bits=2)
    k = g.kconv(q, pm1(rng, 2, 9, 7, 3, 3), rng.uniform(0.1, 0.2, (2, 9)), 2, stride=2, pad=1)
    s = g.sign(g.affine(k, f(rng, 9), f(rng, 9)))                                 # 9 x 2 x 1
    h = g.bfc_thr(s, pm1(rng, 12, 18), *sorted_thr(rng, 12, 1, 3))
    z = g.bfc(h, pm1(rng, 3, 12), f(rng, 3), f(rng, 3))
    c = g.bfc_thr(h, pm1(rng, 5, 12), *sorted_thr(rng, 5, 3, 4), bits=3)
    z2 = g.kconv(c, pm1(rng, 1, 3, 5, 1, 1), rng.uniform(0.1, 0.2, (1, 3)), 3, stride=1, pad=0)
    g.set_output(g.add(z, z2))
    return g


def tiny_ops12():
    """The other format 1.2 ops: rconv (u8 and real input, groups, per-side
    padding), quant_kbit, multi-base kconv, bconv with per-side padding and
    padding values."""
    rng = np.random.default_rng(7)
    g = ff.GraphBuilder("tiny 1.2", ["a", "b"], colour=3)
    x = g.input(3, 7, 6)
    y = g.rconv(x, f(rng, 6, 3, 3, 3) * 0.01, f(rng, 6), stride=2, pad=(0, 1, 1, 1))
    y = g.rconv(y, f(rng, 6, 2, 3, 3), f(rng, 6), stride=1, pad=1, groups=3)
    q = g.quant_kbit(y, 3)
    y = g.kconv(q, pm1(rng, 3, 8, 6, 3, 3), rng.uniform(0.01, 0.05, (3, 8)), 3, stride=1, pad=(1, 0, 1, 2))
    s = g.sign(g.affine(y, f(rng, 8), f(rng, 8)))
    y = g.bconv(s, pm1(rng, 5, 8, 3, 3), stride=1, pad=(2, 1, 0, 1), pad_value=-1)
    y = g.bconv(g.sign(y), pm1(rng, 4, 5, 2, 2), stride=1, pad=(1, 0, 0, 1), pad_value=1)
    y = g.fc(g.global_avgpool(y), f(rng, 2, 4), f(rng, 2))
    g.set_output(y)
    return g


def tiny_mobile():
    """The ImageNet FracBNN's op mix (issue 17) at small shapes, built by the
    converter's own graph builder (tools/fracbnn_mobile_export.py) from random
    folded parameters: 96-channel thermometer (resolution 8), stride-2 binary
    stem, blocks with a stride-2 3x3 PG conv + 2x2 average-pool shortcut,
    1x1 PG convs, the 4-bit quant_uniform shortcut, channel duplication by
    concat (4 -> 8 with stride 2, as the ImageNet (64,128,2) block), global
    average pool, FC with bias; meta resize mode 2 (shorter side, centre crop)."""
    import fracbnn_mobile_export as fx
    rng = np.random.default_rng(17)
    cfg = dict(in_ch=3, in_hw=12, resolution=8, stem_stride=2, num_classes=10,
               blocks=[(4, 8, 2), (8, 8, 1)])   # 9.5 KB: few channels, the descriptors dominate
    p = {"stem_w": pm1(rng, 4, 96, 3, 3), "stem_bn_a": np.abs(f(rng, 4)) * 0.05, "stem_bn_b": f(rng, 4) * 0.3}
    for i, (cin, cout, s) in enumerate(cfg["blocks"], start=1):
        for c, (ci, co, k) in ((1, (cin, cin, 3)), (2, (cin, cout, 1))):
            n = "b%d_" % i
            p[n + "w%d" % c] = pm1(rng, co, ci, k, k)
            # thresholds within the MSB output's range, so the LSB pass fires on part
            p[n + "thr%d" % c] = (f(rng, co) * np.sqrt(ci * k * k) * 0.4).astype(np.float32)
            p[n + "bn%d_a" % c] = (np.abs(f(rng, co)) / np.sqrt(ci * k * k)).astype(np.float32)
            p[n + "bn%d_b" % c] = f(rng, co) * 0.2
            p[n + "rp%d_bx" % c], p[n + "rp%d_by" % c] = f(rng, co) * 0.1, f(rng, co) * 0.1
            p[n + "rp%d_sl" % c] = rng.uniform(0.05, 0.5, co).astype(np.float32)
            p[n + "sbn%d_a" % c] = rng.uniform(0.5, 1.5, co).astype(np.float32)
            p[n + "sbn%d_b" % c] = f(rng, co) * 0.1
    p["fc_w"], p["fc_b"] = f(rng, 10, 8), f(rng, 10)
    return fx.build_mobile_graph(p, cfg, "tiny mobile (ImageNet FracBNN op mix)", ["c%d" % i for i in range(10)],
                                 resize=fx.RESIZE_IMAGENET)


def quant_uniform_range(lo, hi, bits):
    """A valid-looking graph whose k-bit range the kernel cannot use (regression:
    the loader accepted it, fbnn_run then failed)."""
    rng = np.random.default_rng(6)
    g = ff.GraphBuilder("quant_uniform range", ["a", "b"], colour=1)
    x = g.input(1, 2, 2)
    t = g.thermometer(x, resolution=128, bits=2)
    c = g.bconv(t, pm1(rng, 3, 2, 1, 1), pad=0)
    u = g.quant_uniform(c, bits=bits, lo=lo, hi=hi)
    gp = g.global_avgpool(u)
    y = g.fc(gp, f(rng, 2, 3), f(rng, 2))
    g.set_output(y)
    return g


def write_regress():
    d = os.path.join(HERE, "regress", "model")
    os.makedirs(d, exist_ok=True)
    for name, args in [("quant_uniform_span_inf", (-3e38, 3e38, 3)),
                       ("quant_uniform_step_zero", (0.0, 1.4e-45, 16))]:
        n = quant_uniform_range(*args).save(os.path.join(d, name + ".fbnn"))
        print("%-28s %6d bytes" % ("regress/" + name + ".fbnn", n))


def write_models():
    os.makedirs(MODEL_DIR, exist_ok=True)
    for name, fn in [("min", tiny_min), ("tiny_bnn", tiny_bnn), ("tiny_fracbnn", tiny_fracbnn),
                     ("strided_pg", strided_pg), ("tiny_binary_thr", tiny_binary_thr), ("tiny_ops12", tiny_ops12),
                     ("tiny_mobile", tiny_mobile)]:
        n = fn().save(os.path.join(MODEL_DIR, name + ".fbnn"))
        print("%-16s %6d bytes" % (name + ".fbnn", n))


def write_images():
    try:
        from PIL import Image
    except ImportError:
        print("PIL not available: image seeds not written")
        return
    os.makedirs(IMAGE_DIR, exist_ok=True)
    rng = np.random.default_rng(5)
    rgb = Image.fromarray((rng.random((12, 16, 3)) * 255).astype(np.uint8), "RGB")
    grey = Image.fromarray((rng.random((9, 7)) * 255).astype(np.uint8), "L")
    outs = {
        "rgb.jpg": (rgb, "JPEG", dict(quality=80)),
        "rgb_prog.jpg": (rgb, "JPEG", dict(quality=60, progressive=True)),
        "rgb_420.jpg": (rgb.resize((17, 11)), "JPEG", dict(quality=50, subsampling=2)),
        "grey.jpg": (grey, "JPEG", dict(quality=90)),
        "rgb.png": (rgb, "PNG", {}),
        "grey.png": (grey, "PNG", {}),
        "rgba.png": (rgb.convert("RGBA"), "PNG", {}),
        "palette.png": (rgb.convert("P", palette=Image.ADAPTIVE, colors=4), "PNG", {}),
        "interlaced.png": (rgb, "PNG", dict(interlace=1)),
        "grey16.png": (grey.convert("I;16"), "PNG", {}),
        "bilevel.png": (grey.convert("1"), "PNG", {}),
    }
    for name, (im, fmt, kw) in sorted(outs.items()):
        b = io.BytesIO()
        im.save(b, fmt, **kw)
        with open(os.path.join(IMAGE_DIR, name), "wb") as fh:
            fh.write(b.getvalue())
        print("%-16s %6d bytes" % (name, len(b.getvalue())))


if __name__ == "__main__":
    write_models()
    write_regress()
    write_images()

#!/usr/bin/python3
"""Export a trained FracBNN ResNet checkpoint to a .fbnn model (one command).

  /usr/bin/python3 tools/export_fbnn.py CHECKPOINT OUT.fbnn [options]

CHECKPOINT is either
  * a checkpoint of tools/train_fashion_mnist.py (dict with 'model', 'config'), or
  * a state_dict laid out like the authors' CIFAR-10 ResNet-20 release
    (conv1.weight, bn1.*, layer{s}.{b}.conv{1,2}.{weight,threshold},
    layer{s}.{b}.bn{1-4}.*, layer{s}.{b}.rprelu{1,2}.{shift_x.bias,
    shift_y.bias,prelu.weight}, linear.{weight,bias}; optional `module.`
    prefix; encoder.placeholder ignored), possibly wrapped as
    {'state_dict': ...}. Input geometry then comes from --in-ch/--in-hw/
    --resolution (defaults: 3 x 32 x 32, R = 8, CIFAR-10 labels).

BatchNorm is folded with eps 1e-5 (a = gamma/sqrt(var+eps), b = beta -
mean*a, float32), weights are binarised with w > 0 -> +1 (exact zeros are
refused), and the graph is built with convert_official.build_resnet_graph.
Anything the format cannot express exactly is refused with an error message
and exit status 1; there is no silent fallback.

With --golden-prefix P it also writes P + golden_inputs.u8 (uint8 [N,C,H,W]),
P + golden_logits.f32 (little-endian float32 [N,classes], computed by
fbnn_format.run_reference on the exported file) and P + golden.txt
("N C H W classes"). For checkpoints of our own model the exporter checks
that run_reference on the file reproduces the PyTorch eval-mode logits bit
for bit on the golden inputs (and fails otherwise).
"""
import argparse
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fbnn_format as ff  # noqa: E402
from convert_official import build_resnet_graph, CIFAR10_LABELS  # noqa: E402

FMNIST_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
BN_EPS = 1e-5


class ExportError(ff.FormatError):
    """The checkpoint contains something the .fbnn format cannot express."""


_BN = r"(weight|bias|running_mean|running_var|num_batches_tracked)"
_KEY_RES = [
    re.compile(r"^encoder\.placeholder$"),
    re.compile(r"^conv1\.weight$"),
    re.compile(r"^bn1\.%s$" % _BN),
    re.compile(r"^layer\d+\.\d+\.conv[12]\.(weight|threshold)$"),
    re.compile(r"^layer\d+\.\d+\.bn[1-4]\.%s$" % _BN),
    re.compile(r"^layer\d+\.\d+\.rprelu[12]\.(shift_x\.bias|shift_y\.bias|prelu\.weight)$"),
    re.compile(r"^linear\.(weight|bias)$"),
]


def _np(t):
    if hasattr(t, "detach"):
        t = t.detach().cpu().numpy()
    return np.asarray(t)


def load_checkpoint(path):
    """Returns (state_dict, config or None, meta dict)."""
    import torch
    try:
        ck = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - report any unreadable file the same way
        raise ExportError("cannot read checkpoint %s: %s" % (path, e))
    return split_checkpoint(ck)


def split_checkpoint(ck):
    if not isinstance(ck, dict):
        raise ExportError("checkpoint is a %s, not a dict/state_dict (a pickled nn.Module is not "
                          "supported: save model.state_dict())" % type(ck).__name__)
    if "model" in ck and isinstance(ck["model"], dict) and "config" in ck:
        meta = {k: ck[k] for k in ("phase", "labels") if k in ck}
        return dict(ck["model"]), dict(ck["config"]), meta
    for key in ("state_dict", "model", "net"):
        if key in ck and isinstance(ck[key], dict):
            return dict(ck[key]), None, {}
    return dict(ck), None, {}


def check_state_dict(sd, in_ch, resolution):
    """Validates keys and shapes; returns (normalised sd of numpy arrays, stages, widths)."""
    sd = {(k[7:] if k.startswith("module.") else k): _np(v) for k, v in sd.items()}
    unknown = [k for k in sd if not any(r.match(k) for r in _KEY_RES)]
    if unknown:
        raise ExportError("unsupported layer/parameter(s) with no .fbnn equivalent: %s "
                          "(supported: the FracBNN ResNet of FRACBNN.md)" % ", ".join(sorted(unknown)[:8]))
    sd = {k: v for k, v in sd.items() if not k.endswith("num_batches_tracked") and k != "encoder.placeholder"}

    def need(k, shape=None, what=None):
        if k not in sd:
            raise ExportError("missing key %r in the state_dict" % k)
        v = sd[k]
        if not np.all(np.isfinite(v)):
            raise ExportError("%s contains NaN or Inf" % k)
        if shape is not None and tuple(v.shape) != tuple(shape):
            if what == "perchannel" and v.size == int(np.prod(shape)) and \
                    v.shape in ((shape[0],), (1, shape[0], 1, 1)):
                return v
            raise ExportError("%s has shape %s, expected %s" % (k, tuple(v.shape), tuple(shape)))
        return v

    def perch(k, c):
        v = need(k)
        if tuple(v.shape) not in ((c,), (1, c, 1, 1)):
            raise ExportError("%s has shape %s, expected [%d] or [1,%d,1,1]" % (k, tuple(v.shape), c, c))
        return v

    def conv(k, cin=None):
        w = need(k)
        if w.ndim != 4:
            raise ExportError("%s must be a 4-D conv weight, got shape %s" % (k, tuple(w.shape)))
        if w.shape[2] != 3 or w.shape[3] != 3:
            raise ExportError("%s: kernel %dx%d is not supported (the FracBNN ResNet uses 3x3, "
                              "padding 1)" % (k, w.shape[2], w.shape[3]))
        if cin is not None and w.shape[1] != cin:
            raise ExportError("%s has %d input channels, expected %d" % (k, w.shape[1], cin))
        if np.any(w == 0):
            raise ExportError("%s has %d exact-zero weight(s): sign() would give 0, which a binary "
                              "weight cannot represent" % (k, int(np.sum(w == 0))))
        return w

    def bn(prefix, c):
        for f in ("weight", "bias", "running_mean", "running_var"):
            perch(prefix + "." + f, c)
        if np.any(sd[prefix + ".running_var"] + BN_EPS <= 0):
            raise ExportError("%s.running_var + eps is not positive" % prefix)

    bits = int(round(255.0 / resolution))
    w = conv("conv1.weight", in_ch * bits)
    c = w.shape[0]
    bn("bn1", c)
    stages = []
    s = 1
    while any(k.startswith("layer%d." % s) for k in sd):
        b = 0
        while any(k.startswith("layer%d.%d." % (s, b)) for k in sd):
            pre = "layer%d.%d." % (s, b)
            stride = 2 if (s > 1 and b == 0) else 1
            w1 = conv(pre + "conv1.weight", c)
            cout = w1.shape[0]
            if not ((stride == 1 and cout == c) or (stride == 2 and cout == 2 * c)):
                raise ExportError("%s: shortcut %d->%d channels at stride %d is not supported "
                                  "(only identity, or avgpool2x2 + channel duplication at stride 2)"
                                  % (pre, c, cout, stride))
            conv(pre + "conv2.weight", cout)
            if sd[pre + "conv2.weight"].shape[0] != cout:
                raise ExportError("%sconv2.weight has %d output channels, expected %d"
                                  % (pre, sd[pre + "conv2.weight"].shape[0], cout))
            for cv in (1, 2):
                perch(pre + "conv%d.threshold" % cv, cout)
                for f in ("shift_x.bias", "shift_y.bias", "prelu.weight"):
                    perch(pre + "rprelu%d.%s" % (cv, f), cout)
            for i in (1, 2, 3, 4):
                bn(pre + "bn%d" % i, cout)
            c = cout
            b += 1
        if b == 0:
            raise ExportError("stage layer%d has no block 0" % s)
        stages.append(b)
        s += 1
    if not stages:
        raise ExportError("no residual stages (layer1.*) found")
    if any(k.startswith("layer%d." % s2) for k in sd for s2 in range(s + 1, s + 10)):
        raise ExportError("stage numbering has a gap after layer%d" % (s - 1))
    lw = need("linear.weight")
    if lw.ndim != 2 or lw.shape[1] != c:
        raise ExportError("linear.weight has shape %s, expected [classes, %d]" % (tuple(lw.shape), c))
    need("linear.bias", (lw.shape[0],))
    return sd, stages


def export_state_dict(sd, out_path, *, in_ch, in_hw, resolution, labels, name, gate=True,
                      invert=0, resize=0, colour=None):
    """Validate, fold and write the .fbnn. Returns (folded params as numpy, stages, nbytes)."""
    import torch
    from fracbnn_torch.model import folded_params
    sd, stages = check_state_dict(sd, in_ch, resolution)
    n_classes = sd["linear.weight"].shape[0]
    if len(labels) != n_classes:
        raise ExportError("%d labels for %d classes" % (len(labels), n_classes))
    folded = folded_params({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in sd.items()},
                           gate=gate, eps=BN_EPS)
    p = {k: v.numpy() for k, v in folded.items()}

    def get(k):
        if k not in p:
            raise ExportError("missing folded parameter %r" % k)
        return p[k]

    bits = int(round(255.0 / resolution))
    g = build_resnet_graph(get, name, labels, in_ch=in_ch, in_hw=(in_hw, in_hw), resolution=resolution,
                           bits=bits, stages=tuple(stages), colour=colour or in_ch, invert=invert)
    g.resize = int(resize)
    nbytes = g.save(out_path)
    return p, stages, nbytes


def golden_images(spec, in_ch, in_hw, seed=1234):
    """spec: 'random:N', 'fashion-mnist-test:N', 'cifar10-846:N' or a .npy uint8 [N,C,H,W]."""
    kind, _, n = spec.partition(":")
    if kind == "random":
        rng = np.random.RandomState(seed)
        return rng.randint(0, 256, size=(int(n or 16), in_ch, in_hw, in_hw)).astype(np.uint8)
    if kind == "fashion-mnist-test":
        from fracbnn_torch.data import load_split
        x, _ = load_split("test")
        return np.ascontiguousarray(x[:int(n or 64)])
    if kind == "cifar10-846":
        raw = np.fromfile(os.path.join(HERE, "..", "..", "shared", "data", "cifar10_test_846.bin"), np.uint8)
        return raw.reshape(-1, 3073)[:int(n or 16), 1:].reshape(-1, 3, 32, 32).copy()
    x = np.load(spec)
    if x.dtype != np.uint8 or x.ndim != 4:
        raise ExportError("golden images %s must be uint8 [N,C,H,W]" % spec)
    return x


def write_golden(prefix, model_path, images):
    model = ff.read_fbnn(model_path)
    logits = ff.run_reference(model, images).astype("<f4")
    n, c, h, w = images.shape
    images.astype(np.uint8).tofile(prefix + "golden_inputs.u8")
    logits.tofile(prefix + "golden_logits.f32")
    with open(prefix + "golden.txt", "w") as f:
        f.write("%d %d %d %d %d\n" % (n, c, h, w, logits.shape[1]))
    return logits


def save_golden_model(g, outdir, images):
    """Save GraphBuilder g as OUTDIR/model.fbnn with the golden files of
    `images` (the file's float32 reference logits); refuse a degenerate
    test model (one predicted class for every image, or non-finite logits),
    which could not tell a wrong kernel from a right one."""
    path = os.path.join(outdir, "model.fbnn")
    g.save(path)
    ref = write_golden(os.path.join(outdir, ""), path, images)
    if np.unique(np.argmax(ref, 1)).size < 2 or not np.all(np.isfinite(ref)):
        raise ExportError("degenerate golden logits")
    print("wrote %s (%d images)" % (path, len(images)))
    return ref

def export_mobile(args, sd, config, gate, labels, invert):
    """A checkpoint of fracbnn_torch.mobile.FracMobileNet (arch "mobile"):
    the ImageNet block structure; graph of tools/fracbnn_mobile_export.py.
    Self-check: run_reference on the file == mobile_exact_forward bit for bit."""
    import torch
    import fracbnn_mobile_export as fx
    from fracbnn_torch.mobile import mobile_exact_forward
    name = args.name or ("FracBNN mobile %s" % os.path.basename(args.checkpoint))
    nbytes, g = fx.convert(sd, args.out, config, labels, name, resize=args.resize, invert=invert, gate=gate)
    print("wrote %s: %d bytes, %d ops, blocks %s, %d classes%s" % (
        args.out, nbytes, len(g.ops), config["blocks"], len(labels), "" if gate else " (PG gate disabled)"))
    if args.golden_prefix or not args.no_check:
        images = golden_images(args.golden_images, config["in_ch"], config["in_hw"])
        ref = ff.run_reference(ff.read_fbnn(args.out), images)
        if not args.no_check:
            p = fx.folded(fx.check_state_dict(sd, config), config, gate)
            pt = mobile_exact_forward({k: torch.from_numpy(v) for k, v in p.items()}, config,
                                      torch.from_numpy(images)).numpy()
            if pt.tobytes() != ref.astype(np.float32).reshape(pt.shape).tobytes():
                raise ExportError("self-check failed: run_reference on the file differs from the "
                                  "PyTorch exact path in %d of %d logits" % (int(np.sum(pt != ref.reshape(pt.shape))),
                                                                          ref.size))
            print("self-check: run_reference == PyTorch exact logits bit for bit on %d images" % len(images))
        if args.golden_prefix:
            write_golden(args.golden_prefix, args.out, images)
            print("wrote golden vectors %s{golden_inputs.u8,golden_logits.f32,golden.txt} (%d images)"
                  % (args.golden_prefix, len(images)))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("out")
    ap.add_argument("--name", default=None)
    ap.add_argument("--labels", default=None,
                    help="'fashion-mnist', 'cifar10', a comma-separated list or @FILE (one per line); "
                         "default: the checkpoint's labels, else CIFAR-10")
    ap.add_argument("--in-ch", type=int, default=None, help="input colour channels (authors' layout: 3)")
    ap.add_argument("--in-hw", type=int, default=None, help="input height = width (authors' layout: 32)")
    ap.add_argument("--resolution", type=int, default=None, help="thermometer resolution R (default 8)")
    ap.add_argument("--invert", type=int, choices=(0, 1), default=None,
                    help="meta invert flag (default: 1 for Fashion-MNIST labels, else 0)")
    ap.add_argument("--resize", type=int, choices=(0, 1, 2), default=0, help="meta resize mode")
    ap.add_argument("--golden-prefix", default=None, help="write PREFIXgolden_{inputs.u8,logits.f32,.txt}")
    ap.add_argument("--golden-images", default="random:16",
                    help="random:N | fashion-mnist-test:N | cifar10-846:N | FILE.npy")
    ap.add_argument("--no-check", action="store_true", help="skip the PyTorch == run_reference check")
    args = ap.parse_args(argv)

    import torch
    torch.set_num_threads(2)
    sd, config, meta = load_checkpoint(args.checkpoint)
    ours = config is not None
    in_ch = args.in_ch or (config["in_ch"] if ours else 3)
    in_hw = args.in_hw or (config["in_hw"] if ours else 32)
    resolution = args.resolution or (config["resolution"] if ours else 8)
    if ours and (in_ch != config["in_ch"] or resolution != config["resolution"]):
        raise ExportError("--in-ch/--resolution contradict the checkpoint's config %s" % config)
    gate = True
    if ours:
        phase = meta.get("phase", 3)
        if phase < 2:
            raise ExportError("checkpoint is from step 1 (float weights); binarising it at export "
                              "would change the network. Train steps 2-3 first.")
        gate = phase >= 3
    if args.labels is None:
        labels = list(meta.get("labels") or CIFAR10_LABELS)
    elif args.labels == "fashion-mnist":
        labels = FMNIST_LABELS
    elif args.labels == "cifar10":
        labels = CIFAR10_LABELS
    elif args.labels.startswith("@"):
        with open(args.labels[1:], encoding="utf-8") as f:
            labels = [l.strip() for l in f if l.strip()]
    else:
        labels = [l.strip() for l in args.labels.split(",")]
    invert = args.invert if args.invert is not None else int(labels == FMNIST_LABELS)
    if ours and config.get("arch") == "mobile":
        return export_mobile(args, sd, config, gate, labels, invert)
    name = args.name or ("FracBNN ResNet %s" % os.path.basename(args.checkpoint))
    p, stages, nbytes = export_state_dict(sd, args.out, in_ch=in_ch, in_hw=in_hw, resolution=resolution,
                                          labels=labels, name=name, gate=gate, invert=invert,
                                          resize=args.resize)
    print("wrote %s: %d bytes, stages %s, %d classes%s" % (
        args.out, nbytes, stages, len(labels), "" if gate else " (PG gate disabled: step-2 checkpoint)"))
    if args.golden_prefix or (ours and not args.no_check):
        images = golden_images(args.golden_images, in_ch, in_hw)
        model = ff.read_fbnn(args.out)
        ref = ff.run_reference(model, images)
        if ours and not args.no_check:
            from fracbnn_torch.model import exact_forward
            pt = exact_forward({k: torch.from_numpy(v) for k, v in p.items()},
                               dict(config, blocks=stages), torch.from_numpy(images)).numpy()
            if pt.tobytes() != ref.astype(np.float32).tobytes():
                bad = int(np.sum(pt != ref))
                raise ExportError("self-check failed: run_reference on the file differs from the "
                                  "PyTorch eval path in %d of %d logits" % (bad, ref.size))
            print("self-check: run_reference == PyTorch eval logits bit for bit on %d images" % len(images))
        if args.golden_prefix:
            write_golden(args.golden_prefix, args.out, images)
            print("wrote golden vectors %s{golden_inputs.u8,golden_logits.f32,golden.txt} (%d images)"
                  % (args.golden_prefix, len(images)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (ff.FormatError, OSError, KeyError) as e:
        sys.stderr.write("export_fbnn: error: %s\n" % (e.args[0] if isinstance(e, KeyError) else e))
        sys.exit(1)

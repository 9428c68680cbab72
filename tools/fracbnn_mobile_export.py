"""Checkpoint -> .fbnn for the FracBNN ImageNet network (and its scaled-down
copies): key validation, BatchNorm folding and the graph.

Used by `tools/convert_official.py --imagenet CHECKPOINT OUT.fbnn` (the
authors' ImageNet checkpoint) and by tools/export_fbnn.py for checkpoints of
tools/fracbnn_torch/mobile.py (arch "mobile"). Needs torch (Debian's
/usr/bin/python3) to read a checkpoint; the graph itself is numpy only.

Accepted checkpoint layouts: a state_dict, or a dict holding one under
'state_dict' (or 'model'/'net'); keys may carry the DataParallel prefix
'module.'. Keys of the teacher (`teacher.*`), the thermometer encoder's
constant buffer (`encoder.placeholder`), the de-normalisation buffers
(`img_mean`, `img_std`) and BatchNorm's `num_batches_tracked` carry nothing
the student computes with and are ignored. Any other unknown key, a missing
key, a shape that differs from the architecture, an exact-zero binary weight
(the authors' sign(0) = 0 has no binary encoding), NaN/Inf or a non-positive
running_var + eps is refused with an error that names the key.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fbnn_format as ff  # noqa: E402

BN_EPS = 1e-5
IMAGENET_BLOCKS = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1),
                   (256, 512, 2)] + [(512, 512, 1)] * 5 + [(512, 1024, 2), (1024, 1024, 1)]
IMAGENET_CONFIG = dict(arch="mobile", in_ch=3, in_hw=224, num_classes=1000, stem_out=32, stem_stride=2,
                       blocks=[list(b) for b in IMAGENET_BLOCKS], resolution=8)
RESIZE_IMAGENET = 2   # meta resize mode: shorter side 256, centre crop 224 (models/FORMAT.md)
IGNORED_PREFIXES = ("teacher.",)
IGNORED_KEYS = ("encoder.placeholder", "img_mean", "img_std")


class ConvertError(ff.FormatError):
    """The checkpoint does not match the architecture or cannot be expressed."""


def imagenet_labels():
    path = os.path.join(HERE, "..", "models", "imagenet_classes.txt")
    with open(path, encoding="utf-8") as f:
        labels = [line.rstrip("\n") for line in f]
    if len(labels) != 1000 or not all(labels):
        raise ConvertError("%s must hold 1000 non-empty class names" % path)
    return labels


def expected_shapes(config):
    """{key: shape} of every parameter/buffer of the student, authors' names."""
    bits = int(round(255.0 / config["resolution"]))
    e = {}

    def bn(pre, c):
        for f in ("weight", "bias", "running_mean", "running_var"):
            e[pre + "." + f] = (c,)

    e["model.0.0.weight"] = (config["stem_out"], config["in_ch"] * bits, 3, 3)
    bn("model.0.1", config["stem_out"])
    for i, (cin, cout, _s) in enumerate(config["blocks"], start=1):
        pre = "model.%d." % i
        e[pre + "conv3x3.0.weight"] = (cin, cin, 3, 3)
        e[pre + "conv3x3.0.threshold"] = (1, cin, 1, 1)
        bn(pre + "conv3x3.1", cin)
        e[pre + "pointwise.0.weight"] = (cout, cin, 1, 1)
        e[pre + "pointwise.0.threshold"] = (1, cout, 1, 1)
        bn(pre + "pointwise.1", cout)
        for r, c in (("rprelu1", cin), ("rprelu2", cout)):
            e[pre + r + ".shift_x.bias"] = (1, c, 1, 1)
            e[pre + r + ".shift_y.bias"] = (1, c, 1, 1)
            e[pre + r + ".prelu.weight"] = (c,)
        bn(pre + "shiftbn1", cin)
        bn(pre + "shiftbn2", cout)
    c = config["blocks"][-1][1] if config["blocks"] else config["stem_out"]
    e["fc.weight"] = (config["num_classes"], c)
    e["fc.bias"] = (config["num_classes"],)
    return e


def _np(t):
    if hasattr(t, "detach"):
        t = t.detach().cpu().numpy()
    return np.asarray(t)


def check_state_dict(sd, config):
    """Returns {key: float32 numpy array} with exactly the expected keys, or
    raises ConvertError naming the first offending key."""
    norm = {}
    for k, v in sd.items():
        k2 = k[7:] if k.startswith("module.") else k
        if k2.startswith(IGNORED_PREFIXES) or k2 in IGNORED_KEYS or k2.endswith(".num_batches_tracked"):
            continue
        norm[k2] = v
    exp = expected_shapes(config)
    for k in exp:
        if k not in norm:
            raise ConvertError("missing key %r in the checkpoint" % k)
    extra = sorted(k for k in norm if k not in exp)
    if extra:
        raise ConvertError("unexpected key %r in the checkpoint (not part of the FracBNN ImageNet "
                           "architecture%s)" % (extra[0], ", %d more" % (len(extra) - 1) if len(extra) > 1 else ""))
    out = {}
    for k, shape in exp.items():
        v = _np(norm[k])
        if tuple(v.shape) != tuple(shape):
            raise ConvertError("key %r has shape %s, expected %s" % (k, tuple(v.shape), tuple(shape)))
        v = v.astype(np.float32)
        if not np.all(np.isfinite(v)):
            raise ConvertError("key %r contains NaN or Inf" % k)
        if k.endswith("weight") and v.ndim == 4 and np.any(v == 0):
            raise ConvertError("key %r has %d exact-zero weight(s): sign(0) = 0 has no binary encoding"
                               % (k, int(np.sum(v == 0))))
        if k.endswith("running_var") and np.any(v + np.float32(BN_EPS) <= 0):
            raise ConvertError("key %r: running_var + eps is not positive" % k)
        out[k] = v
    return out


def split_checkpoint(ck):
    if not isinstance(ck, dict):
        raise ConvertError("checkpoint is a %s, not a state_dict" % type(ck).__name__)
    for key in ("state_dict", "model", "net"):
        if key in ck and isinstance(ck[key], dict):
            return dict(ck[key])
    return dict(ck)


def load_state_dict(path):
    import torch
    try:
        ck = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as e:  # noqa: BLE001 - any unreadable file is reported the same way
        raise ConvertError("cannot read checkpoint %s: %s" % (path, e))
    return split_checkpoint(ck)


def folded(sd, config, gate=True):
    """Folded float32 numpy parameters (names of mobile_folded_params)."""
    import torch
    sys.path.insert(0, HERE)
    from fracbnn_torch.mobile import mobile_folded_params
    p = mobile_folded_params({k: torch.from_numpy(np.asarray(v)) for k, v in sd.items()}, config, gate)
    return {k: v.numpy() for k, v in p.items()}


def build_mobile_graph(p, config, name, labels, resize=0, invert=0):
    """The .fbnn graph of the network from folded parameters `p` (numpy)."""
    bits = int(round(255.0 / config["resolution"]))
    g = ff.GraphBuilder(name=name, labels=labels, colour=config["in_ch"], resize=resize, invert=invert)
    x = g.input(config["in_ch"], config["in_hw"], config["in_hw"])
    t = g.thermometer(x, resolution=config["resolution"], bits=bits)
    x = g.bconv(t, p["stem_w"], stride=config["stem_stride"], pad=1)
    x = g.affine(x, p["stem_bn_a"], p["stem_bn_b"])
    for i, (cin, cout, s) in enumerate(config["blocks"], start=1):
        n = "b%d_" % i
        o = g.pgconv(g.quant2(x), p[n + "w1"], p[n + "thr1"], stride=s, pad=1)
        o = g.rprelu(g.affine(o, p[n + "bn1_a"], p[n + "bn1_b"]), p[n + "rp1_bx"], p[n + "rp1_sl"],
                     p[n + "rp1_by"])
        sc = g.quant_uniform(x, 4, -1.0, 1.0)
        if s == 2:
            sc = g.avgpool(sc, k=2, stride=2, dup=1)
        x1 = g.affine(g.add(o, sc), p[n + "sbn1_a"], p[n + "sbn1_b"])
        o = g.pgconv(g.quant2(x1), p[n + "w2"], p[n + "thr2"], stride=1, pad=0)
        o = g.rprelu(g.affine(o, p[n + "bn2_a"], p[n + "bn2_b"]), p[n + "rp2_bx"], p[n + "rp2_sl"],
                     p[n + "rp2_by"])
        sc = g.quant_uniform(x1, 4, -1.0, 1.0)
        if cout == 2 * cin:
            sc = g.concat([sc, sc])   # cat(v, v)
        x = g.affine(g.add(o, sc), p[n + "sbn2_a"], p[n + "sbn2_b"])
    g.set_output(g.fc(g.global_avgpool(x), p["fc_w"], p["fc_b"]))
    return g


def convert(sd, out_path, config, labels, name, resize=0, invert=0, gate=True):
    """Validate, fold, build, save. Returns (bytes written, graph)."""
    sd = check_state_dict(sd, config)
    g = build_mobile_graph(folded(sd, config, gate), config, name, labels, resize, invert)
    return g.save(out_path), g


def convert_imagenet(ckpt_path, out_path):
    sd = load_state_dict(ckpt_path)
    n, g = convert(sd, out_path, IMAGENET_CONFIG, imagenet_labels(),
                   "FracBNN ImageNet (ReActNet-style, 13 blocks; converted from %s)"
                   % os.path.basename(ckpt_path), resize=RESIZE_IMAGENET)
    return n, g

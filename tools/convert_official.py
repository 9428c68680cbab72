#!/usr/bin/env python3
"""Convert the authors' released FracBNN CIFAR-10 ResNet-20 (BN already folded,
as in ../shared/data/fracbnn_cifar10_official.npz) into a .fbnn model.

Usage: /usr/bin/python3 tools/convert_official.py [NPZ] [OUT.fbnn]
       /usr/bin/python3 tools/convert_official.py --imagenet CHECKPOINT OUT.fbnn

--imagenet converts a checkpoint of the authors' ImageNet model
(model/fracbnn_imagenet.py of their release: a state_dict or {'state_dict':
...}, optional 'module.' prefixes, teacher keys ignored) with torch; see
tools/fracbnn_mobile_export.py and docs/IMAGENET.md. Without it, numpy only. The network is the one of FRACBNN.md; the graph is built with
tools/fbnn_format.py and follows models/FORMAT.md.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fbnn_format as ff  # noqa: E402

CIFAR10_LABELS = ["airplane", "automobile", "bird", "cat", "deer",
                  "dog", "frog", "horse", "ship", "truck"]


def build_resnet_graph(p, name, labels, in_ch=3, in_hw=(32, 32), resolution=8,
                       bits=32, stages=(3, 3, 3), colour=None, invert=0):
    """Build the FracBNN ResNet graph from folded parameters.

    `p(key)` returns a float32 array for keys named like the released npz
    (conv1_weight, bn1_weight, layer{s}_{b}_conv1_weight, ...).
    """
    g = ff.GraphBuilder(name=name, labels=labels, colour=colour or in_ch, invert=invert)
    x = g.input(in_ch, *in_hw)
    t = g.thermometer(x, resolution=resolution, bits=bits)
    x = g.affine(g.bconv(t, p("conv1_weight"), stride=1, pad=1), p("bn1_weight"), p("bn1_bias"))
    for s, nblocks in enumerate(stages, start=1):
        for b in range(nblocks):
            pre = "layer%d_%d_" % (s, b)
            w1 = p(pre + "conv1_weight")
            stride = 2 if (s > 1 and b == 0) else 1
            c_in, c_out = g.shape(x)[0], w1.shape[0]
            o = g.pgconv(g.quant2(x), w1, p(pre + "conv1_threshold"), stride=stride, pad=1)
            o = g.affine(o, p(pre + "bn1_weight"), p(pre + "bn1_bias"))
            o = g.rprelu(o, p(pre + "rprelu1_shift_x_bias"), p(pre + "rprelu1_prelu_weight"),
                         p(pre + "rprelu1_shift_y_bias"))
            if stride == 1 and c_in == c_out:
                sc = x
            else:
                if c_out != 2 * c_in or stride != 2:
                    raise ff.FormatError("%s: shortcut %d->%d stride %d is not the FracBNN "
                                         "avgpool+duplicate shortcut" % (pre, c_in, c_out, stride))
                sc = g.avgpool(x, k=2, stride=2, dup=2)
            x1 = g.affine(g.add(o, sc), p(pre + "bn3_weight"), p(pre + "bn3_bias"))
            o = g.pgconv(g.quant2(x1), p(pre + "conv2_weight"), p(pre + "conv2_threshold"),
                         stride=1, pad=1)
            o = g.affine(o, p(pre + "bn2_weight"), p(pre + "bn2_bias"))
            o = g.rprelu(o, p(pre + "rprelu2_shift_x_bias"), p(pre + "rprelu2_prelu_weight"),
                         p(pre + "rprelu2_shift_y_bias"))
            x = g.affine(g.add(o, x1), p(pre + "bn4_weight"), p(pre + "bn4_bias"))
    gp = g.global_avgpool(x)
    g.set_output(g.fc(gp, p("linear_weight"), p("linear_bias")))
    return g


def main(argv):
    if len(argv) > 1 and argv[1] == "--imagenet":
        if len(argv) != 4:
            raise ff.FormatError("usage: convert_official.py --imagenet CHECKPOINT OUT.fbnn")
        import fracbnn_mobile_export as fx
        n, g = fx.convert_imagenet(argv[2], argv[3])
        print("wrote %s: %d bytes, %d ops, %d tensors, %d classes" % (argv[3], n, len(g.ops), len(g.tensors),
                                                                      len(g.labels)))
        return
    here = os.path.dirname(os.path.abspath(__file__))
    npz = argv[1] if len(argv) > 1 else os.path.join(here, "..", "..", "shared", "data",
                                                     "fracbnn_cifar10_official.npz")
    out = argv[2] if len(argv) > 2 else os.path.join(here, "..", "models", "cifar10_fracbnn.fbnn")
    d = np.load(npz)

    def p(key):
        if key not in d.files:
            raise ff.FormatError("missing array %r in %s" % (key, npz))
        return d[key].astype(np.float32)

    for k in d.files:
        if k.endswith("conv1_weight") or k.endswith("conv2_weight"):
            if np.any(d[k] == 0):
                raise ff.FormatError("%s has exact zeros: sign() would be 0, not +-1" % k)
    g = build_resnet_graph(p, "FracBNN ResNet-20 CIFAR-10 (official release, BSD-3)",
                           CIFAR10_LABELS)
    n = g.save(out)
    print("wrote %s: %d bytes, %d ops, %d tensors" % (out, n, len(g.ops), len(g.tensors)))


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (ff.FormatError, OSError) as e:
        sys.stderr.write("convert_official: error: %s\n" % e)
        sys.exit(1)

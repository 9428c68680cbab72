"""Fashion-MNIST models of the review's classic methods.

Both take uint8 [N,1,28,28] and use the FINN layer order conv -> BN ->
sign -> maxpool over bits.

BinaryNetFM: thermometer-encodes the pixels (R=32 -> 8 binary channels) so
             that every layer is binary, including the first conv and the
             classifier's hidden layer; the last binary FC's BN becomes
             bfc's per-class scale + bias.
XnorNetFM:   real first layer (stem="real": float 3x3 conv with bias over
             pixels / 255 -> BN -> sign, exported as rconv + affine + sign),
             then binary convs/FC with per-channel alpha = mean|W|, folded
             into the thresholds / the bfc scale; real last layer (float FC
             over a PReLU of the real-valued binary-FC output).
             stem="thermometer" is the first sessions' variant (binary first
             conv over the thermometer code), kept so their checkpoints load.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import os
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fracbnn_torch.layers import thermometer  # noqa: E402
from .layers import Act, BinConv2d, BinLinear  # noqa: E402

RESOLUTION = 32
BITS = 8


class _Body(nn.Module):
    """Binary convs 3x3 (pad 0-valued, stride 1), each conv -> BN -> act,
    then a 2x2 max pool where the plan says so. plan: ((cout, pool), ...)."""

    def __init__(self, plan, binary_act, alpha, cin=BITS):
        super().__init__()
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        self.pool_after = []
        for cout, pool in plan:
            self.convs.append(BinConv2d(cin, cout, 3, 1, 1, alpha=alpha))
            self.bns.append(nn.BatchNorm2d(cout))
            self.pool_after.append(bool(pool))
            cin = cout
        self.act = Act(binary_act)
        self.out_ch = cin

    def forward(self, x):
        for conv, bn, pool in zip(self.convs, self.bns, self.pool_after):
            x = self.act(bn(conv(x)))
            if pool:
                x = F.max_pool2d(x, 2)
        return x


def _plan(widths):
    """widths (a, b, c): conv a + pool (28 -> 14), conv b + pool (-> 7), conv c."""
    return tuple((w, i < 2) for i, w in enumerate(widths))


class BinaryNetFM(nn.Module):
    def __init__(self, widths=(32, 64, 64), hidden=256, binary_act=True):
        super().__init__()
        self.config = dict(kind="binarynet", widths=list(widths), hidden=hidden, binary_act=binary_act)
        self.body = _Body(_plan(widths), binary_act, alpha=False)
        nin = self.body.out_ch * 7 * 7
        self.fc1 = BinLinear(nin, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = BinLinear(hidden, 10)
        self.bn2 = nn.BatchNorm1d(10)
        self.act = Act(binary_act)

    def forward(self, x_u8):
        x = thermometer(x_u8, RESOLUTION, BITS)
        x = self.body(x).flatten(1)
        x = self.act(self.bn1(self.fc1(x)))
        return self.bn2(self.fc2(x))


class XnorNetFM(nn.Module):
    def __init__(self, widths=(32, 64, 64), hidden=256, binary_act=True, stem="real"):
        super().__init__()
        if stem not in ("real", "thermometer"):
            raise ValueError("stem must be 'real' or 'thermometer', not %r" % (stem,))
        self.config = dict(kind="xnornet", widths=list(widths), hidden=hidden, binary_act=binary_act, stem=stem)
        plan = _plan(widths)
        if stem == "real":
            # XNOR-Net keeps the first layer real: conv over pixels / 255
            # (the exporter folds the 1/255 into the rconv weights).
            self.stem = nn.Conv2d(1, widths[0], 3, 1, 1, bias=True)
            self.stem_bn = nn.BatchNorm2d(widths[0])
            self.stem_act = Act(binary_act)
            self.stem_pool = plan[0][1]
            self.body = _Body(plan[1:], binary_act, alpha=True, cin=widths[0])
        else:
            self.stem = None
            self.body = _Body(plan, binary_act, alpha=True)
        nin = self.body.out_ch * 7 * 7
        self.fc1 = BinLinear(nin, hidden, alpha=True)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.prelu = nn.PReLU(hidden, init=0.25)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x_u8):
        if self.stem is not None:
            x = self.stem_act(self.stem_bn(self.stem(x_u8.float() * (1.0 / 255.0))))
            if self.stem_pool:
                x = F.max_pool2d(x, 2)
        else:
            x = thermometer(x_u8, RESOLUTION, BITS)
        x = self.body(x).flatten(1)
        x = self.prelu(self.bn1(self.fc1(x)))
        return self.fc2(x)


def build(config):
    """Model of a checkpoint's config (xnornet checkpoints without a "stem"
    key are the thermometer variant)."""
    if config["kind"] == "binarynet":
        return BinaryNetFM(tuple(config["widths"]), config["hidden"], config["binary_act"])
    return XnorNetFM(tuple(config["widths"]), config["hidden"], config["binary_act"],
                     config.get("stem", "thermometer"))

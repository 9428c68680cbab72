"""CIFAR-style FracBNN ResNet (ResNet-20 layout, configurable width/depth) and
its exact float32 evaluation path.

State-dict keys follow the authors' release (conv1.weight, bn1.*,
layer{s}.{b}.conv{1,2}.{weight,threshold}, layer{s}.{b}.bn{1-4}.*,
layer{s}.{b}.rprelu{1,2}.{shift_x.bias,shift_y.bias,prelu.weight},
linear.{weight,bias}), so one exporter handles both.

In eval mode with binary weights, forward() runs `exact_forward`, which
computes the float32 arithmetic of models/FORMAT.md operation by operation
(BN folded to y = a*x + b, exact integer conv sums, fixed summation orders),
bit-identical to tools/fbnn_format.run_reference on the exported file.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import BinaryConv2d, PGBinaryConv2d, RPReLU, Thermometer, thermometer, quant2

BN_EPS = 1e-5
F32_LOWEST = -3.4028234663852886e38   # threshold used when the gate is disabled


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, threshold_init=3.0):
        super().__init__()
        self.stride = stride
        if not (stride == 1 and cin == cout) and not (stride == 2 and cout == 2 * cin):
            raise ValueError("unsupported block %d->%d stride %d" % (cin, cout, stride))
        self.conv1 = PGBinaryConv2d(cin, cout, 3, stride, 1, threshold_init)
        self.bn1 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.rprelu1 = RPReLU(cout)
        self.bn3 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.conv2 = PGBinaryConv2d(cout, cout, 3, 1, 1, threshold_init)
        self.bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.rprelu2 = RPReLU(cout)
        self.bn4 = nn.BatchNorm2d(cout, eps=BN_EPS)

    def forward(self, x):
        o = self.rprelu1(self.bn1(self.conv1(x)))
        if self.stride == 1:
            sc = x
        else:
            p = F.avg_pool2d(x, 2, 2)
            sc = torch.cat([p, p], 1)
        x1 = self.bn3(o + sc)
        o = self.rprelu2(self.bn2(self.conv2(x1)))
        return self.bn4(o + x1)


class PhasedNet(nn.Module):
    """The training phases of a FracBNN network (FracResNet, FracMobileNet):
    a subclass returns its binary stem conv from stem_conv()."""

    def set_phase(self, phase):
        """1: 2-bit activations, float weights; 2: binary weights; 3: PG gate on."""
        self.phase = int(phase)
        self.stem_conv().binary = phase >= 2
        for m in self.pg_convs():
            m.binary = phase >= 2
            m.gate = phase >= 3

    def pg_convs(self):
        return [m for m in self.modules() if isinstance(m, PGBinaryConv2d)]


class FracResNet(PhasedNet):
    """stem: thermometer -> binary conv 3x3 -> BN; 3 stages of `blocks` blocks
    (widths w, 2w, 4w; stages 2 and 3 start with stride 2); GAP; FC."""

    def __init__(self, in_ch=1, in_hw=28, num_classes=10, width=16, blocks=(3, 3, 3),
                 resolution=8, threshold_init=3.0):
        super().__init__()
        self.config = dict(in_ch=in_ch, in_hw=in_hw, num_classes=num_classes, width=width,
                           blocks=list(blocks), resolution=resolution,
                           threshold_init=threshold_init)
        self.encoder = Thermometer(resolution)
        self.bits = self.encoder.bits
        self.conv1 = BinaryConv2d(in_ch * self.bits, width, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(width, eps=BN_EPS)
        c = width
        for s, nb in enumerate(blocks, start=1):
            layers = []
            for b in range(nb):
                stride = 2 if (s > 1 and b == 0) else 1
                cout = c * 2 if stride == 2 else c
                layers.append(BasicBlock(c, cout, stride, threshold_init))
                c = cout
            setattr(self, "layer%d" % s, nn.Sequential(*layers))
        self.nstages = len(blocks)
        self.linear = nn.Linear(c, num_classes)
        self.phase = 3
        self.set_phase(3)

    def stem_conv(self):
        return self.conv1

    def forward_train(self, x_u8):
        x = self.encoder(x_u8)
        x = self.bn1(self.conv1(x))
        for s in range(1, self.nstages + 1):
            x = getattr(self, "layer%d" % s)(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.linear(x)

    def forward(self, x_u8):
        if not self.training and self.phase >= 2:
            return exact_forward(folded_params(self), self.config, x_u8)
        return self.forward_train(x_u8)


# ---------------------------------------------------------------------------
# folding (the single source of the exported numbers)
# ---------------------------------------------------------------------------
def fold_bn(weight, bias, mean, var, eps=BN_EPS):
    """a = gamma / sqrt(var + eps), b = beta - mean * a, all in float32."""
    f = lambda t: torch.as_tensor(t).detach().to(torch.float32).reshape(-1).cpu()  # noqa: E731
    g, be, mu, v = f(weight), f(bias), f(mean), f(var)
    a = g / torch.sqrt(v + torch.tensor(eps, dtype=torch.float32))
    b = be - mu * a
    return a, b


def folded_params(src, gate=None, eps=BN_EPS):
    """Folded float32 parameters named like the released npz.

    `src` is a FracResNet or a state_dict (optionally with a `module.` prefix).
    Returns {name: float32 tensor}: conv weights as {-1,+1} (w > 0), thresholds
    [C], BN folded to *_weight (a) / *_bias (b), rprelu *_shift_x_bias etc.
    If the gate is disabled (phase < 3), thresholds become the lowest float32
    so that the PG conv always uses the full 2-bit product.
    """
    if isinstance(src, FracResNet):
        if gate is None:
            gate = src.phase >= 3
        sd = src.state_dict()
    else:
        sd = src
        if gate is None:
            gate = True
    sd = {(k[7:] if k.startswith("module.") else k): v for k, v in sd.items()}
    out = {}

    def get(k):
        if k not in sd:
            raise KeyError(k)
        return sd[k].detach().to(torch.float32).cpu()

    def bn(prefix, name):
        a, b = fold_bn(get(prefix + ".weight"), get(prefix + ".bias"),
                       get(prefix + ".running_mean"), get(prefix + ".running_var"), eps)
        out[name + "_weight"], out[name + "_bias"] = a, b

    def sign(w):
        return torch.where(w > 0, 1.0, -1.0).to(torch.float32)

    out["conv1_weight"] = sign(get("conv1.weight"))
    bn("bn1", "bn1")
    s = 1
    while any(k.startswith("layer%d." % s) for k in sd):
        b = 0
        while any(k.startswith("layer%d.%d." % (s, b)) for k in sd):
            pre, npre = "layer%d.%d." % (s, b), "layer%d_%d_" % (s, b)
            for c in (1, 2):
                out[npre + "conv%d_weight" % c] = sign(get(pre + "conv%d.weight" % c))
                thr = get(pre + "conv%d.threshold" % c).reshape(-1)
                if not gate:
                    thr = torch.full_like(thr, F32_LOWEST)
                out[npre + "conv%d_threshold" % c] = thr
                out[npre + "rprelu%d_shift_x_bias" % c] = get(pre + "rprelu%d.shift_x.bias" % c).reshape(-1)
                out[npre + "rprelu%d_shift_y_bias" % c] = get(pre + "rprelu%d.shift_y.bias" % c).reshape(-1)
                out[npre + "rprelu%d_prelu_weight" % c] = get(pre + "rprelu%d.prelu.weight" % c).reshape(-1)
            for i in (1, 2, 3, 4):
                bn(pre + "bn%d" % i, npre + "bn%d" % i)
            b += 1
        s += 1
    out["linear_weight"] = get("linear.weight")
    out["linear_bias"] = get("linear.bias").reshape(-1)
    return out


# ---------------------------------------------------------------------------
# exact float32 path (FORMAT.md semantics)
# ---------------------------------------------------------------------------
def _conv_sum(x, w, stride, pad):
    """Exact integer conv sums of {-1,+1} tensors, returned as float64 integers.

    Every partial sum is an integer of magnitude <= K*K*Ci < 2^24, so a float32
    convolution by direct summation (im2col + GEMM) is exact in any order. The
    oneDNN backend is disabled here on purpose: for some batch sizes it picks
    a transform-based algorithm (Winograd) whose rounding errors exceed 0.5 on
    these sums, which round() cannot repair (found on the Fashion-MNIST test
    split: 202 of 10000 predictions differed from fbnn_format.run_reference).
    """
    if w.shape[1] * w.shape[2] * w.shape[3] >= (1 << 24):
        raise ValueError("conv sum does not fit in 24 bits")
    with torch.backends.mkldnn.flags(enabled=False):
        y = F.conv2d(x.to(torch.float32), w.to(torch.float32), None, stride, pad)
    r = torch.round(y)
    if not torch.equal(r, y):
        raise ArithmeticError("inexact binary conv sum")
    return r.to(torch.float64)


def _div(x, d):
    return x / torch.full_like(x, float(d))   # true IEEE f32 division by a tensor


def _affine(x, a, b):
    return (x * a.view(1, -1, 1, 1)) + b.view(1, -1, 1, 1)


def _rprelu(x, bx, slope, by):
    t = x + bx.view(1, -1, 1, 1)
    t = torch.where(t > 0, t, slope.view(1, -1, 1, 1) * t)
    return t + by.view(1, -1, 1, 1)


def _pgconv(x, w, thr, stride, stats=None, key=None, pad=1):
    """PG conv of FORMAT.md in exact float32 (also the mobile network's, whose
    1x1 convs have pad 0): Q2 planes, integer sums, fl(n/3), the gate."""
    m, l = quant2(x)
    sm = _conv_sum(m, w, stride, pad)
    sl = _conv_sum(l, w, stride, pad)
    o_msb = _div((2 * sm).to(torch.float32), 3)
    o_full = _div((2 * sm + sl).to(torch.float32), 3)
    gate = o_msb > thr.view(1, -1, 1, 1)
    if stats is not None:
        f, t = stats.get(key, (0, 0))
        stats[key] = (f + int(gate.sum()), t + gate.numel())
    return torch.where(gate, o_full, o_msb)


def _avgpool2(x):
    n, c, h, w = x.shape
    ho, wo = (h - 2) // 2 + 1, (w - 2) // 2 + 1
    acc = torch.zeros(n, c, ho, wo, dtype=torch.float32)
    for ky in range(2):
        for kx in range(2):
            acc = acc + x[:, :, ky:ky + 2 * (ho - 1) + 1:2, kx:kx + 2 * (wo - 1) + 1:2]
    return _div(acc, 4)


def _gap_fc(x, wt, bias):
    """The head of both networks: global average pool (sum over positions in
    order, then fl(sum / HW)) and the float FC (inputs accumulated in order)."""
    n, c, h, w = x.shape
    flat = x.reshape(n, c, h * w)
    acc = torch.zeros(n, c, dtype=torch.float32)
    for i in range(h * w):
        acc = acc + flat[:, :, i]
    g = _div(acc, h * w)
    acc = torch.zeros(n, wt.shape[0], dtype=torch.float32)
    for i in range(g.shape[1]):
        acc = acc + g[:, i:i + 1] * wt[:, i].view(1, -1)
    return acc + bias.view(1, -1)


def exact_forward(p, config, x_u8, stats=None):
    """FORMAT.md float32 semantics of the FracBNN ResNet, from folded params.

    `stats`, if a dict, receives per-PG-conv (fired, total) keyed by param name.
    """
    with torch.no_grad():
        x_u8 = torch.as_tensor(x_u8)
        t = thermometer(x_u8, config["resolution"], None, torch.float32)
        x = _conv_sum(t, p["conv1_weight"], 1, 1).to(torch.float32)
        x = _affine(x, p["bn1_weight"], p["bn1_bias"])
        for s, nb in enumerate(config["blocks"], start=1):
            for b in range(nb):
                pre = "layer%d_%d_" % (s, b)
                stride = 2 if (s > 1 and b == 0) else 1
                o = _pgconv(x, p[pre + "conv1_weight"], p[pre + "conv1_threshold"], stride,
                            stats, pre + "conv1")
                o = _affine(o, p[pre + "bn1_weight"], p[pre + "bn1_bias"])
                o = _rprelu(o, p[pre + "rprelu1_shift_x_bias"], p[pre + "rprelu1_prelu_weight"],
                            p[pre + "rprelu1_shift_y_bias"])
                if stride == 1:
                    sc = x
                else:
                    pp = _avgpool2(x)
                    sc = torch.cat([pp, pp], 1)
                x1 = _affine(o + sc, p[pre + "bn3_weight"], p[pre + "bn3_bias"])
                o = _pgconv(x1, p[pre + "conv2_weight"], p[pre + "conv2_threshold"], 1,
                            stats, pre + "conv2")
                o = _affine(o, p[pre + "bn2_weight"], p[pre + "bn2_bias"])
                o = _rprelu(o, p[pre + "rprelu2_shift_x_bias"], p[pre + "rprelu2_prelu_weight"],
                            p[pre + "rprelu2_shift_y_bias"])
                x = _affine(o + x1, p[pre + "bn4_weight"], p[pre + "bn4_bias"])
        return _gap_fc(x, p["linear_weight"], p["linear_bias"])

"""The FracBNN ImageNet network (a ReActNet / MobileNet-V1 style binary net,
paper section 5 and the authors' model/fracbnn_imagenet.py), configurable so
that a scaled-down copy trains on Fashion-MNIST.

Module names follow the authors' release so that their state_dict loads
unchanged:

  model.0.0.weight                 stem binary conv 3x3 (stride 2 on ImageNet)
  model.0.1.*                      stem BatchNorm
  model.{i}.conv3x3.0.{weight,threshold}   PG conv 3x3, in -> in, stride s, pad 1
  model.{i}.conv3x3.1.*            its BatchNorm
  model.{i}.pointwise.0.{weight,threshold} PG conv 1x1, in -> out, pad 0
  model.{i}.pointwise.1.*          its BatchNorm
  model.{i}.rprelu{1,2}.{shift_x.bias,shift_y.bias,prelu.weight}
  model.{i}.shiftbn{1,2}.*         the BatchNorms after the shortcut adds
  fc.{weight,bias}                 float FC

Block i (in, out, stride), with Q2 the 2-bit sign quantiser feeding a PG conv
and Q4 the 4-bit shortcut quantiser (clamp to [-1,1], 16 levels, step 2/15):

  x1 = shiftbn1( rprelu1(bn(conv3x3(Q2(x)))) + shortcut1(Q4(x)) )
  y  = shiftbn2( rprelu2(bn(pointwise(Q2(x1)))) + shortcut2(Q4(x1)) )

shortcut1 = 2x2 average pool (stride 2) when s = 2, identity otherwise;
shortcut2 = cat(v, v) when out = 2 in, identity when out = in. The head is an
average pool over the whole final map (7x7 on ImageNet) and the FC.

The authors' model has no `layer*` names and keeps the thermometer encoder's
`placeholder` buffer, the de-normalisation buffers `img_mean`/`img_std` and a
ResNet-50 `teacher.*`; those keys carry no parameters of the student and are
ignored by the exporter.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import BinaryConv2d, PGBinaryConv2d, RPReLU, Thermometer, thermometer, quant2
from .model import (PhasedNet, fold_bn, _conv_sum, _affine, _rprelu, _pgconv, _avgpool2, _gap_fc,
                    F32_LOWEST, BN_EPS)

IMAGENET_BLOCKS = [(32, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2), (256, 256, 1),
                   (256, 512, 2)] + [(512, 512, 1)] * 5 + [(512, 1024, 2), (1024, 1024, 1)]

# the exact float32 step of the 4-bit shortcut quantiser: 2/15 correctly rounded
Q4_LO, Q4_HI, Q4_BITS = -1.0, 1.0, 4


def quant4_value(x):
    """Q4 forward in float32: round((clamp(x,-1,1) + 1) / d) * d - 1, d = f32(2/15),
    round half to even (torch.round); the same operations as the quant_uniform op."""
    d = torch.tensor(2.0, dtype=torch.float32) / torch.tensor(15.0, dtype=torch.float32)
    c = torch.clamp(x, Q4_LO, Q4_HI)
    return torch.round((c - Q4_LO) / d) * d + Q4_LO


class QuantSign4(torch.autograd.Function):
    """4-bit shortcut quantiser; gradient 1 for |x| < 1 (the authors' STE)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return quant4_value(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() < 1).to(g.dtype)


class Dup(nn.Module):
    """cat(v, v) on the channel axis (the authors' LambdaLayer)."""

    def forward(self, x):
        return torch.cat((x, x), 1)


class MobileBlock(nn.Module):
    def __init__(self, cin, cout, stride, threshold_init=-1.0):
        super().__init__()
        if cout not in (cin, 2 * cin) or stride not in (1, 2):
            raise ValueError("unsupported block %d->%d stride %d" % (cin, cout, stride))
        self.cin, self.cout, self.stride = cin, cout, stride
        self.conv3x3 = nn.Sequential(PGBinaryConv2d(cin, cin, 3, stride, 1, threshold_init),
                                     nn.BatchNorm2d(cin, eps=BN_EPS))
        self.shortcut1 = nn.AvgPool2d(2, 2) if stride == 2 else nn.Sequential()
        self.pointwise = nn.Sequential(PGBinaryConv2d(cin, cout, 1, 1, 0, threshold_init),
                                       nn.BatchNorm2d(cout, eps=BN_EPS))
        self.shortcut2 = Dup() if cout == 2 * cin else nn.Sequential()
        self.rprelu1 = RPReLU(cin)
        self.rprelu2 = RPReLU(cout)
        self.shiftbn1 = nn.BatchNorm2d(cin, eps=BN_EPS)
        self.shiftbn2 = nn.BatchNorm2d(cout, eps=BN_EPS)

    def forward(self, x):
        # PGBinaryConv2d applies Q2 to its input itself
        x = self.shiftbn1(self.rprelu1(self.conv3x3(x)) + self.shortcut1(QuantSign4.apply(x)))
        return self.shiftbn2(self.rprelu2(self.pointwise(x)) + self.shortcut2(QuantSign4.apply(x)))


class Stem(nn.Sequential):
    def __init__(self, cin, cout, stride):
        super().__init__(BinaryConv2d(cin, cout, 3, stride, 1), nn.BatchNorm2d(cout, eps=BN_EPS))


class FracMobileNet(PhasedNet):
    """thermometer -> stem (binary 3x3, stride `stem_stride`) + BN -> blocks ->
    average pool over the final map -> FC. Defaults are the ImageNet network."""

    def __init__(self, in_ch=3, in_hw=224, num_classes=1000, stem_out=32, stem_stride=2,
                 blocks=None, resolution=8, threshold_init=-1.0):
        super().__init__()
        blocks = [tuple(b) for b in (IMAGENET_BLOCKS if blocks is None else blocks)]
        self.config = dict(arch="mobile", in_ch=in_ch, in_hw=in_hw, num_classes=num_classes,
                           stem_out=stem_out, stem_stride=stem_stride,
                           blocks=[list(b) for b in blocks], resolution=resolution,
                           threshold_init=threshold_init)
        self.encoder = Thermometer(resolution)
        self.bits = self.encoder.bits
        mods = [Stem(in_ch * self.bits, stem_out, stem_stride)]
        c = stem_out
        for cin, cout, s in blocks:
            if cin != c:
                raise ValueError("block input %d does not follow %d channels" % (cin, c))
            mods.append(MobileBlock(cin, cout, s, threshold_init))
            c = cout
        self.model = nn.Sequential(*mods)
        self.fc = nn.Linear(c, num_classes)
        self.phase = 3
        self.set_phase(3)

    def stem_conv(self):
        return self.model[0][0]

    def forward_train(self, x_u8):
        x = self.model(self.encoder(x_u8))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)

    def forward(self, x_u8):
        if not self.training and self.phase >= 2:
            return mobile_exact_forward(mobile_folded_params(self.state_dict(), self.config,
                                                             gate=self.phase >= 3),
                                        self.config, x_u8)
        return self.forward_train(x_u8)


# ---------------------------------------------------------------------------
# folding and the exact float32 path (models/FORMAT.md semantics)
# ---------------------------------------------------------------------------
def strip_prefix(sd):
    return {(k[7:] if k.startswith("module.") else k): v for k, v in sd.items()}


def mobile_folded_params(sd, config, gate=True):
    """{name: float32 tensor} from a state_dict laid out like the authors'
    model: conv weights as {-1,+1} (w > 0), thresholds [C] (the lowest float32
    when gate=False), every BatchNorm folded to (a, b) with eps 1e-5."""
    sd = strip_prefix(sd)

    def get(k):
        return torch.as_tensor(sd[k]).detach().to(torch.float32).cpu()

    def sign(w):
        return torch.where(w > 0, 1.0, -1.0).to(torch.float32)

    out = {}

    def bn(prefix, name):
        out[name + "_a"], out[name + "_b"] = fold_bn(get(prefix + ".weight"), get(prefix + ".bias"),
                                                     get(prefix + ".running_mean"),
                                                     get(prefix + ".running_var"))

    out["stem_w"] = sign(get("model.0.0.weight"))
    bn("model.0.1", "stem_bn")
    for i in range(1, len(config["blocks"]) + 1):
        pre, n = "model.%d." % i, "b%d_" % i
        for conv, c in (("conv3x3", 1), ("pointwise", 2)):
            out[n + "w%d" % c] = sign(get(pre + conv + ".0.weight"))
            thr = get(pre + conv + ".0.threshold").reshape(-1)
            out[n + "thr%d" % c] = thr if gate else torch.full_like(thr, F32_LOWEST)
            bn(pre + conv + ".1", n + "bn%d" % c)
            for f, short in (("shift_x.bias", "bx"), ("prelu.weight", "sl"), ("shift_y.bias", "by")):
                out[n + "rp%d_%s" % (c, short)] = get(pre + "rprelu%d.%s" % (c, f)).reshape(-1)
            bn(pre + "shiftbn%d" % c, n + "sbn%d" % c)
    out["fc_w"] = get("fc.weight")
    out["fc_b"] = get("fc.bias").reshape(-1)
    return out


def mobile_exact_forward(p, config, x_u8, stats=None):
    """The float32 arithmetic of the exported graph, op by op (bit-identical to
    fbnn_format.run_reference and the C library). `stats` (a dict) receives
    per-PG-conv (fired, total)."""
    with torch.no_grad():
        x_u8 = torch.as_tensor(x_u8)
        t = thermometer(x_u8, config["resolution"], None, torch.float32)
        x = _conv_sum(t, p["stem_w"], config["stem_stride"], 1).to(torch.float32)
        x = _affine(x, p["stem_bn_a"], p["stem_bn_b"])
        for i, (cin, cout, s) in enumerate(config["blocks"], start=1):
            n = "b%d_" % i
            o = _pgconv(x, p[n + "w1"], p[n + "thr1"], s, stats, n + "conv3x3", pad=1)
            o = _rprelu(_affine(o, p[n + "bn1_a"], p[n + "bn1_b"]), p[n + "rp1_bx"], p[n + "rp1_sl"],
                        p[n + "rp1_by"])
            sc = quant4_value(x)
            if s == 2:
                sc = _avgpool2(sc)
            x1 = _affine(o + sc, p[n + "sbn1_a"], p[n + "sbn1_b"])
            o = _pgconv(x1, p[n + "w2"], p[n + "thr2"], 1, stats, n + "pointwise", pad=0)
            o = _rprelu(_affine(o, p[n + "bn2_a"], p[n + "bn2_b"]), p[n + "rp2_bx"], p[n + "rp2_sl"],
                        p[n + "rp2_by"])
            sc = quant4_value(x1)
            if cout == 2 * cin:
                sc = torch.cat([sc, sc], 1)
            x = _affine(o + sc, p[n + "sbn2_a"], p[n + "sbn2_b"])
        return _gap_fc(x, p["fc_w"], p["fc_b"])

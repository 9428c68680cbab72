"""FracBNN building blocks with straight-through estimators.

Forward semantics follow models/FORMAT.md exactly (thermometer, Q2, binary
weights w > 0 -> +1, PG conv gating); backward passes are the usual STEs.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

F32_TWO_THIRDS = float(torch.tensor(2.0, dtype=torch.float32) / torch.tensor(3.0, dtype=torch.float32))


# ---------------------------------------------------------------------------
# thermometer input encoding
# ---------------------------------------------------------------------------
def thermometer_levels(p, resolution):
    """n = round_half_even(p / R) on integer pixels p (exact integer arithmetic)."""
    p = p.to(torch.int32)
    q = torch.div(p, resolution, rounding_mode="floor")
    r = p - q * resolution
    twice = 2 * r
    up = (twice > resolution) | ((twice == resolution) & (q % 2 == 1))
    return q + up.to(torch.int32)


def thermometer(x_u8, resolution=8, bits=None, dtype=torch.float32):
    """uint8 [N,C,H,W] -> {-1,+1} [N,C*B,H,W]; channel c*B+k is +1 iff k < n."""
    if bits is None:
        bits = int(round(255.0 / resolution))
    n, c, h, w = x_u8.shape
    lv = thermometer_levels(x_u8, resolution)
    k = torch.arange(bits, dtype=torch.int32, device=x_u8.device).view(1, 1, bits, 1, 1)
    y = torch.where(k < lv.unsqueeze(2), 1.0, -1.0).to(dtype)
    return y.reshape(n, c * bits, h, w)


class Thermometer(nn.Module):
    def __init__(self, resolution=8, bits=None):
        super().__init__()
        self.resolution = int(resolution)
        self.bits = int(round(255.0 / resolution)) if bits is None else int(bits)

    def forward(self, x_u8):
        return thermometer(x_u8, self.resolution, self.bits)


# ---------------------------------------------------------------------------
# 2-bit activation with STE
# ---------------------------------------------------------------------------
def quant2(x):
    """Q2 of FORMAT.md (no gradient): levels -1, -1/3, +1/3, +1."""
    t = F32_TWO_THIRDS
    m = torch.where(x >= 0, 1.0, -1.0).to(x.dtype)
    l = torch.where((x > t) | ((x >= -t) & (x < 0)), 1.0, -1.0).to(x.dtype)
    return m, l


class QuantSign2(torch.autograd.Function):
    """Forward: q = (2m + l) / 3 (the Q2 levels); backward: identity for |x| < 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        # bucket index 0..3 via the three f32 cut points of FORMAT.md (-2/3, 0, 2/3)
        t = F32_TWO_THIRDS
        idx = (x >= -t).to(x.dtype)
        idx += (x >= 0).to(x.dtype)
        idx += (x > t).to(x.dtype)
        return idx.mul_(2.0).sub_(3.0).div_(3.0)   # (2*idx-3)/3 = (2m+l)/3 exactly

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() < 1).to(g.dtype)


class _Binarize(torch.autograd.Function):
    """w > 0 -> +1 else -1; clipped identity gradient (|w| <= 1)."""

    @staticmethod
    def forward(ctx, w):
        ctx.save_for_backward(w)
        return torch.where(w > 0, 1.0, -1.0).to(w.dtype)

    @staticmethod
    def backward(ctx, g):
        (w,) = ctx.saved_tensors
        return g * (w.abs() <= 1).to(g.dtype)


def binarize(w):
    return _Binarize.apply(w)


class SignSTE(torch.autograd.Function):
    """Forward x >= 0 -> +1 else -1 (FORMAT.md `sign`; unlike binarize, 0 maps
    to +1); backward hardtanh STE (identity for |x| <= 1). The sign activation
    of bnn_torch (BinaryNet / XNOR-Net) and of bnn_family's SignAct."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


class LearnableBias(nn.Module):
    """Per-channel bias of shape [1,C,1,1] (named like the authors' release)."""

    def __init__(self, c):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, x):
        return x + self.bias


class RPReLU(nn.Module):
    """y = PReLU(x + bx) + by, per channel."""

    def __init__(self, c, slope_init=0.25):
        super().__init__()
        self.shift_x = LearnableBias(c)
        self.prelu = nn.PReLU(c, init=slope_init)
        self.shift_y = LearnableBias(c)

    def forward(self, x):
        return self.shift_y(self.prelu(self.shift_x(x)))


class BinaryConv2d(nn.Conv2d):
    """Binary conv over a {-1,+1} input (the stem). Latent float weights; when
    `binary` is set the forward uses w > 0 -> +1 else -1 (STE)."""

    def __init__(self, cin, cout, kernel_size=3, stride=1, padding=1):
        super().__init__(cin, cout, kernel_size, stride, padding, bias=False)
        self.binary = True

    def forward(self, x):
        w = binarize(self.weight) if self.binary else self.weight
        return F.conv2d(x, w, None, self.stride, self.padding)


class PGBinaryConv2d(nn.Conv2d):
    """Precision-gated binary conv over Q2 activations.

    binary=False: float weights (step 1); gate=False: the full 2-bit conv
    (steps 1-2); gate=True (step 3): o_msb = conv(2m/3, w), out = o_full where
    o_msb > threshold, else o_msb; the gate's gradient is that of
    sigmoid(5 * (o_msb - threshold)).
    """

    def __init__(self, cin, cout, kernel_size=3, stride=1, padding=1, threshold_init=3.0):
        super().__init__(cin, cout, kernel_size, stride, padding, bias=False)
        self.threshold = nn.Parameter(torch.full((1, cout, 1, 1), float(threshold_init)))
        self.binary = True
        self.gate = True
        self.last_gate_frac = None   # detached mean gate (for a sparsity penalty / logging)
        self.last_gate_soft = None

    def forward(self, x):
        w = binarize(self.weight) if self.binary else self.weight
        q = QuantSign2.apply(x)
        if not self.gate:
            return F.conv2d(q, w, None, self.stride, self.padding)
        with torch.no_grad():
            msb_v = (q >= 0).to(q.dtype).mul_(4.0 / 3.0).sub_(2.0 / 3.0)
        msb = q + (msb_v - q).detach()
        both = F.conv2d(torch.cat([msb, q], 0), w, None, self.stride, self.padding)
        o_msb, o_full = both.chunk(2, 0)
        soft = torch.sigmoid(5.0 * (o_msb - self.threshold))
        hard = (o_msb > self.threshold).to(o_msb.dtype)
        g = hard + (soft - soft.detach())
        self.last_gate_frac = hard.mean().detach()
        self.last_gate_soft = soft.mean()
        return o_msb + g * (o_full - o_msb)

"""The review's BNN family (issue 18, part B) as PyTorch training modules:
DoReFa-style k-bit activations, ABC-Net multi-base binary weights and
Bi-Real-style real-valued shortcuts with a real-valued stem conv.

Forward semantics follow models/FORMAT.md (1.2 ops RCONV, QUANT_KBIT, KCONV):
  quant_kbit: code = round_half_even(clamp(x, 0, 1) * (2^P - 1)) (f32 multiply),
              the activation value is code / (2^P - 1);
  binary weights: w > 0 -> +1 else -1 (straight-through estimator).
Export: tools/export_bnn_family.py.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import binarize, SignSTE


class _QuantKbit(torch.autograd.Function):
    """clamp(x,0,1) quantised to 2^P levels; gradient: identity inside [0, 1]."""

    @staticmethod
    def forward(ctx, x, planes):
        ctx.save_for_backward(x)
        n = float(2 ** planes - 1)
        return torch.round(torch.clamp(x, 0.0, 1.0) * n) / n

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ((x >= 0) & (x <= 1)).to(g.dtype), None


class QuantKbit(nn.Module):
    """DoReFa activation quantiser; planes=0 means float activations clamp(x,0,1)."""

    def __init__(self, planes):
        super().__init__()
        self.planes = int(planes)

    def forward(self, x):
        if self.planes == 0:
            return torch.clamp(x, 0.0, 1.0)
        return _QuantKbit.apply(x, self.planes)


class SignAct(nn.Module):
    """x >= 0 -> +1 else -1 (FORMAT.md SIGN); binary=False: float (hardtanh)."""

    def __init__(self, binary=True):
        super().__init__()
        self.binary = binary

    def forward(self, x):
        return SignSTE.apply(x) if self.binary else F.hardtanh(x)


class MultiBaseConv2d(nn.Module):
    """Binary-weight conv over k-bit activations with M weight bases.

    M = 1 (DoReFa): y = alpha[co] * conv(a, sign(W)), alpha[co] = mean |W[co]|
    (detached). M > 1 (ABC-Net): B_m = sign(W - mean(W) + u_m * std(W)) with u
    spread evenly in [-1, 1]; y = sum_m alpha[m] * conv(a, B_m), alpha learned.
    Export: KCONV with A[m*Co + co] = alpha / (2^P - 1) (integer codes in C).
    """

    def __init__(self, cin, cout, k=3, stride=1, padding=1, bases=1):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(cout, cin, k, k))
        nn.init.kaiming_normal_(self.weight)
        self.k, self.stride, self.padding, self.bases = k, stride, padding, int(bases)
        if self.bases > 1:
            self.alpha = nn.Parameter(torch.full((self.bases,), 1.0 / self.bases))
            self.register_buffer("u", torch.linspace(-1.0, 1.0, self.bases))

    def binary_bases(self):
        """(list of M {-1,+1} weight tensors, alpha [M, Co]) as used in the forward."""
        w = self.weight
        co = w.shape[0]
        if self.bases == 1:
            alpha = w.detach().abs().mean(dim=(1, 2, 3)).view(1, co)
            return [binarize(w)], alpha
        wc = w - w.mean()
        std = w.detach().std()
        bs = [binarize(wc + self.u[m] * std) for m in range(self.bases)]
        return bs, self.alpha.view(-1, 1).expand(self.bases, co)

    def forward(self, a):
        bs, alpha = self.binary_bases()
        y = None
        for m, b in enumerate(bs):
            t = F.conv2d(a, b, None, self.stride, self.padding) * alpha[m].view(1, -1, 1, 1)
            y = t if y is None else y + t
        return y


class QuantNet(nn.Module):
    """DoReFa / ABC-Net plain CNN: real stem conv -> BN -> maxpool 2 ->
    [quant_kbit -> multi-base binary conv -> BN] x len(widths) -> GAP -> FC.
    planes = 0 trains the float-activation twin of the same recipe."""

    def __init__(self, planes=2, bases=1, stem=32, widths=(32, 64, 64, 128, 128), strides=(1, 2, 1, 2, 1)):
        super().__init__()
        self.config = dict(kind="quant", planes=planes, bases=bases, stem=stem, widths=list(widths),
                           strides=list(strides))
        self.stem = nn.Conv2d(1, stem, 3, 1, 1, bias=True)
        self.stem_bn = nn.BatchNorm2d(stem)
        self.quants, self.convs, self.bns = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c = stem
        for wdt, s in zip(widths, strides):
            self.quants.append(QuantKbit(planes))
            self.convs.append(MultiBaseConv2d(c, wdt, 3, s, 1, bases))
            self.bns.append(nn.BatchNorm2d(wdt))
            c = wdt
        self.fc = nn.Linear(c, 10)

    def forward(self, x_u8):
        x = x_u8.float() * (1.0 / 255.0)
        x = F.max_pool2d(self.stem_bn(self.stem(x)), 2)
        for q, cv, bn in zip(self.quants, self.convs, self.bns):
            x = bn(cv(q(x)))
        x = x.mean(dim=(2, 3))
        return self.fc(x)


class BiRealNet(nn.Module):
    """Bi-Real-style net: real stem conv -> BN -> maxpool 2 -> blocks
    y = BN(bconv(sign(x))) + shortcut(x), shortcut = identity, or (when the
    block downsamples or widens) avgpool 2 -> real 1x1 conv -> BN; -> GAP -> FC.
    binary=False trains the float-activation twin (hardtanh, binary weights kept)."""

    def __init__(self, binary=True, stem=32, widths=(48, 48, 96, 96, 192, 192), strides=(1, 1, 2, 1, 2, 1)):
        super().__init__()
        self.config = dict(kind="bireal", binary=binary, stem=stem, widths=list(widths), strides=list(strides))
        self.stem = nn.Conv2d(1, stem, 3, 1, 1, bias=True)
        self.stem_bn = nn.BatchNorm2d(stem)
        self.acts, self.convs, self.bns, self.scs = nn.ModuleList(), nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c, h = stem, 14
        for wdt, s in zip(widths, strides):
            self.acts.append(SignAct(binary))
            pad = 0 if (s == 2 and h % 2 == 1) else 1   # output = floor(h / 2), like the avgpool shortcut
            self.convs.append(MultiBaseConv2d(c, wdt, 3, s, pad, 1))
            h = (h + 2 * pad - 3) // s + 1
            self.bns.append(nn.BatchNorm2d(wdt))
            if s != 1 or wdt != c:
                self.scs.append(nn.Sequential(nn.AvgPool2d(s) if s > 1 else nn.Identity(),
                                              nn.Conv2d(c, wdt, 1, 1, 0, bias=False), nn.BatchNorm2d(wdt)))
            else:
                self.scs.append(nn.Identity())
            c = wdt
        self.fc = nn.Linear(c, 10)

    def forward(self, x_u8):
        x = x_u8.float() * (1.0 / 255.0)
        x = F.max_pool2d(self.stem_bn(self.stem(x)), 2)
        for act, cv, bn, sc in zip(self.acts, self.convs, self.bns, self.scs):
            w = binarize(cv.weight)
            x = bn(F.conv2d(act(x), w, None, cv.stride, cv.padding)) + sc(x)
        x = x.mean(dim=(2, 3))
        return self.fc(x)

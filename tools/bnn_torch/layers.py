"""Binary layers with straight-through estimators (BinaryNet / XNOR-Net)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import os
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# binarize: w > 0 -> +1, clipped STE; SignSTE: x >= 0 -> +1, hardtanh STE (shared with bnn_family)
from fracbnn_torch.layers import binarize, SignSTE  # noqa: E402


class ApproxSignSTE(SignSTE):
    """Forward as SignSTE (inherited); backward Bi-Real Net's ApproxSign: the
    derivative of the piecewise-quadratic approximation of sign, 2 - 2|x|
    for |x| < 1, 0 elsewhere."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = x.abs()
        return g * torch.where(a < 1, 2 - 2 * a, torch.zeros_like(a)).to(g.dtype)


STES = {"clip": SignSTE, "approxsign": ApproxSignSTE}


def sign_ste(x, ste="clip"):
    return STES[ste].apply(x)


class Act(nn.Module):
    """The activation of a recipe: sign (binary) or hardtanh (the
    float-activation comparison run of the same recipe). ste: the sign's
    backward, "clip" (hardtanh STE, 1 for |x| <= 1) or "approxsign"
    (Bi-Real Net, 2 - 2|x| for |x| < 1); it does not change the forward."""

    def __init__(self, binary=True, ste="clip"):
        super().__init__()
        self.binary = binary
        self.ste = ste

    def forward(self, x):
        return sign_ste(x, self.ste) if self.binary else F.hardtanh(x)


class BinConv2d(nn.Conv2d):
    """Binary-weight conv (zero padding, no bias). alpha=True: XNOR-Net
    per-output-channel scale mean|W| (detached from nothing: gradients flow
    through alpha as in the paper)."""

    def __init__(self, cin, cout, k=3, stride=1, padding=1, alpha=False):
        super().__init__(cin, cout, k, stride, padding, bias=False)
        self.alpha = alpha

    def scale(self):
        return self.weight.abs().mean(dim=(1, 2, 3))

    def forward(self, x):
        y = F.conv2d(x, binarize(self.weight), None, self.stride, self.padding)
        if self.alpha:
            y = y * self.scale().view(1, -1, 1, 1)
        return y


class BinLinear(nn.Linear):
    """Binary-weight fully connected layer (no bias); alpha as BinConv2d."""

    def __init__(self, cin, cout, alpha=False):
        super().__init__(cin, cout, bias=False)
        self.alpha = alpha

    def scale(self):
        return self.weight.abs().mean(dim=1)

    def forward(self, x):
        y = F.linear(x, binarize(self.weight))
        if self.alpha:
            y = y * self.scale().view(1, -1)
        return y

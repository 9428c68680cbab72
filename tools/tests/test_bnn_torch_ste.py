"""tools/bnn_torch: the two backward passes of the sign activation
(train.py --ste): clip (hardtanh STE, 1 for |x| <= 1) and approxsign
(Bi-Real Net's ApproxSign, 2 - 2|x| for |x| < 1); same forward."""
import torch

from bnn_torch.layers import Act, sign_ste

X = [-2.0, -1.5, -1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
CLIP = [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
APPROX = [0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 1.5, 1.0, 0.5, 0.0, 0.0, 0.0]


def grad(ste, upstream=None):
    x = torch.tensor(X, requires_grad=True)
    y = sign_ste(x, ste)
    y.backward(torch.ones_like(x) if upstream is None else upstream)
    return y.detach(), x.grad


def test_forward_same_for_both():
    want = [-1.0] * 6 + [1.0] * 7          # x >= 0 -> +1 (x = 0 included)
    for ste in ("clip", "approxsign"):
        y, _ = grad(ste)
        assert y.tolist() == want, ste


def test_clip_backward():
    _, g = grad("clip")
    assert g.tolist() == CLIP


def test_approxsign_backward():
    _, g = grad("approxsign")
    assert g.tolist() == APPROX
    # x = 0: 2; x = +-0.5: 1; x = +-1 and +-2: 0
    assert g[X.index(0.0)] == 2 and g[X.index(0.5)] == 1 and g[X.index(-0.5)] == 1
    assert g[X.index(1.0)] == 0 and g[X.index(-1.0)] == 0 and g[X.index(2.0)] == 0 and g[X.index(-2.0)] == 0


def test_backward_scales_upstream_gradient():
    up = torch.linspace(-3, 3, len(X))
    for ste, d in (("clip", CLIP), ("approxsign", APPROX)):
        _, g = grad(ste, up)
        assert torch.equal(g, up * torch.tensor(d)), ste


def test_act_module_uses_its_ste():
    x = torch.tensor(X, requires_grad=True)
    act = Act(binary=True, ste="approxsign")
    act(x).sum().backward()
    assert x.grad.tolist() == APPROX
    x.grad = None
    Act(binary=True).forward(x).sum().backward()   # default: clip
    assert x.grad.tolist() == CLIP

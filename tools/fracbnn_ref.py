#!/usr/bin/env python3
"""PyTorch float32 reference of the released FracBNN CIFAR-10 ResNet-20.

Built directly from the authors' folded parameters (the .npz), independently
of the .fbnn converter, following ../shared/docs/FRACBNN.md with the
float32 operation order of models/FORMAT.md section 4:
  - binary conv sums are exact integers (computed in float64, exact here);
  - PG scaling: f32(2*Sm)/3 and f32(2*Sm + Sl)/3, gate o_msb > threshold;
  - affine a*x then + b; RPReLU; residual adds; 2x2 avg pool summed in
    row-major order then /4; global pool summed pixel by pixel then /64;
    FC accumulated input by input from 0, then + bias.
It is the golden model of the C tests: its logits must equal the C
library's bit for bit.

Usage:
  /usr/bin/python3 tools/fracbnn_ref.py [--npz NPZ] [--data CIFAR.bin]
         [--logits OUT.f32] [--predictions OUT.txt]
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "data")
F32 = torch.float32
TWO_THIRDS = torch.tensor(2.0, dtype=F32) / torch.tensor(3.0, dtype=F32)


def thermometer(img_u8, resolution=8, bits=32):
    """uint8 [N,C,H,W] -> float64 {-1,+1} [N,C*bits,H,W]; n = round_half_even(p/R) exactly."""
    p = img_u8.to(torch.int64)
    q, r = p // resolution, p % resolution
    n = q + ((2 * r > resolution) | ((2 * r == resolution) & (q % 2 == 1))).to(torch.int64)
    k = torch.arange(bits).view(1, 1, bits, 1, 1)
    out = torch.where(k < n.unsqueeze(2), 1.0, -1.0).to(torch.float64)
    N, C, H, W = img_u8.shape
    return out.view(N, C * bits, H, W)


def conv_sum(x_pm1, w_pm1, stride):
    """Exact integer conv sum of {-1,0,+1} float64 tensors, zero padding 1."""
    return F.conv2d(x_pm1.to(torch.float64), w_pm1.to(torch.float64), stride=stride, padding=1)


def quant2(x):
    m = torch.where(x >= 0, 1.0, -1.0).to(torch.float64)
    l = torch.where((x > TWO_THIRDS) | ((x >= -TWO_THIRDS) & (x < 0)), 1.0, -1.0).to(torch.float64)
    return m, l


def pgconv(x, w, thr, stride):
    m, l = quant2(x)
    sm = conv_sum(m, w, stride)
    sl = conv_sum(l, w, stride)
    o_msb = (2 * sm).to(F32) / 3.0
    o_full = (2 * sm + sl).to(F32) / 3.0
    gate = o_msb > thr.view(1, -1, 1, 1)
    return torch.where(gate, o_full, o_msb), gate


def affine(x, a, b):
    return x * a.view(1, -1, 1, 1) + b.view(1, -1, 1, 1)


def rprelu(x, bx, slope, by):
    t = x + bx.view(1, -1, 1, 1)
    t = torch.where(t > 0, t, slope.view(1, -1, 1, 1) * t)
    return t + by.view(1, -1, 1, 1)


def avgpool2_dup(x):
    s = torch.zeros_like(x[:, :, ::2, ::2])
    for dy in (0, 1):
        for dx in (0, 1):
            s = s + x[:, :, dy::2, dx::2]
    p = s / 4.0
    return torch.cat((p, p), dim=1)


class ReleasedFracBNN:
    def __init__(self, npz_path):
        d = np.load(npz_path)
        self.p = {k: torch.from_numpy(d[k].astype(np.float32)) for k in d.files}
        self.gate_fired = 0
        self.gate_total = 0

    def __call__(self, img_u8):
        p = self.p
        w1 = torch.where(p["conv1_weight"] > 0, 1.0, -1.0)
        x = affine(conv_sum(thermometer(img_u8), w1, 1).to(F32), p["bn1_weight"], p["bn1_bias"])
        for s in (1, 2, 3):
            for b in range(3):
                pre = "layer%d_%d_" % (s, b)
                stride = 2 if (s > 1 and b == 0) else 1
                o, g = pgconv(x, p[pre + "conv1_weight"], p[pre + "conv1_threshold"], stride)
                self._count(g)
                o = affine(o, p[pre + "bn1_weight"], p[pre + "bn1_bias"])
                o = rprelu(o, p[pre + "rprelu1_shift_x_bias"], p[pre + "rprelu1_prelu_weight"],
                           p[pre + "rprelu1_shift_y_bias"])
                sc = x if stride == 1 else avgpool2_dup(x)
                x1 = affine(o + sc, p[pre + "bn3_weight"], p[pre + "bn3_bias"])
                o, g = pgconv(x1, p[pre + "conv2_weight"], p[pre + "conv2_threshold"], 1)
                self._count(g)
                o = affine(o, p[pre + "bn2_weight"], p[pre + "bn2_bias"])
                o = rprelu(o, p[pre + "rprelu2_shift_x_bias"], p[pre + "rprelu2_prelu_weight"],
                           p[pre + "rprelu2_shift_y_bias"])
                x = affine(o + x1, p[pre + "bn4_weight"], p[pre + "bn4_bias"])
        n, c, h, w = x.shape
        flat = x.reshape(n, c, h * w)
        acc = torch.zeros(n, c, dtype=F32)
        for i in range(h * w):
            acc = acc + flat[:, :, i]
        g = acc / float(h * w)
        wl, bl = p["linear_weight"], p["linear_bias"]
        out = torch.zeros(n, wl.shape[0], dtype=F32)
        for i in range(c):
            out = out + g[:, i:i + 1] * wl[:, i].view(1, -1)
        return out + bl.view(1, -1)

    def _count(self, g):
        self.gate_fired += int(g.sum())
        self.gate_total += g.numel()


class AuthorsOpsFracBNN(ReleasedFracBNN):
    """The same network computed with the authors' PyTorch op sequence
    (utils/quantization.py of their release): float32 F.conv2d on +-1 and
    Q2 values, QuantSign via round((clamp(x)+1)/delta)*delta-1, gate
    sigmoid(5*(o_msb - t)) > 0.5, input encoder on (p/255)*255, F.avg_pool2d
    and F.linear. Not bit-exact by design: it measures how far the C library's
    exact-integer arithmetic is from an ordinary float32 implementation."""

    def __call__(self, img_u8):
        p = self.p
        x255 = (torch.from_numpy(img_u8.numpy().astype(np.float32)) / 255.0) * 255.0
        k = torch.arange(32, dtype=F32).view(1, 1, 32, 1, 1)
        enc = torch.where(k < torch.round(x255 / 8).unsqueeze(2), 1.0, -1.0).view(x255.shape[0], 96, 32, 32)
        w1 = torch.sign(p["conv1_weight"])
        x = affine(F.conv2d(enc, w1, padding=1), p["bn1_weight"], p["bn1_bias"])

        def qsign(v):
            delta = 2.0 / 3.0
            return torch.round((torch.clamp(v, -1.0, 1.0) + 1.0) / delta) * delta - 1.0

        def pg(v, w, thr, stride):
            q = qsign(v)
            o_msb = F.conv2d(torch.sign(q), w, stride=stride, padding=1) * 2.0 / 3.0
            mask = (torch.sigmoid(5.0 * (o_msb - thr.view(1, -1, 1, 1))) > 0.5).float()
            o_full = F.conv2d(q, w, stride=stride, padding=1)
            return (1 - mask) * o_msb + mask * o_full

        for s in (1, 2, 3):
            for b in range(3):
                pre = "layer%d_%d_" % (s, b)
                stride = 2 if (s > 1 and b == 0) else 1
                o = pg(x, p[pre + "conv1_weight"], p[pre + "conv1_threshold"], stride)
                o = affine(o, p[pre + "bn1_weight"], p[pre + "bn1_bias"])
                o = rprelu(o, p[pre + "rprelu1_shift_x_bias"], p[pre + "rprelu1_prelu_weight"],
                           p[pre + "rprelu1_shift_y_bias"])
                if stride == 1:
                    sc = x
                else:
                    sc = F.avg_pool2d(x, 2, 2)
                    sc = torch.cat((sc, sc), dim=1)
                x1 = affine(o + sc, p[pre + "bn3_weight"], p[pre + "bn3_bias"])
                o = pg(x1, p[pre + "conv2_weight"], p[pre + "conv2_threshold"], 1)
                o = affine(o, p[pre + "bn2_weight"], p[pre + "bn2_bias"])
                o = rprelu(o, p[pre + "rprelu2_shift_x_bias"], p[pre + "rprelu2_prelu_weight"],
                           p[pre + "rprelu2_shift_y_bias"])
                x = affine(o + x1, p[pre + "bn4_weight"], p[pre + "bn4_bias"])
        g = F.avg_pool2d(x, x.shape[3]).view(x.shape[0], -1)
        return F.linear(g, p["linear_weight"], p["linear_bias"])


def load_cifar_bin(path):
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073:
        raise ValueError("%s: size is not a multiple of 3073" % path)
    raw = raw.reshape(-1, 3073)
    return raw[:, 0].astype(np.int64), raw[:, 1:].reshape(-1, 3, 32, 32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npz", default=os.path.join(SHARED, "fracbnn_cifar10_official.npz"))
    ap.add_argument("--data", default=os.path.join(SHARED, "cifar10_test_846.bin"))
    ap.add_argument("--logits", help="write float32 little-endian logits [N,10]")
    ap.add_argument("--predictions", help="write one predicted class per line")
    ap.add_argument("--authors-ops", action="store_true",
                    help="use the authors' float32 op sequence instead (not bit-exact; for agreement checks)")
    a = ap.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    labels, imgs = load_cifar_bin(a.data)
    net = AuthorsOpsFracBNN(a.npz) if a.authors_ops else ReleasedFracBNN(a.npz)
    with torch.no_grad():
        logits = torch.cat([net(torch.from_numpy(imgs[i:i + 128].copy())) for i in range(0, len(imgs), 128)])
    pred = logits.argmax(1).numpy()
    correct = int((pred == labels).sum())
    print("reference: %d/%d correct = %.2f %%" % (correct, len(labels), 100.0 * correct / len(labels)))
    if net.gate_total:
        print("LSB conv fired at %.2f %% of PG positions" % (100.0 * net.gate_fired / net.gate_total))
    if a.logits:
        logits.numpy().astype("<f4").tofile(a.logits)
    if a.predictions:
        with open(a.predictions, "w") as f:
            f.write("".join("%d\n" % p for p in pred))


if __name__ == "__main__":
    main()

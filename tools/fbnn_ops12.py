"""Rows of the Python op table added in format 1.2 (issue 18 part B):
rconv (18), quant_kbit (19), kconv (20), and bconv's per-side padding
(BConv.build accepts pad=(top, left, bottom, right)). Imported at the end of
fbnn_ops.py, which keeps the table (OPS, BY_CODE, BY_NAME); split out to keep
the files small. Each ref() is bit-exact with its C reference kernel
(kernels/fbnn_k_rconv.c, fbnn_k_quant_kbit.c, fbnn_k_kconv.c,
fbnn_k_bconv_asym.c).
"""
import numpy as np

from fbnn_ops import OpRow, op_row, FormatError, VK_U8, VK_REAL, VK_BITS

MINOR_1_2 = 2


def pads4(pad):
    """int p -> (p, p, p, p); (t, l, b, r) as given."""
    if isinstance(pad, (int, np.integer)):
        return (int(pad),) * 4
    t = tuple(int(v) for v in pad)
    if len(t) != 4:
        raise FormatError("padding must be an int or (top, left, bottom, right)")
    return t


def tf_same_pads(h, w, k, s):
    """TensorFlow 'same' padding (extra row/column at the bottom/right)."""
    out = []
    for n in (h, w):
        o = -(-n // s)
        tot = max((o - 1) * s + k - n, 0)
        out.append((tot // 2, tot - tot // 2))
    (t, b), (l, r) = out
    return (t, l, b, r)


def conv_out4(h, w, k, s, pads):
    t, l, b, r = pads
    if min(pads) < 0 or max(pads) >= k:
        raise FormatError("padding %r not in 0..k-1 (k = %d)" % (pads, k))
    ho, wo = (h + t + b - k) // s + 1, (w + l + r - k) // s + 1
    if h + t + b < k or w + l + r < k or ho < 1 or wo < 1:
        raise FormatError("conv output would be empty")
    return ho, wo


def pad4(x, pads, value):
    t, l, b, r = pads
    n, c, h, w = x.shape
    xp = np.full((n, c, h + t + b, w + l + r), value, dtype=x.dtype)
    xp[:, :, t:t + h, l:l + w] = x
    return xp


def conv_sum4(x, w, s, pads, pad_value=0):
    """Exact integer conv of integer x [N,Ci,H,W] with w [Co,Ci,K,K], padded
    per side with pad_value."""
    # float64 products and sums of small integers are exact (|sum| < 2^24
    # << 2^53), so BLAS (tensordot) computes the integer conv exactly.
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    co, ci, k, _ = w.shape
    n, _, h, wd = x.shape
    ho, wo = conv_out4(h, wd, k, s, pads)
    xp = pad4(x, pads, float(pad_value))
    cols = np.empty((n, ho, wo, ci, k, k), dtype=np.float64)
    for ky in range(k):
        for kx in range(k):
            cols[..., ky, kx] = xp[:, :, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s].transpose(0, 2, 3, 1)
    out = np.tensordot(cols.reshape(n, ho, wo, ci * k * k), w.reshape(co, ci * k * k), axes=([3], [1]))
    return np.rint(out).astype(np.int64).transpose(0, 3, 1, 2)


def bconv_asym_build_attrs(k, stride, pads, pad_value):
    """BCONV attributes: the 3/4-attribute forms when the padding is the
    same on every side, else (K, S, Pt, V, Pl, Pb, Pr) (format 1.2)."""
    t, l, b, r = pads
    if t == l == b == r:
        return (k, stride, t) if pad_value == 0 else (k, stride, t, pad_value)
    return (k, stride, t, pad_value, l, b, r)


@op_row
class RConv(OpRow):
    """Real-valued conv: float32 weights [Co, Ci/G, K, K] and bias [Co];
    attrs K, S, Pt, Pl, Pb, Pr, G. Input REAL or U8 (pixels as floats)."""
    code, name, minor = 18, "rconv", MINOR_1_2

    @staticmethod
    def build(g, x, weight, bias, stride=1, pad=0, groups=1):
        g._expect(x, (VK_REAL, VK_U8), "rconv")
        weight = np.asarray(weight, dtype=np.float32)
        c, h, w = g.shape(x)
        co, cig, kh, kw = weight.shape
        if kh != kw or groups < 1 or c % groups or co % groups or cig != c // groups:
            raise FormatError("rconv weight %r does not fit input %r with %d groups" % (weight.shape, (c, h, w),
                                                                                        groups))
        pads = pads4(pad)
        ho, wo = conv_out4(h, w, kh, stride, pads)
        if np.asarray(bias).size != co:
            raise FormatError("rconv: %d biases for %d outputs" % (np.asarray(bias).size, co))
        b = g.f32(np.asarray(bias, np.float32).reshape(-1))
        return g._op(RConv.code, [x], VK_REAL, (co, ho, wo), [g.f32(weight), b],
                     (kh, stride) + pads + (groups,))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        k, s, t, l, b, rr, grp = attrs
        w, bias = P[0].astype(f32), P[1].astype(f32).reshape(-1)
        x = x.astype(f32)
        n, c, h, wd = x.shape
        co = w.shape[0]
        cig, cog = c // grp, co // grp
        ho, wo = conv_out4(h, wd, k, s, (t, l, b, rr))
        xp = pad4(x, (t, l, b, rr), f32(0))   # a zero-padded tap adds +-0: same as skipping it
        acc = np.zeros((n, co, ho, wo), dtype=f32)
        for gi in range(grp):
            for ci in range(cig):
                xc = xp[:, gi * cig + ci]
                for ky in range(k):
                    for kx in range(k):
                        patch = xc[:, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s]
                        wv = w[gi * cog:(gi + 1) * cog, ci, ky, kx].reshape(1, cog, 1, 1)
                        acc[:, gi * cog:(gi + 1) * cog] += wv * patch[:, None]
        return acc + bias.reshape(1, co, 1, 1)


def kbit_codes(x, planes):
    """code = round_half_even(clamp(x, 0, 1) * (2^planes - 1)), NaN -> 0."""
    f32 = np.float32
    x = np.nan_to_num(x.astype(f32), nan=0.0, posinf=1.0, neginf=0.0)
    return np.round(np.clip(x, f32(0), f32(1)) * f32((1 << planes) - 1)).astype(np.int64)


@op_row
class QuantKbit(OpRow):
    """REAL [C,H,W] -> BITS [P*C,H,W]: packed channel i*C + j is bit i of the
    k-bit code of channel j."""
    code, name, minor = 19, "quant_kbit", MINOR_1_2

    @staticmethod
    def build(g, x, planes):
        g._expect(x, (VK_REAL,), "quant_kbit")
        if not 1 <= planes <= 4:
            raise FormatError("quant_kbit: planes %d not in 1..4" % planes)
        c, h, w = g.shape(x)
        return g._op(QuantKbit.code, [x], VK_BITS, (planes * c, h, w), attrs=(planes,))

    @staticmethod
    def ref(x, P, attrs, r):
        (planes,) = attrs
        code = kbit_codes(x, planes)
        bits = [np.where((code >> i) & 1 == 1, 1.0, -1.0) for i in range(planes)]
        return np.concatenate(bits, axis=1).astype(np.float32)


@op_row
class KConv(OpRow):
    """k-bit x M-base binary conv: weights BITS [M*Co, K, K, Ci] (base m of
    output o is row m*Co + o), scales F32 [M, Co]; attrs K, S, Pt, Pl, Pb, Pr,
    planes, bases."""
    code, name, minor = 20, "kconv", MINOR_1_2

    @staticmethod
    def build(g, x, weights, alpha, planes, stride=1, pad=1):
        """weights: [M, Co, Ci, K, K] (sign taken: > 0 -> +1), alpha [M, Co]."""
        g._expect(x, (VK_BITS,), "kconv")
        weights = np.asarray(weights, dtype=np.float32)
        nb, co, ci, kh, kw = weights.shape
        c, h, w = g.shape(x)
        if kh != kw or c != planes * ci or not 1 <= planes <= 4 or not 1 <= nb <= 8:
            raise FormatError("kconv weights %r do not fit %d planes of input %r" % (weights.shape, planes,
                                                                                    (c, h, w)))
        if ((1 << planes) - 1) * kh * kh * ci >= (1 << 24):
            raise FormatError("kconv: (2^planes-1)*k*k*Cin >= 2^24")
        alpha = np.asarray(alpha, dtype=np.float32).reshape(nb, co)
        pads = pads4(pad)
        ho, wo = conv_out4(h, w, kh, stride, pads)
        return g._op(KConv.code, [x], VK_REAL, (co, ho, wo),
                     [g.bits(weights.reshape(nb * co, ci, kh, kw)), g.f32(alpha)],
                     (kh, stride) + pads + (planes, nb))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        k, s, t, l, b, rr, planes, nb = attrs
        wts, alpha = P[0], P[1].astype(f32).reshape(nb, -1)
        co = alpha.shape[1]
        ci = x.shape[1] // planes
        bits = (x > 0).astype(np.int64)
        out = None
        for m in range(nb):
            wm = wts[m * co:(m + 1) * co]
            isum = 0
            for i in range(planes):
                isum = isum + (conv_sum4(bits[:, i * ci:(i + 1) * ci], wm, s, (t, l, b, rr), 0) << i)
            term = alpha[m].reshape(1, co, 1, 1) * isum.astype(f32)
            out = (f32(0) + term) if out is None else out + term
        return out.astype(f32)

"""The Python op table of the .fbnn format: one class per op type.

Each row says everything the Python side knows about an op, in one place:

  code, name   the op type number and name (models/FORMAT.md section 5,
               the C side's src/ops.c uses the same numbers);
  build(g, ...) the GraphBuilder method of that name (fbnn_format.py attaches
               it): checks the inputs, packs the parameters, returns the
               output value;
  ref(x, P, attrs, r)  the float32 reference semantics (bit-exact with the C
               reference kernels); x is input 0, r.inputs all inputs, P the
               parameter tensors, r.stats/r.index for gate statistics;
  hls(e)       optional: the C call of the generated HLS top
               (tools/fbnn_to_hls.py); None = the generator refuses the op.

Adding an op on the Python side is one class here (docs/HACKING.md). This
module has no dependency on fbnn_format.py (that module imports this one).
Runs under any Python with numpy (Debian's /usr/bin/python3 in the tests).
"""
import numpy as np

DT_F32, DT_BITS, DT_I32 = 1, 2, 3
VK_U8, VK_REAL, VK_BITS, VK_Q2 = 1, 2, 3, 4

F32_TWO_THIRDS = np.float32(2.0) / np.float32(3.0)


class FormatError(ValueError):
    """Raised when a graph cannot be expressed in the format."""


# ---------------------------------------------------------------------------
# numeric helpers shared by several rows (exact integer arithmetic)
# ---------------------------------------------------------------------------
def _conv_sum(x, w, stride, pad, pad_value=0):
    """Exact integer conv of {-1,+1} x [N,Ci,H,W] with w [Co,Ci,K,K]; the
    border is padded with pad_value (0, +1 or -1) in every channel."""
    x = x.astype(np.int32)
    w = w.astype(np.int32)
    n, ci, h, wd = x.shape
    co, _, k, _ = w.shape
    xp = np.full((n, ci, h + 2 * pad, wd + 2 * pad), pad_value, dtype=np.int32)
    xp[:, :, pad:pad + h, pad:pad + wd] = x
    ho = (h + 2 * pad - k) // stride + 1
    wo = (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, co, ho, wo), dtype=np.int64)
    for ky in range(k):
        for kx in range(k):
            patch = xp[:, :, ky:ky + stride * (ho - 1) + 1:stride, kx:kx + stride * (wo - 1) + 1:stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, ky, kx], dtype=np.int64)
    return out


def thermometer_levels(p, resolution):
    """n = round_half_even(p / R) computed exactly on integers."""
    p = p.astype(np.int32)
    q, r = p // resolution, p % resolution
    twice = 2 * r
    up = (twice > resolution) | ((twice == resolution) & (q % 2 == 1))
    return q + up.astype(np.int32)


def quant2_planes(x):
    x = x.astype(np.float32)
    t = F32_TWO_THIRDS
    m = np.where(x >= 0, 1.0, -1.0).astype(np.float32)
    l = np.where((x > t) | ((x >= -t) & (x < 0)), 1.0, -1.0).astype(np.float32)
    return m, l


def _conv_out(h, w, k, s, p):
    ho = (h + 2 * p - k) // s + 1
    wo = (w + 2 * p - k) // s + 1
    if ho < 1 or wo < 1:
        raise FormatError("conv/pool output would be empty")
    return ho, wo


def _windows(x, k, s, ho, wo):
    """The k*k strided views of x [N,C,H,W] a pooling window visits, in (ky, kx) order."""
    for ky in range(k):
        for kx in range(k):
            yield x[:, :, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s]


def _per_channel(g, x, arr, what):
    arr = np.asarray(arr, dtype=np.float32).reshape(-1)
    if arr.size != g.shape(x)[0]:
        raise FormatError("%s: %d per-channel values for %d channels" % (what, arr.size, g.shape(x)[0]))
    return g.f32(arr)


def _conv_weight(g, x, weight, what):
    weight = np.asarray(weight)
    co, ci, kh, kw = weight.shape
    c, h, w = g.shape(x)
    if kh != kw or ci != c:
        raise FormatError("%s weight %r does not fit input %r" % (what, weight.shape, (c, h, w)))
    return weight, co, kh, h, w


def _hls_conv(e, call, after=None):
    k, s, p = e.attrs[:3]
    e.convs.append((e.typ, e.xc, e.xh, e.xw, e.c, k, s, p, e.h, e.w))
    e.body.append("    {")
    e.body.append("        static const fbnn_conv_params p = {%d, %d, %d, %d, %d, %d, %d, %d, %d};"
                  % (e.xc, e.xh, e.xw, e.c, k, s, p, e.h, e.w))
    e.body.append("        rc |= %s;" % call)
    if after:
        e.body.append("        rc |= %s;" % after)
    e.body.append("    }")


# ---------------------------------------------------------------------------
# the rows
# ---------------------------------------------------------------------------
OPS = []          # in code order
BY_CODE = {}
BY_NAME = {}


def op_row(cls):
    if cls.code in BY_CODE or cls.name in BY_NAME:
        raise AssertionError("op %s/%d registered twice" % (cls.name, cls.code))
    OPS.append(cls)
    BY_CODE[cls.code] = cls
    BY_NAME[cls.name] = cls
    return cls


class OpRow:
    """Defaults of a row (see the module doc). `minor`: the format minor
    version a file using this op needs (min_minor(attrs) may refine it)."""
    hls = None
    minor = 0

    @classmethod
    def min_minor(cls, attrs):
        return cls.minor


@op_row
class Thermometer(OpRow):
    code, name = 1, "thermometer"

    @staticmethod
    def build(g, x, resolution=8, bits=None):
        g._expect(x, (VK_U8,), "thermometer")
        if bits is None:
            bits = int(round(255.0 / resolution))
        c, h, w = g.shape(x)
        return g._op(Thermometer.code, [x], VK_BITS, (c * bits, h, w), attrs=(resolution, bits))

    @staticmethod
    def ref(x, P, attrs, r):
        res, b = attrs
        lv = thermometer_levels(x, res)  # [N,C,H,W]
        k = np.arange(b).reshape(1, 1, b, 1, 1)
        bits = np.where(k < lv[:, :, None], 1.0, -1.0).astype(np.float32)
        return bits.reshape(x.shape[0], x.shape[1] * b, x.shape[2], x.shape[3])

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_thermometer(%s, %d, %d, %d, %d, %d, %s);"
                      % (e.X[0], e.xc, e.xh, e.xw, e.attrs[0], e.attrs[1], e.Y[0]))


@op_row
class BConv(OpRow):
    code, name = 2, "bconv"

    @staticmethod
    def build(g, x, weight, stride=1, pad=1, pad_value=0):
        """pad_value: the value of a padded input (0, +1 as Larq's
        pad_values=1, or -1); 0 writes the 3-attribute form of format 1.0.
        pad: an int, or (top, left, bottom, right) (per-side padding, format
        1.2, e.g. fbnn_ops12.tf_same_pads)."""
        from fbnn_ops12 import pads4, conv_out4, bconv_asym_build_attrs
        g._expect(x, (VK_BITS,), "bconv")
        if pad_value not in (0, 1, -1):
            raise FormatError("bconv: pad_value must be 0, +1 or -1, got %r" % (pad_value,))
        weight, co, k, h, w = _conv_weight(g, x, weight, "bconv")
        pads = pads4(pad)
        ho, wo = conv_out4(h, w, k, stride, pads)
        attrs = bconv_asym_build_attrs(k, stride, pads, pad_value)
        return g._op(BConv.code, [x], VK_REAL, (co, ho, wo), [g.bits(weight)], attrs)

    @classmethod
    def min_minor(cls, attrs):
        return 2 if len(attrs) > 4 else 0   # 1.1 needed no version change (FORMAT.md 5)

    @staticmethod
    def ref(x, P, attrs, r):
        from fbnn_ops12 import conv_sum4
        k, s, p = attrs[:3]
        pv = attrs[3] if len(attrs) > 3 else 0
        if len(attrs) > 4:
            return conv_sum4(x, P[0], s, (p, attrs[4], attrs[5], attrs[6]), pv).astype(np.float32)
        return _conv_sum(x, P[0], s, p, pv).astype(np.float32)

    @staticmethod
    def hls(e):
        if len(e.attrs) > 4:
            raise FormatError("the HLS generator does not support bconv with per-side padding yet")
        pv = e.attrs[3] if len(e.attrs) > 3 else 0
        after = None
        if pv != 0:
            after = "fbnn_k_bconv_pad_value(%s, &p, %d, %s)" % (e.tname(e.params[0]), pv, e.Y[0])
        _hls_conv(e, "fbnn_k_bconv(%s, %s, &p, %s)" % (e.X[0], e.tname(e.params[0]), e.Y[0]), after)


@op_row
class PGConv(OpRow):
    code, name = 3, "pgconv"

    @staticmethod
    def build(g, x, weight, threshold, stride=1, pad=1):
        g._expect(x, (VK_Q2,), "pgconv")
        weight, co, k, h, w = _conv_weight(g, x, weight, "pgconv")
        thr = np.asarray(threshold, dtype=np.float32).reshape(-1)
        if thr.size != co:
            raise FormatError("pgconv threshold has %d entries, expected %d" % (thr.size, co))
        ho, wo = _conv_out(h, w, k, stride, pad)
        return g._op(PGConv.code, [x], VK_REAL, (co, ho, wo), [g.bits(weight), g.f32(thr)], (k, stride, pad))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        k, s, p = attrs
        m, l = x
        sm = _conv_sum(m, P[0], s, p)
        sl = _conv_sum(l, P[0], s, p)
        o_msb = (2 * sm).astype(f32) / f32(3)
        o_full = (2 * sm + sl).astype(f32) / f32(3)
        gate = o_msb > P[1].reshape(1, -1, 1, 1)
        if r.stats is not None:
            fired, total = r.stats.get(r.index, (0, 0))
            r.stats[r.index] = (fired + int(gate.sum()), total + gate.size)
        return np.where(gate, o_full, o_msb).astype(f32)

    @staticmethod
    def hls(e):
        _hls_conv(e, "fbnn_k_pgconv(%s, %s, %s, %s, &p, %s, NULL)"
                  % (e.X[0], e.X[1], e.tname(e.params[0]), e.tname(e.params[1]), e.Y[0]))


@op_row
class Affine(OpRow):
    code, name = 4, "affine"

    @staticmethod
    def build(g, x, a, b):
        g._expect(x, (VK_REAL,), "affine")
        return g._op(Affine.code, [x], VK_REAL, g.shape(x),
                     [_per_channel(g, x, a, "affine"), _per_channel(g, x, b, "affine")])

    @staticmethod
    def ref(x, P, attrs, r):
        a, b = P
        return (x * a.reshape(1, -1, 1, 1)).astype(np.float32) + b.reshape(1, -1, 1, 1)

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_affine(%s, %s, %s, %d, %d, %s);"
                      % (e.X[0], e.tname(e.params[0]), e.tname(e.params[1]), e.xc, e.xh * e.xw, e.Y[0]))


@op_row
class RPReLU(OpRow):
    code, name = 5, "rprelu"

    @staticmethod
    def build(g, x, shift_x, slope, shift_y):
        g._expect(x, (VK_REAL,), "rprelu")
        return g._op(RPReLU.code, [x], VK_REAL, g.shape(x),
                     [_per_channel(g, x, shift_x, "rprelu"), _per_channel(g, x, slope, "rprelu"),
                      _per_channel(g, x, shift_y, "rprelu")])

    @staticmethod
    def ref(x, P, attrs, r):
        bx, sl, by = (t.reshape(1, -1, 1, 1) for t in P)
        t = x + bx
        t = np.where(t > 0, t, (sl * t).astype(np.float32))
        return t + by

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_rprelu(%s, %s, %s, %s, %d, %d, %s);"
                      % (e.X[0], e.tname(e.params[0]), e.tname(e.params[1]), e.tname(e.params[2]),
                         e.xc, e.xh * e.xw, e.Y[0]))


@op_row
class Add(OpRow):
    code, name = 6, "add"

    @staticmethod
    def build(g, x0, x1):
        g._expect(x0, (VK_REAL,), "add")
        g._expect(x1, (VK_REAL,), "add")
        if g.shape(x0) != g.shape(x1):
            raise FormatError("add: shapes %r and %r differ" % (g.shape(x0), g.shape(x1)))
        return g._op(Add.code, [x0, x1], VK_REAL, g.shape(x0))

    @staticmethod
    def ref(x, P, attrs, r):
        return x + r.inputs[1]

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_add(%s, %s, %d, %s);"
                      % (e.X[0], e.loc[e.ins[1]][0], e.xc * e.xh * e.xw, e.Y[0]))


@op_row
class AvgPool(OpRow):
    code, name = 7, "avgpool"

    @staticmethod
    def build(g, x, k=2, stride=2, dup=1):
        g._expect(x, (VK_REAL,), "avgpool")
        c, h, w = g.shape(x)
        ho, wo = _conv_out(h, w, k, stride, 0)
        return g._op(AvgPool.code, [x], VK_REAL, (c * dup, ho, wo), attrs=(k, stride, dup))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        k, s, dup = attrs
        n, c, h, w = x.shape
        ho, wo = (h - k) // s + 1, (w - k) // s + 1
        acc = np.zeros((n, c, ho, wo), dtype=f32)
        for win in _windows(x, k, s, ho, wo):
            acc = acc + win
        pooled = acc / f32(k * k)
        return np.concatenate([pooled] * dup, axis=1)

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_avgpool(%s, %d, %d, %d, %d, %d, %d, %s);"
                      % (e.X[0], e.xc, e.xh, e.xw, e.attrs[0], e.attrs[1], e.attrs[2], e.Y[0]))


@op_row
class GlobalAvgPool(OpRow):
    code, name = 8, "global_avgpool"

    @staticmethod
    def build(g, x):
        g._expect(x, (VK_REAL,), "global_avgpool")
        return g._op(GlobalAvgPool.code, [x], VK_REAL, (g.shape(x)[0], 1, 1))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        n, c, h, w = x.shape
        acc = np.zeros((n, c), dtype=f32)
        flat = x.reshape(n, c, h * w)
        for i in range(h * w):
            acc = acc + flat[:, :, i]
        return (acc / f32(h * w)).reshape(n, c, 1, 1)

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_global_avgpool(%s, %d, %d, %d, %s);" % (e.X[0], e.xc, e.xh, e.xw, e.Y[0]))


@op_row
class MaxPool(OpRow):
    code, name = 9, "maxpool"

    @staticmethod
    def build(g, x, k=2, stride=2, pad=0):
        g._expect(x, (VK_REAL, VK_BITS), "maxpool")
        c, h, w = g.shape(x)
        ho, wo = _conv_out(h, w, k, stride, pad)
        return g._op(MaxPool.code, [x], g.kind(x), (c, ho, wo), attrs=(k, stride, pad))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        k, s, p = attrs
        n, c, h, w = x.shape
        ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        xp = np.full((n, c, h + 2 * p, w + 2 * p), -np.inf, dtype=f32)
        xp[:, :, p:p + h, p:p + w] = x
        y = np.full((n, c, ho, wo), -np.inf, dtype=f32)
        for win in _windows(xp, k, s, ho, wo):
            y = np.maximum(y, win)
        return y

    @staticmethod
    def hls(e):
        fn = "fbnn_k_maxpool_bits" if e.xk == VK_BITS else "fbnn_k_maxpool"
        e.body.append("    rc |= %s(%s, %d, %d, %d, %d, %d, %d, %s);"
                      % (fn, e.X[0], e.xc, e.xh, e.xw, e.attrs[0], e.attrs[1], e.attrs[2], e.Y[0]))


@op_row
class FC(OpRow):
    code, name = 10, "fc"

    @staticmethod
    def build(g, x, weight, bias):
        g._expect(x, (VK_REAL,), "fc")
        weight = np.asarray(weight, dtype=np.float32)
        c, h, w = g.shape(x)
        n = weight.shape[0]
        if weight.ndim != 2 or weight.shape[1] != c * h * w:
            raise FormatError("fc weight %r does not fit %d inputs" % (weight.shape, c * h * w))
        bias = np.asarray(bias, dtype=np.float32).reshape(-1)
        if bias.size != n:
            raise FormatError("fc bias has %d entries, expected %d" % (bias.size, n))
        return g._op(FC.code, [x], VK_REAL, (n, 1, 1), [g.f32(weight), g.f32(bias)])

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        wt, b = P
        n = x.shape[0]
        flat = x.reshape(n, -1)
        acc = np.zeros((n, wt.shape[0]), dtype=f32)
        for i in range(flat.shape[1]):
            acc = acc + (flat[:, i:i + 1] * wt[:, i].reshape(1, -1)).astype(f32)
        return (acc + b.reshape(1, -1)).reshape(n, -1, 1, 1)

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_fc(%s, %d, %s, %s, %d, %s);"
                      % (e.X[0], e.xc * e.xh * e.xw, e.tname(e.params[0]), e.tname(e.params[1]), e.c, e.Y[0]))


@op_row
class Quant2(OpRow):
    code, name = 11, "quant2"

    @staticmethod
    def build(g, x):
        g._expect(x, (VK_REAL,), "quant2")
        return g._op(Quant2.code, [x], VK_Q2, g.shape(x))

    @staticmethod
    def ref(x, P, attrs, r):
        return quant2_planes(x)

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_quant2_pack(%s, %d, %d, %d, %s, %s);"
                      % (e.X[0], e.xc, e.xh, e.xw, e.Y[0], e.Y[1]))


@op_row
class Sign(OpRow):
    code, name = 12, "sign"

    @staticmethod
    def build(g, x):
        g._expect(x, (VK_REAL,), "sign")
        return g._op(Sign.code, [x], VK_BITS, g.shape(x))

    @staticmethod
    def ref(x, P, attrs, r):
        return np.where(x >= 0, 1.0, -1.0).astype(np.float32)

    @staticmethod
    def hls(e):
        e.body.append("    rc |= fbnn_k_pack_sign(%s, %d, %d, %d, %s);" % (e.X[0], e.xc, e.xh, e.xw, e.Y[0]))


@op_row
class Concat(OpRow):
    code, name = 13, "concat"

    @staticmethod
    def build(g, xs):
        if not 2 <= len(xs) <= 4:
            raise FormatError("concat takes 2..4 inputs")
        for x in xs:
            g._expect(x, (VK_REAL,), "concat")
        _, h, w = g.shape(xs[0])
        if any(g.shape(x)[1:] != (h, w) for x in xs):
            raise FormatError("concat: spatial sizes differ")
        return g._op(Concat.code, xs, VK_REAL, (sum(g.shape(x)[0] for x in xs), h, w))

    @staticmethod
    def ref(x, P, attrs, r):
        return np.concatenate(r.inputs, axis=1)

    @staticmethod
    def hls(e):
        off = 0
        for v in e.ins:
            n = e.values[v][1] * e.values[v][2] * e.values[v][3]
            e.body.append("    for (i = 0; i < %d; i++) %s[%d + i] = %s[i];" % (n, e.Y[0], off, e.loc[v][0]))
            off += n


@op_row
class QuantUniform(OpRow):
    code, name = 14, "quant_uniform"

    @staticmethod
    def build(g, x, bits, lo, hi):
        g._expect(x, (VK_REAL,), "quant_uniform")
        if not lo < hi:
            raise FormatError("quant_uniform needs lo < hi")
        return g._op(QuantUniform.code, [x], VK_REAL, g.shape(x), [g.f32([lo, hi])], (bits,))

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        (bits,) = attrs
        lo, hi = P[0][0], P[0][1]
        d = (hi - lo) / f32((1 << bits) - 1)
        return np.round((np.clip(x, lo, hi) - lo) / d) * d + lo

    @staticmethod
    def hls(e):
        lo, hi = e.raw[e.params[0]][1]
        e.body.append("    rc |= fbnn_k_quant_uniform(%s, %d, %d, %s, %s, %s);"
                      % (e.X[0], e.xc * e.xh * e.xw, e.attrs[0], e.c_float(lo), e.c_float(hi), e.Y[0]))


# ---------------------------------------------------------------------------
# binary FC and the threshold epilogue (issue 18, format 1.2)
# ---------------------------------------------------------------------------
def _bfc_sum(x, wt):
    """Exact integer dot products of {-1,+1} x [N,C,H,W] with wt [M,C,H,W]."""
    n = x.shape[0]
    return np.einsum("nk,mk->nm", x.reshape(n, -1).astype(np.int64),
                     wt.reshape(wt.shape[0], -1).astype(np.int64))


def _bfc_weight(g, x, weight, what):
    weight = np.asarray(weight)
    c, h, w = g.shape(x)
    if weight.ndim != 2 or weight.shape[1] != c * h * w:
        raise FormatError("%s weight %r does not fit %d inputs" % (what, weight.shape, c * h * w))
    if c * h * w >= 1 << 24:
        raise FormatError("%s: %d inputs >= 2^24" % (what, c * h * w))
    return weight.reshape(weight.shape[0], c, h, w)


@op_row
class BFC(OpRow):
    code, name = 15, "bfc"

    @staticmethod
    def build(g, x, weight, scale, bias):
        """Binary FC over packed bits; weight [M, C*H*W] in C,H,W order
        (w > 0 -> +1); y = sum * scale + bias (XNOR alpha and BN folded)."""
        g._expect(x, (VK_BITS,), "bfc")
        w4 = _bfc_weight(g, x, weight, "bfc")
        m = w4.shape[0]
        scale = np.asarray(scale, dtype=np.float32).reshape(-1)
        bias = np.asarray(bias, dtype=np.float32).reshape(-1)
        if scale.size != m or bias.size != m:
            raise FormatError("bfc: scale/bias need %d entries" % m)
        return g._op(BFC.code, [x], VK_REAL, (m, 1, 1), [g.bits(w4), g.f32(scale), g.f32(bias)])

    @staticmethod
    def ref(x, P, attrs, r):
        f32 = np.float32
        s = _bfc_sum(x, P[0]).astype(f32)
        y = (s * P[1].reshape(1, -1)).astype(f32) + P[2].reshape(1, -1)
        return y.astype(f32).reshape(x.shape[0], -1, 1, 1)

    @staticmethod
    def hls(e):
        c, h, w = e.xc, e.xh, e.xw
        e.body.append("    rc |= fbnn_k_bfc(%s, %d, %d, %s, %s, %s, %d, %s);"
                      % (e.X[0], h * w * ((c + 31) // 32), c * h * w, e.tname(e.params[0]),
                         e.tname(e.params[1]), e.tname(e.params[2]), e.c, e.Y[0]))


@op_row
class BConvThr(OpRow):
    code, name = 16, "bconv_thr"

    @staticmethod
    def build(g, x, weight, thr, flip, stride=1, pad=1, bits=1):
        """Binary conv (zero padding) + threshold epilogue, bits out. With
        bits k > 1: thr [Co, 2^k - 1] (sorted, see _thresholds), output k
        bit planes of the codes [k*Co, Ho, Wo] (a KCONV input with k planes)."""
        g._expect(x, (VK_BITS,), "bconv_thr")
        _check_bits(bits, "bconv_thr")
        weight, co, k, h, w = _conv_weight(g, x, weight, "bconv_thr")
        ho, wo = _conv_out(h, w, k, stride, pad)
        t = _thresholds(g, thr, flip, co, "bconv_thr", bits)
        attrs = (k, stride, pad) + ((bits,) if bits > 1 else ())
        return g._op(BConvThr.code, [x], VK_BITS, (bits * co, ho, wo), [g.bits(weight), t], attrs)

    @staticmethod
    def ref(x, P, attrs, r):
        k, s, p = attrs[:3]
        bits = attrs[3] if len(attrs) > 3 else 1
        if bits > 1:
            return _thr_codes(_conv_sum(x, P[0], s, p), P[1], (1, -1, 1, 1), bits)
        return _thr_bits(_conv_sum(x, P[0], s, p), P[1], (1, -1, 1, 1))

    @staticmethod
    def hls(e):
        bits = e.attrs[3] if len(e.attrs) > 3 else 1
        if bits == 1:
            _hls_conv(e, "fbnn_k_bconv_thr(%s, %s, %s, &p, %s)"
                      % (e.X[0], e.tname(e.params[0]), e.tname(e.params[1]), e.Y[0]))
            return
        k, s, p = e.attrs[:3]
        co = e.c // bits
        e.convs.append((e.typ, e.xc, e.xh, e.xw, co, k, s, p, e.h, e.w))
        e.body.append("    {")
        e.body.append("        static const fbnn_conv_params p = {%d, %d, %d, %d, %d, %d, %d, %d, %d};"
                      % (e.xc, e.xh, e.xw, co, k, s, p, e.h, e.w))
        e.body.append("        rc |= fbnn_k_bconv_thr_kbit(%s, %s, %s, %d, &p, %s);"
                      % (e.X[0], e.tname(e.params[0]), e.tname(e.params[1]), bits, e.Y[0]))
        e.body.append("    }")


@op_row
class BFCThr(OpRow):
    code, name = 17, "bfc_thr"

    @staticmethod
    def build(g, x, weight, thr, flip, bits=1):
        """Binary FC + threshold epilogue, bits out [M,1,1]; with bits k > 1
        as bconv_thr: thr [M, 2^k - 1], output k bit planes [k*M,1,1]."""
        g._expect(x, (VK_BITS,), "bfc_thr")
        _check_bits(bits, "bfc_thr")
        w4 = _bfc_weight(g, x, weight, "bfc_thr")
        m = w4.shape[0]
        t = _thresholds(g, thr, flip, m, "bfc_thr", bits)
        return g._op(BFCThr.code, [x], VK_BITS, (bits * m, 1, 1), [g.bits(w4), t], (bits,) if bits > 1 else ())

    @staticmethod
    def ref(x, P, attrs, r):
        bits = attrs[0] if len(attrs) > 0 else 1
        if bits > 1:
            return _thr_codes(_bfc_sum(x, P[0]), P[1], (1, -1), bits).reshape(x.shape[0], -1, 1, 1)
        return _thr_bits(_bfc_sum(x, P[0]), P[1], (1, -1)).reshape(x.shape[0], -1, 1, 1)

    @staticmethod
    def hls(e):
        c, h, w = e.xc, e.xh, e.xw
        bits = e.attrs[0] if len(e.attrs) > 0 else 1
        if bits > 1:
            e.body.append("    rc |= fbnn_k_bfc_thr_kbit(%s, %d, %d, %s, %s, %d, %d, %s);"
                          % (e.X[0], h * w * ((c + 31) // 32), c * h * w, e.tname(e.params[0]),
                             e.tname(e.params[1]), bits, e.c // bits, e.Y[0]))
            return
        e.body.append("    rc |= fbnn_k_bfc_thr(%s, %d, %d, %s, %s, %d, %s);"
                      % (e.X[0], h * w * ((c + 31) // 32), c * h * w, e.tname(e.params[0]),
                         e.tname(e.params[1]), e.c, e.Y[0]))


# The threshold epilogues' helpers (1 and k bits), kept in their own module;
# imported here, after FormatError, because they raise it.
from fbnn_thr import _check_bits, _thr_bits, _thr_codes, _thresholds  # noqa: E402

# Rows of format 1.2 (issue 18 part B), kept in their own module.
import fbnn_ops12  # noqa: E402,F401

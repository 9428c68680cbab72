"""Value states and lowering rules of the QONNX importer (tools/import_qonnx.py).

An ONNX tensor becomes one of four states; ops are emitted into the .fbnn
GraphBuilder only when a consumer needs a concrete form, so that patterns
such as binary conv -> BatchNorm -> sign fold into one threshold op:

  Input  the U8 graph input with the float preprocessing x = p*scale + bias;
  Lin    a per-channel affine chain (Mul/Add/BatchNorm steps, float32, in
         graph order) over a base: an emitted REAL value, or the exact
         integer sum S of a binary conv / binary FC / k-bit conv not yet
         emitted (S in [-n, n]);
  Bits   a BITS value whose real meaning is lo (bit 0) or hi (bit 1), scalars
         (BipolarQuant: -s/+s; MultiThreshold with one threshold: out_bias,
         out_bias + out_scale);
  Codes  k-bit activations as QUANT_KBIT planes: value = lo + s*code.

Binary weights are recognised by value after qonnx's constant folding: a
weight tensor whose every output channel has one magnitude alpha > 0.
Interpreter: the PyPI venv's (scripts/setup_pyenv.sh), like import_qonnx.py.
"""
import numpy as np

F32 = np.float32


class QonnxImportError(ValueError):
    """The model cannot be imported; the message names the node."""


class Input:
    def __init__(self, v, shape, scale, bias):
        self.v, self.shape, self.scale, self.bias = v, shape, scale, bias


class Lin:
    """value = steps(base); base = ('real', v) or ('sum', kind, emit, n)."""

    def __init__(self, shape, base, steps=()):
        self.shape, self.base, self.steps = shape, base, list(steps)

    def then(self, op, arr):
        arr = np.asarray(arr, dtype=F32).reshape(-1)
        if arr.size == 1:
            arr = np.full(self.shape[0], arr[0], dtype=F32)
        if op == "mul" and np.all(arr == 1) or op == "add" and np.all(arr == 0):
            return self
        return Lin(self.shape, self.base, self.steps + [(op, arr)])

    def eval(self, x):
        """The chain on float32 x [..., C], one rounding per step as in ONNX."""
        x = np.asarray(x, dtype=F32)
        for op, arr in self.steps:
            x = (x * arr) if op == "mul" else (x + arr)
        return x.astype(F32)

    def composed(self):
        a = np.ones(self.shape[0])
        b = np.zeros(self.shape[0])
        for op, arr in self.steps:
            if op == "mul":
                a, b = a * arr, b * arr
            else:
                b = b + arr
        return a.astype(F32), b.astype(F32)


class Bits:
    def __init__(self, v, shape, lo, hi):
        self.v, self.shape, self.lo, self.hi = v, shape, float(lo), float(hi)


class Codes:
    def __init__(self, v, src, shape, planes, s, lo):
        self.v, self.src, self.shape, self.planes, self.s, self.lo = v, src, shape, planes, float(s), float(lo)


def binary_weight(w):
    """(sign [Co, ...] in {-1,+1}, alpha [Co]) if every output channel of w
    has one nonzero magnitude, else None."""
    w = np.asarray(w, dtype=F32)
    mag = np.abs(w.reshape(w.shape[0], -1))
    alpha = mag[:, 0]
    if np.any(alpha == 0) or np.any(mag != alpha[:, None]):
        return None
    return np.where(w > 0, 1.0, -1.0).astype(F32), alpha


def fold_thresholds(lin, theta, n, what):
    """(t, flip) with [S >= t] (flip 0) / [S <= t] (flip 1) equal to
    lin.eval(S) >= theta for every integer S in [-n, n] (FORMAT.md 5, 1.2)."""
    s = np.arange(-n, n + 1, dtype=F32)
    pos = lin.eval(s[:, None] * np.ones((1, lin.shape[0]), F32)) >= theta.reshape(1, -1)
    t = np.empty(lin.shape[0], np.int64)
    flip = np.zeros(lin.shape[0], np.int64)
    for c in range(lin.shape[0]):
        p = pos[:, c]
        idx = np.nonzero(p)[0]
        if idx.size == 0:
            t[c] = n + 1
        elif idx.size == p.size:
            t[c] = -n
        elif p[-1] and np.all(p[idx[0]:]):
            t[c] = int(s[idx[0]])
        elif p[0] and np.all(p[:idx[-1] + 1]):
            t[c], flip[c] = int(s[idx[-1]]), 1
        else:
            raise QonnxImportError("%s: channel %d of the folded threshold is not monotonic" % (what, c))
    return t, flip


class Lowerer:
    """Emits .fbnn ops for the states; every method names `what` (the ONNX
    node) in its refusals."""

    def __init__(self, g):
        self.g = g

    # -- to REAL -------------------------------------------------------------
    def real(self, st, what):
        g = self.g
        if isinstance(st, Input):
            c = st.shape[0]
            return g.rconv(st.v, st.scale.reshape(c, 1, 1, 1), st.bias, stride=1, pad=0, groups=c)
        if isinstance(st, Bits):
            v = self._code_of(st.v, st.shape[0], 1)
            return self._affine(v, st.shape[0], st.hi - st.lo, st.lo)
        if isinstance(st, Codes):
            v = self._code_of(st.v, st.shape[0], st.planes)
            return self._affine(v, st.shape[0], st.s, st.lo)
        a, b = st.composed()
        if st.base[0] == "real":
            v = st.base[1]
            return v if not st.steps else g.affine(v, a, b)
        kind, emit = st.base[1], st.base[2]
        if kind == "bfc":
            return emit(a, b)
        v = emit()
        return v if not st.steps else g.affine(v, a, b)

    def _affine(self, v, c, a, b):
        if a == 1 and b == 0:
            return v
        return self.g.affine(v, np.full(c, a, F32), np.full(c, b, F32))

    def _code_of(self, v, c, planes):
        """REAL integer code per channel from k-bit planes, exactly: a 1x1
        KCONV with two bases, all +1 (sum of codes) and +1 only on the
        diagonal (own code minus the others), each scaled by 1/2."""
        base1 = np.where(np.eye(c, dtype=bool), 1.0, -1.0).reshape(c, c, 1, 1)
        wts = np.stack([np.ones((c, c, 1, 1)), base1]).astype(F32)
        return self.g.kconv(v, wts, np.full((2, c), 0.5, F32), planes, stride=1, pad=0)

    # -- quantisers ----------------------------------------------------------
    def binarize(self, st, theta, lo, hi, what):
        """bit = (value >= theta[c]); meaning lo / hi."""
        g = self.g
        c = st.shape[0]
        theta = np.broadcast_to(np.asarray(theta, F32).reshape(-1), (c,)).astype(F32)
        if not hi > lo:
            raise QonnxImportError("%s: quantiser levels %g, %g are not increasing" % (what, lo, hi))
        if isinstance(st, Lin) and st.base[0] == "sum" and st.base[1] in ("bconv", "bfc") and st.base[4]:
            t, flip = fold_thresholds(st, theta, st.base[3], what)
            return Bits(st.base[4](t, flip), st.shape, lo, hi)
        v = self.real(st, what)
        if np.any(theta != 0):
            v = g.affine(v, np.ones(c, F32), -theta)
        return Bits(g.sign(v), st.shape, lo, hi)

    def kquant(self, st, a_q, b_q, planes, s, lo, what):
        """code = round_half_even(clamp(value*a_q + b_q, 0, 1) * (2^planes-1))."""
        c = st.shape[0]
        if isinstance(st, Lin):
            src_lin = st.then("mul", a_q).then("add", b_q)
            src = self.real(src_lin, what)
        else:
            src = self.g.affine(self.real(st, what), np.full(c, a_q, F32), np.full(c, b_q, F32))
        return Codes(self.g.quant_kbit(src, planes), src, st.shape, planes, s, lo)

    # -- layers ----------------------------------------------------------------
    def conv(self, st, w, bias, stride, pads, groups, what):
        g = self.g
        co = w.shape[0]
        k = w.shape[2]
        bw = binary_weight(w) if groups == 1 else None
        if isinstance(st, (Bits, Codes)) and bw is not None:
            sign, alpha = bw
            lin = self._binary_conv(st, sign, alpha, stride, pads, what)
            return lin.then("add", bias) if bias is not None else lin
        bias = np.zeros(co, F32) if bias is None else bias
        if isinstance(st, Input) and np.all(st.bias == 0):
            cig = w.shape[1]
            sc = st.scale.reshape(groups, 1, cig)
            wf = (w.reshape(groups, co // groups, cig, k, k) * sc[..., None, None]).reshape(w.shape)
            v = g.rconv(st.v, wf, bias, stride=stride, pad=pads, groups=groups)
        else:
            v = g.rconv(self.real(st, what), w, bias, stride=stride, pad=pads, groups=groups)
        return Lin(g.shape(v), ("real", v))

    def _binary_conv(self, st, sign, alpha, stride, pads, what):
        from fbnn_ops12 import conv_out4
        g = self.g
        co, ci, k, _ = sign.shape
        ho, wo = conv_out4(st.shape[1], st.shape[2], k, stride, pads)
        shape = (co, ho, wo)
        w_sum = sign.reshape(co, -1).sum(1)
        if isinstance(st, Codes):
            if any(pads) and st.lo != 0:
                raise QonnxImportError("%s: zero padding of a k-bit activation with nonzero minimum %g"
                                       % (what, st.lo))
            emit = lambda: g.kconv(st.v, sign[None], np.ones((1, co), F32), st.planes, stride=stride, pad=pads)
            lin = Lin(shape, ("sum", "kconv", emit, None, None))
            return lin.then("mul", st.s * alpha).then("add", st.lo * alpha * w_sum)
        m, d = (st.hi + st.lo) / 2, (st.hi - st.lo) / 2
        pv = 0
        if any(pads):
            if m == 0:
                pv = 0
            elif st.lo == 0 or st.hi == 0:
                pv = -1 if st.lo == 0 else 1
            else:
                raise QonnxImportError("%s: zero padding of binary activations {%g, %g} is not expressible"
                                       % (what, st.lo, st.hi))
        emit = lambda: g.bconv(st.v, sign, stride=stride, pad=pads, pad_value=pv)
        thr = None
        if pv == 0 and len(set(pads)) == 1:
            thr = lambda t, f: g.bconv_thr(st.v, sign, t, f, stride=stride, pad=pads[0])
        lin = Lin(shape, ("sum", "bconv", emit, k * k * ci, thr))
        return lin.then("mul", d * alpha).then("add", m * alpha * w_sum)

    def fc(self, st, w, bias, what):
        g = self.g
        m_out = w.shape[0]
        bw = binary_weight(w)
        if isinstance(st, Bits) and bw is not None:
            sign, alpha = bw
            m, d = (st.hi + st.lo) / 2, (st.hi - st.lo) / 2
            emit = lambda a, b: g.bfc(st.v, sign, a, b)
            thr = lambda t, f: g.bfc_thr(st.v, sign, t, f)
            lin = Lin((m_out, 1, 1), ("sum", "bfc", emit, sign.shape[1], thr))
            lin = lin.then("mul", d * alpha).then("add", m * alpha * sign.sum(1))
        elif isinstance(st, Codes) and bw is not None and st.shape[1] == st.shape[2]:
            c, h, _ = st.shape
            sign, alpha = bw
            w4 = sign.reshape(m_out, c, h, h)
            lin = self._binary_conv(st, w4, alpha, 1, (0, 0, 0, 0), what)
        else:
            v = g.fc(self.real(st, what), w, np.zeros(m_out, F32) if bias is None else bias)
            return Lin(g.shape(v), ("real", v))
        return lin.then("add", bias) if bias is not None else lin

    def maxpool(self, st, k, stride, pad, what):
        g = self.g
        if isinstance(st, Bits):
            v = g.maxpool(st.v, k=k, stride=stride, pad=pad)
            return Bits(v, g.shape(v), st.lo, st.hi)
        if isinstance(st, Codes):
            # max commutes with the monotone quantiser: pool its input, requantise.
            src = g.maxpool(st.src, k=k, stride=stride, pad=pad)
            return Codes(g.quant_kbit(src, st.planes), src, g.shape(src), st.planes, st.s, st.lo)
        v = g.maxpool(self.real(st, what), k=k, stride=stride, pad=pad)
        return Lin(g.shape(v), ("real", v))

    def unary(self, st, fn, what):
        v = fn(self.real(st, what))
        return Lin(self.g.shape(v), ("real", v))

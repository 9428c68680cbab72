"""LCE-converted .tflite -> .fbnn graph (the library behind tools/import_lce_tflite.py).

Interpreter: the PyPI venv (scripts/setup_pyenv.sh); needs numpy, flatbuffers
and TensorFlow's generated TFLite schema (tools/lce_tflite.py reads the file),
not TensorFlow itself.

The ops of subgraph 0 are walked in their stored (execution) order. Every
TFLite tensor gets a `Val` saying how the .fbnn graph holds it:

- "real": a REAL value (a float32 tensor; NHWC [1,H,W,C] is planar [C,H,W],
  [1,N] is [N,1,1]; `flat` = (C,H,W) marks a [1,C*H*W] tensor that is a
  flattened NHWC map, in Keras' (h, w, c) order);
- "bits": a BITS value standing for an LCE bitpacked int32 tensor (LCE packs
  channel c into bit c%32 of word c/32 with bit 1 = -1; .fbnn's BITS have
  1 = +1: only the meaning is carried over);
- "sign": a BITS value standing for the sign (+1 iff x >= 0, as LceQuantize
  computes it) of a float tensor that is never materialised, because every
  reader of it only looks at its sign (LceQuantize, and max pools/reshapes
  whose own outputs are read that way);
- "deq": a BITS value standing for a float tensor of +-1 (LceDequantize);
  a float reader gets it back as REAL exactly (`real_of`);
- "pad": a PAD/PADV2 of a real tensor, folded into the conv that reads it;
- "scaled": x * k (MUL by a per-channel constant) whose only reader adds or
  subtracts a constant: the two become one AFFINE (same roundings).

Builtin float ops are handled in tools/lce_tflite_builtins.py.
"""
import numpy as np

import fbnn_format as ff
from fbnn_ops12 import tf_same_pads

F32 = np.float32
ACT_NAMES = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH", 5: "SIGN_BIT"}
ACT_RANGE = {1: (0.0, None), 2: (-1.0, 1.0), 3: (0.0, 6.0)}   # TFLite's CalculateActivationRange


class Unsupported(Exception):
    """The model uses something the .fbnn format cannot express (the message names the op)."""


class Val:
    def __init__(self, kind, v=None, flat=None, real=None, inner=None, pads=None, pad_value=None):
        self.kind, self.v, self.flat, self.real = kind, v, flat, real
        self.inner, self.pads, self.pad_value = inner, pads, pad_value


HANDLERS = {}


def handler(*names):
    def deco(fn):
        for n in names:
            HANDLERS[n] = fn
        return fn
    return deco


def padding_of(code, h, w, k, s, where):
    """TFLite Padding enum (SAME 0, VALID 1) -> (top, left, bottom, right)."""
    if code == 1:
        return (0, 0, 0, 0)
    if code == 0:
        return tf_same_pads(h, w, k, s)
    raise Unsupported("%s: padding type %r not supported" % (where, code))


def square(a, b, what, where):
    if int(a) != int(b):
        raise Unsupported("%s: non-square %s %dx%d not supported" % (where, what, a, b))
    return int(a)


class Converter:
    def __init__(self, m, g, scale, offset):
        self.m, self.g, self.scale, self.offset = m, g, scale, offset
        self.vals = {}
        self.notes = []
        self.consumers = {}
        for op in m.ops:
            for i in op.inputs:
                if i >= 0:
                    self.consumers.setdefault(i, []).append(op)
        self._sign_only = {}
        self._real_cache = {}

    # -- tensors ------------------------------------------------------------
    def t(self, i):
        return self.m.tensors[i]

    def const(self, op, k, what, dtype=None):
        """Constant input k of op as a numpy array (None if the input is absent)."""
        if k >= len(op.inputs) or op.inputs[k] < 0:
            return None
        t = self.t(op.inputs[k])
        if t.data is None:
            raise Unsupported("%s: %s (tensor '%s') is not a constant" % (op.where(self.m), what, t.name))
        return np.asarray(t.data, dtype=dtype) if dtype is not None else t.data

    def is_const(self, i):
        return i >= 0 and self.t(i).data is not None

    def val(self, op, k):
        i = op.inputs[k]
        if i not in self.vals:
            t = self.t(i)
            raise Unsupported("%s: input tensor '%s' is not produced by any op that was imported"
                              % (op.where(self.m), t.name))
        return self.vals[i]

    def set(self, op, val, k=0):
        i = op.outputs[k]
        t = self.t(i)
        if val.kind in ("real", "bits", "sign", "deq"):
            self._check_shape(op, t, val)
        self.vals[i] = val
        return val

    def _check_shape(self, op, t, val):
        c, h, w = self.g.shape(val.v)
        shp = tuple(t.shape)
        if val.flat is not None:
            want = (1, c * h * w)
        elif len(shp) == 4:
            want = (1, h, w, c)
        else:
            want = (1, c) if h == w == 1 else None
        if want is not None and t.dtype == "INT32" and val.kind == "bits":
            want = want[:-1] + ((want[-1] + 31) // 32,)       # LCE packs the last axis into int32 words
        if want is None or shp != want:
            raise Unsupported("%s: the .fbnn value has shape (C,H,W) = %r, the TFLite tensor '%s' %r"
                              % (op.where(self.m), (c, h, w), t.name, list(t.shape)))

    def chw(self, op, k=0):
        t = self.t(op.inputs[k])
        if len(t.shape) != 4 or t.shape[0] != 1:
            raise Unsupported("%s: needs a [1,H,W,C] input, tensor '%s' is %r"
                              % (op.where(self.m), t.name, list(t.shape)))
        return int(t.shape[3]), int(t.shape[1]), int(t.shape[2])

    # -- value access ---------------------------------------------------------
    def real_of(self, op, k):
        """REAL value of input k (a "deq" +-1 tensor is turned back into reals)."""
        v = self.val(op, k)
        if v.kind == "real":
            return v.v
        if v.kind == "deq":
            return self.deq_real(v.v)
        raise Unsupported("%s: input '%s' exists only as %s here; this op needs its float values"
                          % (op.where(self.m), self.t(op.inputs[k]).name,
                             {"bits": "LCE bits", "sign": "its sign", "pad": "a pending PAD"}.get(v.kind, v.kind)))

    def deq_real(self, b):
        """+-1 REAL from BITS exactly: a 1x1 KCONV with two bases (all +1: the
        number of +1 channels; +1 only on the diagonal: own bit minus the
        others) summed gives 2*bit, then y = 2*bit - 1."""
        if b in self._real_cache:
            return self._real_cache[b]
        g = self.g
        c = g.shape(b)[0]
        base1 = np.where(np.eye(c, dtype=bool), 1.0, -1.0).reshape(c, c, 1, 1)
        wts = np.stack([np.ones((c, c, 1, 1)), base1]).astype(F32)
        v = g.kconv(b, wts, np.ones((2, c), F32), 1, stride=1, pad=0)
        v = g.affine(v, np.ones(c, F32), np.full(c, -1.0, F32))
        self._real_cache[b] = v
        return v

    def sign_only(self, i):
        """True if every reader of tensor i only looks at its sign."""
        if i in self._sign_only:
            return self._sign_only[i]
        cons = self.consumers.get(i, [])
        ok = bool(cons) and i not in self.m.outputs and self.t(i).dtype == "FLOAT32"
        for op in cons:
            if op.name == "LceQuantize":
                continue
            if op.name in ("MAX_POOL_2D", "RESHAPE", "SQUEEZE") and op.inputs[0] == i and \
                    self._passes_sign(op) and self.sign_only(op.outputs[0]):
                continue
            ok = False
        self._sign_only[i] = ok
        return ok

    def _passes_sign(self, op):
        if op.name != "MAX_POOL_2D":
            return True
        o = op.options
        if o.get("fusedActivationFunction", 0) != 0:
            return False
        t = self.t(op.inputs[0])
        if len(t.shape) != 4 or o.get("filterWidth") != o.get("filterHeight") or o.get("strideW") != o.get("strideH"):
            return False
        k, s = int(o["filterWidth"]), int(o["strideW"])
        try:
            pads = padding_of(o.get("padding"), t.shape[1], t.shape[2], k, s, "")
        except Unsupported:
            return False
        return len(set(pads)) == 1

    # -- activations ----------------------------------------------------------
    def activation(self, op, v, code=None):
        code = op.options.get("fusedActivationFunction", 0) if code is None else code
        if code == 0:
            return v
        if code not in ACT_RANGE:
            raise Unsupported("%s: fused activation %s has no .fbnn form (supported: RELU, RELU6, RELU_N1_TO_1)"
                              % (op.where(self.m), ACT_NAMES.get(code, code)))
        lo, hi = ACT_RANGE[code]
        return self.clamp(v, lo, hi)

    def clamp(self, v, lo, hi):
        """max(v, lo) then min(., hi) per element: exact on integers; on other
        floats the min rounds through x - hi (|error| <= ulp(hi))."""
        g = self.g
        c = g.shape(v)[0]
        z = np.zeros(c, F32)
        if lo is not None:
            v = g.rprelu(v, np.full(c, -lo, F32), z, np.full(c, lo, F32))
        if hi is not None:
            neg = np.full(c, -1.0, F32)
            v = g.affine(v, neg, z)
            v = g.rprelu(v, np.full(c, hi, F32), z, np.full(c, -hi, F32))
            v = g.affine(v, neg, z)
        return v

    # -- driver ---------------------------------------------------------------
    def run(self):
        import lce_tflite_builtins  # noqa: F401  (registers the builtin handlers)
        m = self.m
        self._check_float_model()
        if len(m.inputs) != 1 or len(m.outputs) != 1:
            raise Unsupported("%s: exactly one input and one output supported (has %d and %d)"
                              % (m.path, len(m.inputs), len(m.outputs)))
        self.emit_input(m.inputs[0])
        for op in m.ops:
            fn = HANDLERS.get(op.name)
            if fn is None:
                raise Unsupported("%s: no .fbnn mapping for this op" % op.where(m))
            try:
                fn(self, op)
            except (Unsupported, ff.FormatError) as e:
                msg = str(e)
                raise Unsupported(msg if msg.startswith("op %d " % op.index) else "%s: %s" % (op.where(m), msg))
            except Exception as e:   # an unexpected configuration: still an error naming the op
                raise Unsupported("%s: cannot import (%s: %s)" % (op.where(m), type(e).__name__, e))
        out = m.outputs[0]
        if out not in self.vals:
            raise Unsupported("graph output '%s' was not produced" % self.t(out).name)
        o = self.vals[out]
        v = o.v if o.kind == "real" else (self.deq_real(o.v) if o.kind == "deq" else None)
        if v is None or self.g.shape(v)[1:] != (1, 1):
            raise Unsupported("graph output '%s' %r is not a vector of class scores"
                              % (self.t(out).name, list(self.t(out).shape)))
        self.g.set_output(v)
        return self.g

    def _check_float_model(self):
        m = self.m
        for op in m.ops:
            for i in op.inputs + op.outputs:
                if i < 0:
                    continue
                t = m.tensors[i]
                if t.data is not None and not t.quantized:
                    continue
                if t.quantized or t.dtype in ("INT8", "UINT8", "INT16"):
                    raise Unsupported("%s: tensor '%s' is %s%s: int8-quantized models are not supported "
                                      "(convert with LCE's default float32 inference types and no int8 "
                                      "quantization)" % (op.where(m), t.name, t.dtype,
                                                         " (quantized)" if t.quantized else ""))

    def emit_input(self, i):
        t = self.t(i)
        if t.dtype != "FLOAT32":
            raise Unsupported("graph input '%s' is %s; a float32 input is needed" % (t.name, t.dtype))
        if len(t.shape) != 4 or t.shape[0] != 1 or t.shape[3] not in (1, 3):
            raise Unsupported("graph input '%s' %r: needs [1,H,W,C] with C = 1 or 3" % (t.name, list(t.shape)))
        _, h, w, c = (int(d) for d in t.shape)
        x = self.g.input(c, h, w)
        sc = np.broadcast_to(np.asarray(self.scale, F32), (c,))
        of = np.broadcast_to(np.asarray(self.offset, F32), (c,))
        self.vals[i] = Val("real", self.g.rconv(x, sc.reshape(c, 1, 1, 1), of, stride=1, pad=0, groups=c))


# ---------------------------------------------------------------------------
# LCE's custom ops
# ---------------------------------------------------------------------------
@handler("LceQuantize")
def _quantize(cv, op):
    v = cv.val(op, 0)
    if v.kind in ("sign", "deq"):
        return cv.set(op, Val("bits", v.v, flat=v.flat))
    if v.kind == "pad":     # PAD -> LceQuantize: a padded tap is the sign of the pad value
        inner = v.inner
        b = Val("bits", inner.v) if inner.kind == "deq" else Val("bits", cv.g.sign(inner.v), real=inner.v)
        cv.vals[op.outputs[0]] = Val("pad", inner=b, pads=v.pads, pad_value=1 if v.pad_value >= 0 else -1)
        return None
    r = cv.real_of(op, 0)
    return cv.set(op, Val("bits", cv.g.sign(r), flat=v.flat, real=r))


@handler("LceDequantize")
def _dequantize(cv, op):
    v = cv.val(op, 0)
    if v.kind != "bits" or cv.t(op.outputs[0]).dtype != "FLOAT32":
        raise Unsupported("%s: needs LCE bits in and float32 out" % op.where(cv.m))
    return cv.set(op, Val("deq", v.v, flat=v.flat))


def unpack_lce_filter(f, ci, where):
    """LCE filter [Co,K,K,ceil(Ci/32)] int32 (bit 1 = -1) or float [Co,K,K,Ci]
    (bit = x < 0) -> +-1 float32 [Co,Ci,K,K]."""
    if f.dtype == np.int32:
        co, kh, kw, nw = f.shape
        if nw != (ci + 31) // 32:
            raise Unsupported("%s: filter has %d words per tap for %d input channels: grouped binary convs "
                              "have no .fbnn form" % (where, nw, ci))
        words = f.view(np.uint32).reshape(co, kh, kw, nw, 1)
        bits = (words >> np.arange(32, dtype=np.uint32)) & 1
        neg = bits.reshape(co, kh, kw, nw * 32)[..., :ci]
        return np.where(neg == 1, -1.0, 1.0).astype(F32).transpose(0, 3, 1, 2)
    if f.dtype == np.float32:
        if f.shape[3] != ci:
            raise Unsupported("%s: float filter with %d input channels for channels_in %d: grouped binary "
                              "convs have no .fbnn form" % (where, f.shape[3], ci))
        return np.where(f < 0, -1.0, 1.0).astype(F32).transpose(0, 3, 1, 2)
    raise Unsupported("%s: filter of type %s not supported" % (where, f.dtype))


def lce_sign_thresholds(n, mul, bias, lo, hi):
    """(t, flip) per channel such that LCE's float output transform
    y = f32(clamp(n - s) as f32 * (-mul)) + f32(bias + n*mul) (interior
    pixels) has y >= 0 iff s >= t (flip 0) / s <= t (flip 1) for every
    integer conv sum s in [-n, n]; None if some channel is not monotone."""
    s = np.arange(-n, n + 1, dtype=np.int64)
    sc = np.clip(s, lo, hi)
    x2 = (n - sc).astype(F32)[:, None]
    m2 = (-mul.astype(np.float64)).astype(F32)[None, :]
    b2 = (bias.astype(np.float64) + float(n) * mul.astype(np.float64)).astype(F32)[None, :]
    y = (x2 * m2).astype(F32) + b2
    return monotone_thresholds(s, ~(y < 0))


def monotone_thresholds(s, on):
    ts, flips = [], []
    n = int(s[-1])
    for c in range(on.shape[1]):
        col = on[:, c]
        d = np.diff(col.astype(np.int8))
        if np.all(d >= 0):
            ts.append(int(s[np.argmax(col)]) if col.any() else n + 1)
            flips.append(0)
        elif np.all(d <= 0):
            ts.append(int(s[len(col) - 1 - np.argmax(col[::-1])]))
            flips.append(1)
        else:
            return None
    return np.array(ts, np.int64), np.array(flips, np.int64)


@handler("LceBconv2d")
def _bconv(cv, op):
    g, o, where = cv.g, op.options, op.where(cv.m)
    for key in ("channels_in", "stride_height", "stride_width", "padding", "pad_values"):
        if key not in o:
            raise Unsupported("%s: custom option '%s' missing" % (where, key))
    if o.get("dilation_height_factor", 1) != 1 or o.get("dilation_width_factor", 1) != 1:
        raise Unsupported("%s: dilated binary convs have no .fbnn form" % where)
    x = cv.val(op, 0)
    pre_pads, pv = (0, 0, 0, 0), 0
    if x.kind == "pad":
        if o["padding"] != 1:
            raise Unsupported("%s: an explicit PAD before a SAME-padded binary conv is not supported" % where)
        pre_pads, pv, x = x.pads, x.pad_value, x.inner
    if x.kind != "bits":
        raise Unsupported("%s: input is not LCE bits" % where)
    ci, h, w = g.shape(x.v)
    if int(o["channels_in"]) != ci:
        raise Unsupported("%s: channels_in %d, but the input has %d channels" % (where, o["channels_in"], ci))
    wt = unpack_lce_filter(cv.const(op, 1, "filter"), ci, where)
    co, _, kh, kw = wt.shape
    k = square(kh, kw, "kernel", where)
    s = square(o["stride_height"], o["stride_width"], "stride", where)
    if o["padding"] == 0:
        pads = padding_of(0, h, w, k, s, where)
        pv = 1 if int(o["pad_values"]) == 1 else 0
        if int(o["pad_values"]) not in (0, 1):
            raise Unsupported("%s: pad_values %r (LCE knows 0 and 1)" % (where, o["pad_values"]))
    else:
        pads = pre_pads
    padded = any(pads)
    pv = pv if padded else 0
    n = k * k * ci
    out_t = cv.t(op.outputs[0])
    sym0 = len(set(pads)) == 1 and pv == 0      # BCONV_THR's padding: symmetric zeros
    if out_t.dtype == "INT32":                   # bitpacked output: LCE's thresholds
        tau = cv.const(op, 4, "output_threshold", np.int64).reshape(-1)
        t = np.clip(n - 2 * tau, -n, n + 1)      # bit -1 iff accum > tau  <=>  +1 iff s >= n - 2*tau
        if sym0:
            return cv.set(op, Val("bits", g.bconv_thr(x.v, wt, t, np.zeros(co, np.int64), stride=s, pad=pads[0])))
        v = g.bconv(x.v, wt, stride=s, pad=pads, pad_value=pv)
        v = g.affine(v, np.ones(co, F32), (-t).astype(F32))
        return cv.set(op, Val("bits", g.sign(v), real=v))
    if out_t.dtype != "FLOAT32":
        raise Unsupported("%s: output type %s not supported (float32 or LCE bits)" % (where, out_t.dtype))
    mul = cv.const(op, 2, "post_activation_multiplier", np.float32).reshape(-1)
    bias = cv.const(op, 3, "post_activation_bias", np.float32).reshape(-1)
    act = int(o.get("fused_activation_function", 0))
    lo, hi = -n, n
    if act:
        if act not in ACT_RANGE:
            raise Unsupported("%s: fused activation %s has no .fbnn form" % (where, ACT_NAMES.get(act, act)))
        a_lo, a_hi = ACT_RANGE[act]
        lo = max(lo, int(a_lo))
        hi = min(hi, int(a_hi)) if a_hi is not None else hi
    if cv.sign_only(op.outputs[0]):             # only its sign is read: integer thresholds
        thr = lce_sign_thresholds(n, mul, bias, lo, hi)
        if thr is not None:
            t, flip = thr
            if sym0:
                return cv.set(op, Val("sign", g.bconv_thr(x.v, wt, t, flip, stride=s, pad=pads[0])))
            v = g.bconv(x.v, wt, stride=s, pad=pads, pad_value=pv)     # +1 iff s >= t (s <= t if flip)
            a = np.where(flip == 1, -1.0, 1.0).astype(F32)
            v = g.affine(v, a, (-a * np.clip(t, -n - 1, n + 1)).astype(F32))
            return cv.set(op, Val("sign", g.sign(v)))
    v = g.bconv(x.v, wt, stride=s, pad=pads, pad_value=pv)
    if lo > -n or hi < n:
        v = cv.clamp(v, lo if lo > -n else None, hi if hi < n else None)
    if np.any(mul != 1) or np.any(bias != 0):
        v = g.affine(v, mul, bias)
    return cv.set(op, Val("real", v))


@handler("LceBMaxPool2d")
def _bmaxpool(cv, op):
    g, o, where = cv.g, op.options, op.where(cv.m)
    x = cv.val(op, 0)
    if x.kind != "bits":
        raise Unsupported("%s: input is not LCE bits" % where)
    c, h, w = g.shape(x.v)
    k = square(o["filter_height"], o["filter_width"], "filter", where)
    s = square(o["stride_height"], o["stride_width"], "stride", where)
    pads = padding_of(o["padding"], h, w, k, s, where)
    if len(set(pads)) == 1:
        return cv.set(op, Val("bits", g.maxpool(x.v, k=k, stride=s, pad=pads[0])))
    if x.real is None:
        raise Unsupported("%s: SAME max pooling with padding %r (top, left, bottom, right) on bits that have "
                          "no float source has no .fbnn form" % (where, pads))
    from lce_tflite_builtins import maxpool_real
    r = maxpool_real(cv, x.real, k, s, pads, where)
    return cv.set(op, Val("bits", g.sign(r), real=r))

"""TFLite builtin (float32) ops of tools/lce_tflite_import.py: HANDLERS[op name](converter, op).

Interpreter: the PyPI venv (see tools/lce_tflite_import.py). TFLite weights
are OHWI (conv), [1,K,K,C*M] (depthwise), [N,F] (fully connected); they are
written in the format's OIHW / planar orders. Ops that have no .fbnn form
raise Unsupported naming the op.
"""
import numpy as np

from lce_tflite_import import F32, Unsupported, Val, handler, padding_of, square


def _conv_params(cv, op, k):
    o, where = op.options, op.where(cv.m)
    if o.get("dilationHFactor", 1) != 1 or o.get("dilationWFactor", 1) != 1:
        raise Unsupported("%s: dilated convs not supported" % where)
    s = square(o["strideH"], o["strideW"], "stride", where)
    x = cv.val(op, 0)
    if x.kind == "pad":
        if o["padding"] != 1 or x.pad_value != 0:
            raise Unsupported("%s: an explicit PAD with value %g before a %s conv has no .fbnn form"
                              % (where, x.pad_value, "SAME" if o["padding"] == 0 else "VALID"))
        inner = x.inner.v if x.inner.kind == "real" else cv.deq_real(x.inner.v)
        return s, x.pads, inner
    c, h, w = cv.chw(op)
    return s, padding_of(o["padding"], h, w, k, s, where), cv.real_of(op, 0)


def _bias(cv, op, k, n):
    b = cv.const(op, k, "bias", np.float32)
    return np.zeros(n, F32) if b is None else b.reshape(-1)


@handler("CONV_2D")
def _conv(cv, op):
    wt = cv.const(op, 1, "filter", np.float32)                    # [Co, K, K, Ci]
    co, kh, kw, ci = wt.shape
    k = square(kh, kw, "kernel", op.where(cv.m))
    s, pads, x = _conv_params(cv, op, k)
    c = cv.g.shape(x)[0]
    if c % ci or co % (c // ci):
        raise Unsupported("%s: %d input channels for a filter of %d" % (op.where(cv.m), c, ci))
    v = cv.g.rconv(x, wt.transpose(0, 3, 1, 2), _bias(cv, op, 2, co), stride=s, pad=pads, groups=c // ci)
    cv.set(op, Val("real", cv.activation(op, v)))


@handler("DEPTHWISE_CONV_2D")
def _dwconv(cv, op):
    wt = cv.const(op, 1, "filter", np.float32)                    # [1, K, K, C*M]
    _, kh, kw, cm = wt.shape
    k = square(kh, kw, "kernel", op.where(cv.m))
    s, pads, x = _conv_params(cv, op, k)
    c = cv.g.shape(x)[0]
    if cm % c:
        raise Unsupported("%s: %d filter channels for %d inputs" % (op.where(cv.m), cm, c))
    v = cv.g.rconv(x, wt.reshape(k, k, cm).transpose(2, 0, 1)[:, None], _bias(cv, op, 2, cm),
                   stride=s, pad=pads, groups=c)
    cv.set(op, Val("real", cv.activation(op, v)))


def _fc_rows(cv, op, wt, shape, flat):
    """TFLite weights [N, F] (F in the input's NHWC / vector order) -> [N, C*H*W] planar."""
    c, h, w = shape
    n, f = wt.shape
    if f != c * h * w:
        raise Unsupported("%s: weights of %d inputs for an input of %d values" % (op.where(cv.m), f, c * h * w))
    if h * w > 1:
        return wt.reshape(n, h, w, c).transpose(0, 3, 1, 2).reshape(n, f)
    return wt


def _binary_rows(wt):
    """(signs, m) if every row is +-m[row]; else None."""
    a = np.abs(wt)
    m = a.max(axis=1)
    if np.any(a != m[:, None]):
        return None
    return np.where(wt >= 0, 1.0, -1.0).astype(F32), m.astype(F32)


@handler("FULLY_CONNECTED")
def _fc(cv, op):
    g, o = cv.g, op.options
    if o.get("weightsFormat", 0) != 0 or o.get("keepNumDims", False):
        raise Unsupported("%s: shuffled weights / keep_num_dims not supported" % op.where(cv.m))
    wt = cv.const(op, 1, "weights", np.float32)
    if wt.ndim != 2:
        raise Unsupported("%s: weights of rank %d" % (op.where(cv.m), wt.ndim))
    n = wt.shape[0]
    bias = _bias(cv, op, 2, n)
    x = cv.val(op, 0)
    br = _binary_rows(wt) if x.kind in ("deq", "bits") else None
    if x.kind == "bits" and br is None:
        raise Unsupported("%s: LCE bits read by a fully connected op" % op.where(cv.m))
    if br is not None:      # +-1 input, +-m weights: binary FC (integer sum, then * m + bias)
        signs, m = br
        rows = _fc_rows(cv, op, signs, g.shape(x.v), x.flat)
        act = o.get("fusedActivationFunction", 0)
        if cv.sign_only(op.outputs[0]):
            thr = _bfc_thresholds(cv, op, rows.shape[1], m, bias, act)
            if thr is not None:
                return cv.set(op, Val("sign", g.bfc_thr(x.v, rows, thr[0], thr[1])))
        return cv.set(op, Val("real", cv.activation(op, g.bfc(x.v, rows, m, bias))))
    xr = cv.real_of(op, 0)
    rows = _fc_rows(cv, op, wt, g.shape(xr), x.flat)
    cv.set(op, Val("real", cv.activation(op, g.fc(xr, rows, bias))))


def _bfc_thresholds(cv, op, nin, m, bias, act):
    """Thresholds equal to BFC -> activation -> sign: the decisions of the
    unfused .fbnn ops, exactly (f32(s)*m + bias, then the clamp)."""
    from lce_tflite_import import ACT_RANGE, monotone_thresholds
    s = np.arange(-nin, nin + 1, dtype=np.int64)
    y = (s.astype(F32)[:, None] * m[None, :]).astype(F32) + bias[None, :]
    if act:
        if act not in ACT_RANGE:
            return None
        lo, hi = ACT_RANGE[act]
        y = np.maximum(y, F32(lo))
        if hi is not None:
            y = np.minimum(y, F32(hi))
    return monotone_thresholds(s, y >= 0)


def _channel_const(cv, op, k, c):
    """A constant input broadcast over [1,H,W,C] per channel -> float32 [C], else None."""
    a = cv.t(op.inputs[k]).data
    a = np.asarray(a, np.float32)
    if a.size == 1:
        return np.full(c, a.reshape(-1)[0], F32)
    if a.ndim >= 1 and a.shape[-1] == c and a.size == c:
        return a.reshape(-1)
    return None


def _eltwise(cv, op, kind):
    g, where = cv.g, op.where(cv.m)
    i0, i1 = op.inputs[:2]
    if cv.is_const(i0) and cv.is_const(i1):
        raise Unsupported("%s: both operands constant" % where)
    if cv.is_const(i0) or cv.is_const(i1):
        kv, kc = (1, 0) if cv.is_const(i0) else (0, 1)
        xv = cv.val(op, kv)
        x = xv.v if xv.kind == "scaled" else cv.real_of(op, kv)
        c, h, w = g.shape(x)
        if xv.flat is not None:
            raise Unsupported("%s: per-element constants on a flattened map not supported" % where)
        k = _channel_const(cv, op, kc, c)
        if k is None:
            raise Unsupported("%s: constant of shape %r is not per channel" % (where, list(cv.t(op.inputs[kc]).shape)))
        a, zero = (xv.scale if xv.kind == "scaled" else np.ones(c, F32)), np.zeros(c, F32)
        if kind == "MUL":
            if _add_follows(cv, op):     # x*k then +-const: one AFFINE, rounded exactly as the two ops
                v = Val("scaled", x, flat=xv.flat)
                v.scale = k
                cv.vals[op.outputs[0]] = v
                return None
            v = g.affine(x, k, zero)
        elif kind == "ADD":
            v = g.affine(x, a, k)
        elif kv == 0:       # x - k
            v = g.affine(x, a, -k)
        else:               # k - x
            v = g.affine(x, -a, k)
        return cv.set(op, Val("real", cv.activation(op, v), flat=xv.flat))
    if kind == "MUL":
        raise Unsupported("%s: the product of two tensors has no .fbnn form" % where)
    a, b = cv.real_of(op, 0), cv.real_of(op, 1)
    if g.shape(a) != g.shape(b) or cv.val(op, 0).flat != cv.val(op, 1).flat:
        raise Unsupported("%s: operands of shapes %r and %r (broadcasting not supported)"
                          % (where, g.shape(a), g.shape(b)))
    if kind == "SUB":
        c = g.shape(b)[0]
        b = g.affine(b, np.full(c, -1.0, F32), np.zeros(c, F32))
    cv.set(op, Val("real", cv.activation(op, g.add(a, b)), flat=cv.val(op, 0).flat))


def _add_follows(cv, op):
    """The MUL's output is read once, by an ADD/SUB with a constant: AFFINE
    computes f32(f32(a*x) + b), the same two roundings as MUL then ADD."""
    o = op.outputs[0]
    cons = cv.consumers.get(o, [])
    if op.options.get("fusedActivationFunction", 0) or o in cv.m.outputs or len(cons) != 1:
        return False
    nxt = cons[0]
    return nxt.name in ("ADD", "SUB") and len(nxt.inputs) == 2 and nxt.inputs.count(o) == 1 and \
        cv.is_const(nxt.inputs[1 - nxt.inputs.index(o)])


@handler("ADD")
def _add(cv, op):
    _eltwise(cv, op, "ADD")


@handler("SUB")
def _sub(cv, op):
    _eltwise(cv, op, "SUB")


@handler("MUL")
def _mul(cv, op):
    _eltwise(cv, op, "MUL")


def maxpool_real(cv, x, k, s, pads, where):
    """Max pool of a REAL value with TFLite's padding (padded taps ignored)."""
    g = cv.g
    if len(set(pads)) == 1:
        return g.maxpool(x, k=k, stride=s, pad=pads[0])
    if pads != (0, 0, 1, 1) or k < 3:
        raise Unsupported("%s: SAME max pooling of size %d with padding %r has no .fbnn form" % (where, k, pads))
    # one more row/column at the bottom/right: the max over k-1 taps starting
    # one up (pad 1), its first row and column dropped (one-hot 2x2 depthwise
    # conv, exact), then the max of 2 with stride s covers exactly TF's windows.
    c = g.shape(x)[0]
    mx = g.maxpool(x, k=k - 1, stride=1, pad=1)
    hot = np.zeros((c, 1, 2, 2), F32)
    hot[:, 0, 1, 1] = 1.0
    crop = g.rconv(mx, hot, np.zeros(c, F32), stride=1, pad=0, groups=c)
    return g.maxpool(crop, k=2, stride=s, pad=0)


def _pool_params(cv, op):
    o, where = op.options, op.where(cv.m)
    k = square(o["filterHeight"], o["filterWidth"], "filter", where)
    s = square(o["strideH"], o["strideW"], "stride", where)
    c, h, w = cv.chw(op)
    return k, s, padding_of(o["padding"], h, w, k, s, where)


@handler("MAX_POOL_2D")
def _maxpool(cv, op):
    k, s, pads = _pool_params(cv, op)
    x = cv.val(op, 0)
    if x.kind in ("sign", "deq") and len(set(pads)) == 1 and not op.options.get("fusedActivationFunction", 0):
        return cv.set(op, Val(x.kind, cv.g.maxpool(x.v, k=k, stride=s, pad=pads[0])))
    v = maxpool_real(cv, cv.real_of(op, 0), k, s, pads, op.where(cv.m))
    cv.set(op, Val("real", cv.activation(op, v)))


@handler("AVERAGE_POOL_2D")
def _avgpool(cv, op):
    k, s, pads = _pool_params(cv, op)
    if any(pads):
        raise Unsupported("%s: padded average pooling (TFLite divides by the in-bounds count) has no .fbnn form"
                          % op.where(cv.m))
    x = cv.real_of(op, 0)
    c, h, w = cv.g.shape(x)
    if k == h == w and s >= 1:
        v = cv.g.global_avgpool(x)       # a whole-map pool: one output, the same sum
    else:
        v = cv.g.avgpool(x, k=k, stride=s, dup=1)
    cv.set(op, Val("real", cv.activation(op, v)))


@handler("MEAN")
def _mean(cv, op):
    axes = sorted(int(a) % 4 for a in np.asarray(cv.const(op, 1, "axes")).reshape(-1))
    if len(cv.t(op.inputs[0]).shape) != 4 or axes != [1, 2]:
        raise Unsupported("%s: only the mean over H and W of a [1,H,W,C] map is supported" % op.where(cv.m))
    cv.set(op, Val("real", cv.g.global_avgpool(cv.real_of(op, 0))))


@handler("RESHAPE", "SQUEEZE")
def _reshape(cv, op):
    x = cv.val(op, 0)
    if x.kind not in ("real", "sign", "deq", "bits"):
        raise Unsupported("%s: input kind %s" % (op.where(cv.m), x.kind))
    c, h, w = cv.g.shape(x.v)
    out = tuple(cv.t(op.outputs[0]).shape)
    if x.kind == "bits" and (h * w > 1 or x.flat is not None):
        raise Unsupported("%s: reshaping LCE bits not supported" % op.where(cv.m))
    if out == (1, c * h * w):
        flat = (c, h, w) if h * w > 1 else x.flat
        return cv.set(op, Val(x.kind, x.v, flat=flat, real=x.real))
    if x.flat is None and h * w == 1 and out in ((1, 1, 1, c), (1, c)):
        return cv.set(op, Val(x.kind, x.v, real=x.real))
    if x.flat is None and out == (1, h, w, c):
        return cv.set(op, Val(x.kind, x.v, real=x.real))
    raise Unsupported("%s: reshape of %r to %r is not a flatten (only [1,H,W,C] -> [1,H*W*C] and unit-axis "
                      "reshapes are supported)" % (op.where(cv.m), list(cv.t(op.inputs[0]).shape), list(out)))


@handler("CONCATENATION")
def _concat(cv, op):
    ax = int(op.options.get("axis", -1))
    if any(len(cv.t(i).shape) != 4 for i in op.inputs) or ax % 4 != 3:
        raise Unsupported("%s: only channel concatenation of [1,H,W,C] maps is supported" % op.where(cv.m))
    vs = [cv.real_of(op, k) for k in range(len(op.inputs))]
    while len(vs) > 1:
        vs = [cv.g.concat(vs[:4])] + vs[4:]
    cv.set(op, Val("real", cv.activation(op, vs[0])))


@handler("PAD", "PADV2")
def _pad(cv, op):
    where = op.where(cv.m)
    p = np.asarray(cv.const(op, 1, "paddings")).astype(np.int64)
    if p.shape != (4, 2) or np.any(p[0] != 0) or np.any(p[3] != 0) or np.any(p < 0):
        raise Unsupported("%s: only spatial padding of a [1,H,W,C] map is supported, paddings %r"
                          % (where, p.tolist()))
    value = 0.0
    if op.name == "PADV2" and len(op.inputs) > 2 and op.inputs[2] >= 0:
        value = float(np.asarray(cv.const(op, 2, "constant value"), np.float64).reshape(-1)[0])
    for c in cv.consumers.get(op.outputs[0], []):
        if c.name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "LceQuantize"):
            raise Unsupported("%s: its output is read by op %d (%s); a PAD folds only into a following "
                              "conv or LceQuantize -> LceBconv2d" % (where, c.index, c.name))
    x = cv.val(op, 0)
    if x.kind not in ("real", "deq") or x.flat is not None:
        x = Val("real", cv.real_of(op, 0))          # (raises for values that exist only as bits)
    pads = (int(p[1, 0]), int(p[2, 0]), int(p[1, 1]), int(p[2, 1]))
    cv.vals[op.outputs[0]] = Val("pad", inner=x, pads=pads, pad_value=value)


def _act_op(cv, op, lo, hi):
    cv.set(op, Val("real", cv.clamp(cv.real_of(op, 0), lo, hi), flat=cv.val(op, 0).flat))


@handler("RELU")
def _relu(cv, op):
    _act_op(cv, op, 0.0, None)


@handler("RELU6")
def _relu6(cv, op):
    _act_op(cv, op, 0.0, 6.0)


@handler("RELU_N1_TO_1")
def _relu1(cv, op):
    _act_op(cv, op, -1.0, 1.0)


def _slopes(cv, op, x, slope):
    c = cv.g.shape(x)[0]
    z = np.zeros(c, F32)
    return cv.g.rprelu(x, z, slope.astype(F32), z)


@handler("LEAKY_RELU")
def _leaky(cv, op):
    x = cv.real_of(op, 0)
    c = cv.g.shape(x)[0]
    alpha = float(op.options.get("alpha", 0.2))
    cv.set(op, Val("real", _slopes(cv, op, x, np.full(c, alpha, F32)), flat=cv.val(op, 0).flat))


@handler("PRELU")
def _prelu(cv, op):
    x = cv.real_of(op, 0)
    c = cv.g.shape(x)[0]
    if cv.val(op, 0).flat is not None:
        raise Unsupported("%s: PReLU on a flattened map not supported" % op.where(cv.m))
    a = _channel_const(cv, op, 1, c)
    if a is None:
        raise Unsupported("%s: alpha of shape %r is not per channel (shared over H and W)"
                          % (op.where(cv.m), list(cv.t(op.inputs[1]).shape)))
    cv.set(op, Val("real", _slopes(cv, op, x, a)))


@handler("SOFTMAX")
def _softmax(cv, op):
    if op.outputs[0] not in cv.m.outputs:
        raise Unsupported("%s: a softmax inside the network has no .fbnn form (a final one is dropped)"
                          % op.where(cv.m))
    cv.notes.append("%s: final softmax dropped (the .fbnn output is the logits; same top-1)" % op.where(cv.m))
    x = cv.val(op, 0)
    cv.vals[op.outputs[0]] = x


@handler("DEQUANTIZE")
def _dequant_const(cv, op):
    t = cv.t(op.inputs[0])
    if t.data is None or t.dtype != "FLOAT16":
        raise Unsupported("%s: DEQUANTIZE of a %s tensor: quantized models are not supported" % (op.where(cv.m), t.dtype))
    cv.t(op.outputs[0]).data = np.asarray(t.data, np.float32)    # a float16 constant (weights): use its values

"""Per-layer handlers of tools/larq_keras.py: HANDLERS[Keras class name](conv, layer, node).

Interpreter: the PyPI venv (see tools/larq_keras.py). Weights are read in
Keras' NHWC/HWIO layout and written in the format's planar CHW / OIHW one; a
kernel is quantised by calling the layer's own kernel quantizer on it, so the
.fbnn weights are exactly the ones Keras multiplies with.
"""
import numpy as np

from larq_keras import Unsupported, quantizer_kind, same_pads, square, _outs

HANDLERS = {}


def handler(*names):
    def deco(fn):
        for n in names:
            HANDLERS[n] = fn
        return fn
    return deco


def _where(layer):
    return "layer '%s' (%s)" % (layer.name, type(layer).__name__)


def _np(v):
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v, dtype=np.float32)


def _bias(layer, n):
    if getattr(layer, "use_bias", False) and getattr(layer, "bias", None) is not None:
        return _np(layer.bias).reshape(-1)
    return np.zeros(n, np.float32)


def _qkernel(layer, var, qattr):
    """The kernel as Keras uses it (quantised) and the quantizer kind."""
    q = getattr(layer, qattr, None)
    kind = quantizer_kind(q, _where(layer) + " " + qattr)
    raw = var.latent_variable if hasattr(var, "latent_variable") else var
    w = _np(q(raw)) if kind else _np(raw)
    return w, kind


def _binary_scale(layer, wq, kind):
    """wq = sign * m[o] (last axis = output): returns (signs +-1, m)."""
    co = wq.shape[-1]
    flat = np.abs(wq.reshape(-1, co))
    m = flat.max(axis=0)
    if kind == "sign":
        m = np.ones(co, np.float32)
    if np.any(flat != m[None, :]) or np.any(m <= 0):
        raise Unsupported("%s: quantised kernel is not +-m per output channel" % _where(layer))
    return np.where(wq >= 0, 1.0, -1.0).astype(np.float32), m.astype(np.float32)


def _activation(cv, layer, v, name, out_t):
    """Apply a Keras activation (by name) to REAL value v."""
    g = cv.g
    c = g.shape(v)[0]
    z = np.zeros(c, np.float32)
    if name in ("linear", None):
        return v
    if name == "relu":
        return g.rprelu(v, z, z, z)
    if name == "softmax" and id(out_t) in cv.outputs:
        cv.notes.append("%s: final softmax dropped (the .fbnn output is the logits; same top-1)" % layer.name)
        return v
    raise Unsupported("%s: activation '%s' has no .fbnn form (supported: linear, relu, leaky/PReLU, "
                      "final softmax)" % (_where(layer), name))


def _act_name(layer):
    a = getattr(layer, "activation", None)
    return None if a is None else getattr(a, "__name__", str(a))


def _sign_thresholds(layer, bn, n, scale, bias, conv):
    """(t, flip) per channel such that Keras' sign(bn(act(s*scale + bias))) is
    +1 iff s >= t (flip 0) / s <= t (flip 1) for every integer s in [-n, n].
    None if some channel is not monotone in s."""
    import tensorflow as tf
    s = np.arange(-n, n + 1, dtype=np.float32)
    v = s[:, None] * scale[None, :] + bias[None, :]
    v = v.astype(np.float32)
    x = tf.constant(v[None, None] if conv else v)
    act = getattr(layer, "activation", None)
    if act is not None:
        x = act(x)
    if bn is not None:
        x = bn(x, training=False)
    on = (x.numpy().reshape(len(s), -1) >= 0)
    ts, flips = [], []
    for c in range(on.shape[1]):
        col = on[:, c]
        d = np.diff(col.astype(np.int8))
        if np.all(d >= 0):          # off ... off on ... on
            ts.append(int(s[np.argmax(col)]) if col.any() else n + 1)
            flips.append(0)
        elif np.all(d <= 0):        # on ... on off ... off
            ts.append(int(s[len(col) - 1 - np.argmax(col[::-1])]))
            flips.append(1)
        else:
            return None
    return np.array(ts, np.int64), np.array(flips, np.int64)


def _thr_fold(cv, layer, node, conv_ok):
    """(bn layer or None, output tensor) if this binary layer's output may be
    folded into thresholds; None otherwise."""
    if not conv_ok:
        return None
    t = _outs(node)[0]
    if cv.sign_only(t):
        return None, t
    cons = cv.consumers.get(id(t), [])
    if len(cons) == 1 and id(t) not in cv.outputs:
        bl, bn = cons[0]
        if type(bl).__name__ == "BatchNormalization" and cv.sign_only(_outs(bn)[0]):
            return bl, _outs(bn)[0]
    return None


@handler("InputLayer")
def _input(cv, layer, node):
    if node.keras_inputs:
        raise Unsupported("%s: unexpected inputs" % _where(layer))
    cv.emit_input(layer, node)


@handler("Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "ActivityRegularization",
         "AlphaDropout")
def _identity(cv, layer, node):
    x, y = node.keras_inputs[0], _outs(node)[0]
    if id(x) in cv.real:
        cv.set_real(y, cv.real[id(x)])
    if id(x) in cv.bits:
        cv.bits[id(y)] = cv.bits[id(x)]


@handler("Flatten")
def _flatten(cv, layer, node):
    _identity(cv, layer, node)
    x, y = node.keras_inputs[0], _outs(node)[0]
    cv.flat_of[id(y)] = len(x.shape) == 4


@handler("QuantConv2D", "Conv2D", "QuantDepthwiseConv2D", "DepthwiseConv2D")
def _conv(cv, layer, node):
    g = cv.g
    kind = type(layer).__name__
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise Unsupported("%s: channels_first not supported" % _where(layer))
    if tuple(getattr(layer, "dilation_rate", (1, 1))) != (1, 1):
        raise Unsupported("%s: dilated convs not supported" % _where(layer))
    c, h, w = cv.chw(x_t, layer)
    k, s = square(layer, "kernel_size"), square(layer, "strides")
    pads = same_pads(layer, h, w, k, s)
    depthwise = "Depthwise" in kind
    if depthwise:
        wq, kkind = _qkernel(layer, layer.depthwise_kernel, "depthwise_quantizer")
        mult = wq.shape[3]
        wt = wq.reshape(k, k, c * mult).transpose(2, 0, 1)[:, None]   # [C*m, 1, K, K], o = c*m + j
        groups = c
    else:
        wq, kkind = _qkernel(layer, layer.kernel, "kernel_quantizer")
        wt, groups = wq.transpose(3, 2, 0, 1), int(getattr(layer, "groups", 1) or 1)
    co = wt.shape[0]
    bias = _bias(layer, co)
    ikind = quantizer_kind(getattr(layer, "input_quantizer", None), _where(layer) + " input_quantizer")
    pv = float(np.asarray(getattr(layer, "pad_values", 0.0)))
    padded = layer.padding == "same" and any(pads)
    if ikind is None:
        if padded and pv != 0:
            raise Unsupported("%s: real-valued input padded with %g (only 0 on a real conv)" % (_where(layer), pv))
        v = g.rconv(cv.get_real(x_t, layer), wt, bias, stride=s, pad=pads, groups=groups)
        cv.set_real(y_t, _activation(cv, layer, v, _act_name(layer), y_t))
        return
    if kkind is None or depthwise or groups != 1:
        raise Unsupported("%s: binary input needs a binary (sign) kernel and no groups: the format has "
                          "no binary depthwise/grouped conv and no binary-input real-kernel conv" % _where(layer))
    if padded and pv not in (0.0, 1.0, -1.0):
        raise Unsupported("%s: pad_values %g (supported: 0, 1, -1)" % (_where(layer), pv))
    signs, m = _binary_scale(layer, wq, kkind)
    wt = signs.transpose(3, 2, 0, 1)
    xb = cv.get_bits(x_t, layer)
    sym = len(set(pads)) == 1 and (pv == 0 or not padded)
    fold = _thr_fold(cv, layer, node, sym)
    if fold is not None:
        bn, out_t = fold
        thr = _sign_thresholds(layer, bn, k * k * c, m, bias, True)
        if thr is not None:
            if bn is not None:
                cv.done.add(bn)
            cv.set_bits(out_t, g.bconv_thr(xb, wt, thr[0], thr[1], stride=s, pad=pads[0]))
            return
    v = g.bconv(xb, wt, stride=s, pad=pads, pad_value=int(pv) if padded else 0)
    if kkind == "msign" or np.any(bias != 0):
        v = g.affine(v, m, bias)
    cv.set_real(y_t, _activation(cv, layer, v, _act_name(layer), y_t))


def _dense_rows(cv, layer, x_t, wq):
    """Keras kernel [F, M] -> [M, C*H*W] in the planar order of the fbnn input."""
    if len(x_t.shape) != 2:
        raise Unsupported("%s: Dense on a rank-%d tensor (per-pixel dense) not supported"
                          % (_where(layer), len(x_t.shape)))
    src = cv.real.get(id(x_t), cv.bits.get(id(x_t)))
    c, h, w = cv.g.shape(src)
    mo = wq.shape[1]
    if h * w > 1:        # Flatten of an NHWC map: Keras' order is (h, w, c)
        return wq.reshape(h, w, c, mo).transpose(3, 2, 0, 1).reshape(mo, c * h * w)
    return wq.T.reshape(mo, c)


@handler("QuantDense", "Dense")
def _dense(cv, layer, node):
    g = cv.g
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    wq, kkind = _qkernel(layer, layer.kernel, "kernel_quantizer")
    mo = wq.shape[1]
    bias = _bias(layer, mo)
    ikind = quantizer_kind(getattr(layer, "input_quantizer", None), _where(layer) + " input_quantizer")
    if ikind is None:
        v = g.fc(cv.get_real(x_t, layer), _dense_rows(cv, layer, x_t, wq), bias)
        cv.set_real(y_t, _activation(cv, layer, v, _act_name(layer), y_t))
        return
    if kkind is None:
        raise Unsupported("%s: binary input with a real-valued kernel has no .fbnn op" % _where(layer))
    signs, m = _binary_scale(layer, wq, kkind)
    xb = cv.get_bits(x_t, layer)
    rows = _dense_rows(cv, layer, x_t, signs)
    fold = _thr_fold(cv, layer, node, True)
    if fold is not None:
        bn, out_t = fold
        thr = _sign_thresholds(layer, bn, rows.shape[1], m, bias, False)
        if thr is not None:
            if bn is not None:
                cv.done.add(bn)
            cv.set_bits(out_t, g.bfc_thr(xb, rows, thr[0], thr[1]))
            return
    v = g.bfc(xb, rows, m, bias)
    cv.set_real(y_t, _activation(cv, layer, v, _act_name(layer), y_t))


@handler("BatchNormalization")
def _bn(cv, layer, node):
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    axis = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    rank = len(x_t.shape)
    if [a % rank for a in axis] != [rank - 1]:
        raise Unsupported("%s: only the channel (last) axis is supported" % _where(layer))
    var = _np(layer.moving_variance).astype(np.float64)
    mean = _np(layer.moving_mean).astype(np.float64)
    gamma = _np(layer.gamma).astype(np.float64) if layer.scale else np.ones_like(var)
    beta = _np(layer.beta).astype(np.float64) if layer.center else np.zeros_like(var)
    a = gamma / np.sqrt(var + layer.epsilon)
    b = beta - mean * a
    cv.set_real(y_t, cv.g.affine(cv.get_real(x_t, layer), a.astype(np.float32), b.astype(np.float32)))


@handler("Activation")
def _act(cv, layer, node):
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    cv.set_real(y_t, _activation(cv, layer, cv.get_real(x_t, layer), _act_name(layer), y_t))


@handler("ReLU", "LeakyReLU", "PReLU")
def _relus(cv, layer, node):
    g = cv.g
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    x = cv.get_real(x_t, layer)
    c = g.shape(x)[0]
    z = np.zeros(c, np.float32)
    kind = type(layer).__name__
    if kind == "ReLU":
        if layer.max_value is not None or float(layer.threshold) != 0.0:
            raise Unsupported("%s: max_value/threshold not supported" % _where(layer))
        slope = np.full(c, float(layer.negative_slope), np.float32)
    elif kind == "LeakyReLU":
        slope = np.full(c, float(layer.alpha), np.float32)
    else:
        al = _np(layer.alpha)
        if al.size != c:
            raise Unsupported("%s: alpha must be shared over H and W (shared_axes=[1, 2])" % _where(layer))
        slope = al.reshape(-1)
    if np.any(slope > 1):
        raise Unsupported("%s: slope > 1 (Keras then computes max(x, a*x))" % _where(layer))
    cv.set_real(y_t, g.rprelu(x, z, slope, z))


@handler("MaxPooling2D")
def _maxpool(cv, layer, node):
    g = cv.g
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    k, s, pads = cv._maxpool_params(layer, x_t)
    if len(set(pads)) == 1 and cv.sign_only(y_t):
        cv.set_bits(y_t, g.maxpool(cv.get_bits(x_t, layer), k=k, stride=s, pad=pads[0]))
        return
    x = cv.get_real(x_t, layer)
    if len(set(pads)) == 1:
        cv.set_real(y_t, g.maxpool(x, k=k, stride=s, pad=pads[0]))
        return
    # TF 'same' with one extra row/column at the bottom/right (pads 0,0,1,1):
    # M = max over k-1 rows starting one row up (pad 1), drop M's first row
    # and column (a one-hot 2x2 depthwise conv: exact), then max of 2 with
    # stride s: rows i*s .. i*s+k-1, clipped, exactly TF's windows.
    if k < 3:
        raise Unsupported("%s: 'same' pooling of size %d with padding %r has no .fbnn form" % (_where(layer), k, pads))
    c = g.shape(x)[0]
    mx = g.maxpool(x, k=k - 1, stride=1, pad=1)
    hot = np.zeros((c, 1, 2, 2), np.float32)
    hot[:, 0, 1, 1] = 1.0
    crop = g.rconv(mx, hot, np.zeros(c, np.float32), stride=1, pad=0, groups=c)
    cv.set_real(y_t, g.maxpool(crop, k=2, stride=s, pad=0))


@handler("AveragePooling2D")
def _avgpool(cv, layer, node):
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    k, s = square(layer, "pool_size"), square(layer, "strides")
    _, h, w = cv.chw(x_t, layer)
    if any(same_pads(layer, h, w, k, s)):
        raise Unsupported("%s: padded average pooling has no .fbnn form" % _where(layer))
    cv.set_real(y_t, cv.g.avgpool(cv.get_real(x_t, layer), k=k, stride=s, dup=1))


@handler("GlobalAveragePooling2D", "GlobalMaxPooling2D")
def _gpool(cv, layer, node):
    x_t, y_t = node.keras_inputs[0], _outs(node)[0]
    x = cv.get_real(x_t, layer)
    if type(layer).__name__ == "GlobalAveragePooling2D":
        cv.set_real(y_t, cv.g.global_avgpool(x))
        return
    _, h, w = cv.g.shape(x)
    if h != w or h > 15:
        raise Unsupported("%s: global max pooling needs a square map of side <= 15" % _where(layer))
    cv.set_real(y_t, cv.g.maxpool(x, k=h, stride=1, pad=0))


def _add_all(cv, layer, ts):
    v = cv.get_real(ts[0], layer)
    for t in ts[1:]:
        v = cv.g.add(v, cv.get_real(t, layer))
    return v


@handler("Add")
def _add(cv, layer, node):
    cv.set_real(_outs(node)[0], _add_all(cv, layer, list(node.keras_inputs)))


@handler("TFOpLambda")
def _tfop(cv, layer, node):
    sym = getattr(layer, "symbol", "")
    ins = list(node.keras_inputs)
    consts = [a for a in list(node.call_args) + list(node.call_kwargs.values())
              if a is not None and not isinstance(a, str) and not hasattr(a, "shape")]
    if sym in ("__operators__.add", "math.add") and len(ins) == 2 and not consts:
        cv.set_real(_outs(node)[0], _add_all(cv, layer, ins))
        return
    raise Unsupported("%s: TF op %s has no .fbnn mapping (supported: tensor + tensor)" % (_where(layer), sym))


@handler("Concatenate")
def _concat(cv, layer, node):
    ins = list(node.keras_inputs)
    if layer.axis not in (-1, 3) or any(len(t.shape) != 4 for t in ins):
        raise Unsupported("%s: only channel concatenation of NHWC maps is supported" % _where(layer))
    vs = [cv.get_real(t, layer) for t in ins]
    while len(vs) > 1:
        vs = [cv.g.concat(vs[:4])] + vs[4:]
    cv.set_real(_outs(node)[0], vs[0])

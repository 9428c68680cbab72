"""Keras/Larq model -> .fbnn graph (the library behind tools/import_larq.py).

Interpreter: the PyPI venv (scripts/setup_pyenv.sh: TensorFlow 2.16, tf-keras,
larq), with TF_USE_LEGACY_KERAS=1 (set here before TensorFlow is imported).

The model's Keras graph is walked node by node (functional or Sequential
models; nested models and shared layers are refused). Each Keras tensor gets
an fbnn REAL value, a BITS value (its sign, the way Larq's sign quantizers
see it: +1 iff x >= 0), or both. A tensor whose every consumer only looks at
its sign (a Quant* layer with a sign input quantizer, or a max pool / Flatten
whose own output only feeds such layers) is never materialised as REAL when it
comes from a binary conv/dense, optionally followed by a BatchNormalization:
that pair becomes BCONV_THR / BFC_THR, whose integer thresholds are found by
evaluating the layer's own bias, activation and BatchNormalization (TensorFlow
ops) on every possible integer sum, so the sign decisions are Keras' own.
Max pooling commutes with the sign, so it then runs on bits.

Input preprocessing contract: the Keras model's input is the float32 image
`x = u8 * scale[c] + offset[c]` (NHWC), computed in float32 in that order; the
.fbnn graph starts at the raw uint8 planar image and applies the same two
float32 operations as its first op (a 1x1 depthwise RCONV).
"""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import fbnn_format as ff  # noqa: E402
from fbnn_ops12 import tf_same_pads  # noqa: E402


class Unsupported(Exception):
    """The model uses something the .fbnn format cannot express (the message names the layer)."""


SIGN_QUANTIZERS = ("SteSign", "ApproxSign", "SwishSign")
IDENTITY_LAYERS = ("InputLayer", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
                   "ActivityRegularization", "AlphaDropout")


def quantizer_kind(q, where):
    """None (identity), "sign" (+-1) or "msign" (+-1 times a per-output scale)."""
    if q is None:
        return None
    name = type(q).__name__
    if name in SIGN_QUANTIZERS:
        return "sign"
    if name == "MagnitudeAwareSign":
        return "msign"
    if name == "NoOp":
        return None
    fname = getattr(q, "__name__", "")
    if fname in ("ste_sign", "approx_sign", "swish_sign"):
        return "sign"
    raise Unsupported("%s: quantizer %s has no .fbnn form (supported: ste_sign, approx_sign, swish_sign, "
                      "magnitude_aware_sign kernels, none)" % (where, name if name != "function" else fname))


def load_model(path):
    """Load a Keras model (.h5, .keras or a SavedModel directory) built with Larq."""
    if not os.path.exists(path):
        raise Unsupported("%s: no such file or directory" % path)
    import tensorflow as tf
    import larq  # noqa: F401  (registers Larq's layers and quantizers with Keras)
    try:
        return tf.keras.models.load_model(path, compile=False)
    except Exception as e:  # Keras raises many types for a file it cannot read
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise Unsupported("%s: not a loadable Keras model (%s: %s)" % (path, type(e).__name__, first[:300]))


class Converter:
    """Walks one Keras model and emits its ops into a GraphBuilder."""

    def __init__(self, model, g, scale, offset):
        self.model, self.g = model, g
        self.scale, self.offset = scale, offset
        self.real, self.bits, self.flat_of = {}, {}, {}
        self.sign_of = []          # (keras tensor, fbnn BITS value): for tests
        self.notes = []
        self.done = set()          # layers already emitted by a fold
        self.nodes = self._nodes()
        self.consumers = {}
        for layer, node in self.nodes:
            for t in node.keras_inputs:
                self.consumers.setdefault(id(t), []).append((layer, node))
        self.outputs = {id(t) for t in model.outputs}
        self._sign_only = {}

    # -- graph --------------------------------------------------------------
    def _nodes(self):
        m = self.model
        if len(m.inputs) != 1 or len(m.outputs) != 1:
            raise Unsupported("model %s: exactly one input and one output supported" % m.name)
        netnodes = getattr(m, "_network_nodes", None)
        if netnodes is None:
            raise Unsupported("model %s is not a built functional/Sequential model" % m.name)
        todo = []
        for layer in m.layers:
            ns = [n for i, n in enumerate(layer._inbound_nodes) if "%s_ib-%d" % (layer.name, i) in netnodes]
            if len(ns) != 1:
                raise Unsupported("layer '%s' (%s): shared layers (called %d times) are not supported"
                                  % (layer.name, type(layer).__name__, len(ns)))
            if hasattr(layer, "layers") and type(layer).__name__ not in IDENTITY_LAYERS:
                raise Unsupported("layer '%s' (%s): nested models are not supported"
                                  % (layer.name, type(layer).__name__))
            todo.append((layer, ns[0]))
        order, have = [], set()
        while todo:   # topological order: a node runs once all its inputs exist
            rest = [(l, n) for l, n in todo if not all(id(t) in have for t in n.keras_inputs)]
            if len(rest) == len(todo):
                raise Unsupported("model %s: graph has inputs that no layer produces" % m.name)
            for l, n in todo:
                if (l, n) not in rest:
                    order.append((l, n))
                    have.update(id(t) for t in _outs(n))
            todo = rest
        return order

    def sign_only(self, t):
        """True if every consumer of t looks only at sign(t)."""
        k = id(t)
        if k not in self._sign_only:
            cons = self.consumers.get(k, [])
            ok = bool(cons) and k not in self.outputs
            for layer, node in cons:
                kind = type(layer).__name__
                if kind.startswith("Quant") and quantizer_kind(getattr(layer, "input_quantizer", None),
                                                               "layer '%s'" % layer.name) == "sign":
                    continue
                if kind in ("MaxPooling2D", "Flatten") and self._pool_on_bits_ok(layer, node):
                    if self.sign_only(_outs(node)[0]):
                        continue
                ok = False
            self._sign_only[k] = ok
        return self._sign_only[k]

    def _pool_on_bits_ok(self, layer, node):
        if type(layer).__name__ == "Flatten":
            return True
        return self._maxpool_params(layer, node.keras_inputs[0], check=False) is not None

    # -- value access -------------------------------------------------------
    def get_real(self, t, layer):
        if id(t) not in self.real:
            raise Unsupported("layer '%s': its input %s exists only as bits here" % (layer.name, t.name))
        return self.real[id(t)]

    def get_bits(self, t, layer):
        k = id(t)
        if k not in self.bits:
            self.bits[k] = self.g.sign(self.get_real(t, layer))
            self._record_sign(t, self.bits[k])
        return self.bits[k]

    def _record_sign(self, t, v):
        if len(t.shape) == 4 or self.g.shape(v)[1:] == (1, 1):
            self.sign_of.append((t, v))

    def set_real(self, t, v):
        self.real[id(t)] = v

    def set_bits(self, t, v):
        self.bits[id(t)] = v
        self._record_sign(t, v)

    def chw(self, t, layer):
        if len(t.shape) != 4:
            raise Unsupported("layer '%s' (%s): needs an NHWC input, got shape %s"
                              % (layer.name, type(layer).__name__, tuple(t.shape)))
        return int(t.shape[3]), int(t.shape[1]), int(t.shape[2])

    # -- driver -------------------------------------------------------------
    def run(self):
        import larq_keras_layers as L
        for layer, node in self.nodes:
            if layer in self.done:
                continue
            kind = type(layer).__name__
            fn = L.HANDLERS.get(kind)
            if fn is None:
                raise Unsupported("layer '%s' (%s): no .fbnn mapping for this layer type" % (layer.name, kind))
            try:
                fn(self, layer, node)
            except (Unsupported, ff.FormatError) as e:
                if ("'%s'" % layer.name) in str(e):
                    raise
                raise Unsupported("layer '%s' (%s): %s" % (layer.name, kind, e))
            except Exception as e:  # an unexpected configuration: still an error naming the layer
                raise Unsupported("layer '%s' (%s): cannot import (%s: %s)" % (layer.name, kind, type(e).__name__, e))
        out = self.model.outputs[0]
        v = self.get_real(out, self.model.layers[-1])
        if self.g.shape(v)[1:] != (1, 1):
            raise Unsupported("model output %s: shape %s is not a vector of class scores"
                              % (out.name, tuple(out.shape)))
        self.g.set_output(v)
        return self.g

    def emit_input(self, layer, node):
        t = _outs(node)[0]
        c, h, w = self.chw(t, layer)
        if c not in (1, 3):
            raise Unsupported("input '%s': %d channels (the format's images have 1 or 3)" % (layer.name, c))
        x = self.g.input(c, h, w)
        sc = np.broadcast_to(np.asarray(self.scale, np.float32), (c,))
        of = np.broadcast_to(np.asarray(self.offset, np.float32), (c,))
        self.set_real(t, self.g.rconv(x, sc.reshape(c, 1, 1, 1), of, stride=1, pad=0, groups=c))


def _outs(node):
    o = node.outputs
    return list(o) if isinstance(o, (list, tuple)) else [o]


def same_pads(layer, h, w, k, s):
    if layer.padding == "valid":
        return (0, 0, 0, 0)
    if layer.padding == "same":
        return tf_same_pads(h, w, k, s)
    raise Unsupported("layer '%s': padding '%s' not supported" % (layer.name, layer.padding))


def square(layer, attr):
    v = getattr(layer, attr)
    v = tuple(v) if isinstance(v, (list, tuple)) else (v, v)
    if len(v) != 2 or v[0] != v[1]:
        raise Unsupported("layer '%s': non-square %s %r not supported" % (layer.name, attr, v))
    return int(v[0])


def _maxpool_params(self, layer, t, check=True):
    """(k, s, pads) of a MaxPooling2D, or None (check=False) / Unsupported."""
    try:
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise Unsupported("layer '%s': channels_first not supported" % layer.name)
        k, s = square(layer, "pool_size"), square(layer, "strides")
        _, h, w = self.chw(t, layer)
        pads = same_pads(layer, h, w, k, s)
        if len(set(pads)) != 1 and pads != (0, 0, 1, 1):
            raise Unsupported("layer '%s': 'same' max pooling with padding %r (top, left, bottom, right) "
                              "has no .fbnn form" % (layer.name, pads))
        if len(set(pads)) != 1 and not check:
            return None          # the asymmetric form runs on REAL values only
        return k, s, pads
    except Unsupported:
        if check:
            raise
        return None


Converter._maxpool_params = _maxpool_params

#!/usr/bin/env python3
"""Import a QONNX model (Brevitas export_qonnx, FINN's QONNX) into .fbnn.

Run with the PyPI venv's interpreter (scripts/setup_pyenv.sh: onnx, qonnx),
e.g. /work/pyenv/bin/python tools/import_qonnx.py model.onnx out.fbnn

    --input-scale S --input-bias B   the model's input is x = pixel*S + B
                                     (default 1/255 and 0: pixels in [0, 1])
    --labels a,b,c | FILE            class names (default 0..N-1)
    --invert                         meta flag: light-on-dark images

The model is cleaned by qonnx (InferShapes, constant folding, unique names;
quantised weights folded into float initialisers) and lowered node by node
(tools/qonnx_lower.py): BipolarQuant / 1-bit signed Quant / MultiThreshold
with one threshold -> bits; binary conv / Gemm / MatMul on bits -> BCONV /
BFC, followed by BatchNorm, Mul, Add and a sign -> BCONV_THR / BFC_THR
(integer thresholds, exact on the integer sums); k-bit Quant (2..4 bits) ->
QUANT_KBIT, and a binary conv on it -> KCONV; 5..16-bit Quant ->
QUANT_UNIFORM; float Conv -> RCONV, float Gemm/MatMul -> FC, BatchNorm ->
AFFINE, Relu/PRelu -> RPRELU, Add -> ADD, MaxPool / AveragePool /
GlobalAveragePool -> pools. Anything else is refused, naming the node; a
file that is not ONNX, truncated, or has no quantiser node is refused.
Exit status 0 on success, 2 on a refused model.
"""
import argparse
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
import fbnn_format as ff  # noqa: E402
from qonnx_lower import F32, QonnxImportError, Input, Lin, Bits, Lowerer  # noqa: E402

QUANT_OPS = ("Quant", "BipolarQuant", "MultiThreshold", "Trunc")
PASS_OPS = ("Identity", "Dropout")


def load_qonnx(path):
    """Parse, check it is QONNX, and clean with qonnx; returns a ModelWrapper."""
    try:
        import onnx
        from google.protobuf.message import DecodeError
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.util.cleanup import cleanup_model
        from qonnx.transformation.fold_constants import FoldConstants
        from qonnx.transformation.infer_shapes import InferShapes
        from qonnx.transformation.general import SortGraph
    except ImportError as e:
        raise QonnxImportError("onnx/qonnx are not importable (%s): run with the venv of scripts/setup_pyenv.sh" % e)
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise QonnxImportError("cannot read %s: %s" % (path, e))
    try:
        proto = onnx.load_from_string(blob)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise QonnxImportError("%s is not a valid ONNX file (truncated or corrupt?): %s" % (path, e))
    if not proto.graph.node or not proto.graph.output:
        raise QonnxImportError("%s: the ONNX graph is empty (truncated or not a model)" % path)
    if not any(n.op_type in QUANT_OPS for n in proto.graph.node):
        raise QonnxImportError("%s is not a QONNX model: no Quant, BipolarQuant or MultiThreshold node "
                               "(export it with brevitas.export.export_qonnx)" % path)
    try:
        onnx.checker.check_model(proto)
    except Exception as e:   # noqa: BLE001  (onnx raises several types)
        raise QonnxImportError("%s: the ONNX model is malformed (truncated?): %s" % (path, str(e).splitlines()[0]))
    try:
        model = cleanup_model(ModelWrapper(proto))
        model = model.transform(FoldConstants(exclude_op_types=[]))   # quantised weights -> float constants
        model = model.transform(InferShapes()).transform(SortGraph())
    except Exception as e:   # noqa: BLE001  (qonnx raises whatever its transforms hit)
        raise QonnxImportError("qonnx could not clean the model: %s: %s" % (type(e).__name__, e))
    return model


def attrs_of(node):
    from onnx import helper
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


class Importer:
    def __init__(self, model, g, input_scale, input_bias):
        self.m, self.g, self.low = model, g, Lowerer(g)
        self.env = {}
        graph = model.graph
        inits = {i.name for i in graph.initializer}
        ins = [i for i in graph.input if i.name not in inits]
        if len(ins) != 1:
            raise QonnxImportError("the model must have one image input, has %d" % len(ins))
        shp = model.get_tensor_shape(ins[0].name)
        if shp is None or len(shp) != 4 or shp[1] not in (1, 3):
            raise QonnxImportError("input %s: expected [N, 1 or 3, H, W], got %r" % (ins[0].name, shp))
        c, h, w = shp[1:]
        scale = np.broadcast_to(np.asarray(input_scale, F32), (c,)).copy()
        bias = np.broadcast_to(np.asarray(input_bias, F32), (c,)).copy()
        self.env[ins[0].name] = Input(g.input(c, h, w), (c, h, w), scale, bias)

    # -- helpers -------------------------------------------------------------
    def const(self, name):
        return self.m.get_initializer(name)

    def state(self, node, i):
        name = node.input[i]
        if name not in self.env:
            if self.const(name) is not None:
                raise QonnxImportError("%s (%s): input %d is a constant; only per-tensor data inputs are supported"
                                       % (node.name, node.op_type, i))
            raise QonnxImportError("%s (%s): input %s is not produced by any node (truncated graph?)"
                                   % (node.name, node.op_type, name))
        return self.env[name]

    def need_const(self, node, i, what):
        v = self.const(node.input[i]) if i < len(node.input) and node.input[i] else None
        if v is None:
            raise QonnxImportError("%s (%s): %s must be a constant" % (node.name, node.op_type, what))
        return np.asarray(v, dtype=F32)

    def scalar(self, node, i, what):
        v = self.need_const(node, i, what).reshape(-1)
        if v.size != 1 and not np.all(v == v[0]):
            raise QonnxImportError("%s (%s): per-channel %s is not supported (per-tensor only)"
                                   % (node.name, node.op_type, what))
        return float(v[0])

    def per_channel(self, node, arr, st):
        """A constant broadcast against the data input, as [C] (or a scalar)."""
        shp = self.m.get_tensor_shape(node.input[0]) or []
        arr = np.asarray(arr, dtype=F32)
        if arr.size == 1:
            return arr.reshape(1)
        dims = (1,) * (len(shp) - arr.ndim) + arr.shape
        if arr.ndim > len(shp) or len(shp) < 2 or shp[1] != st.shape[0] or \
                any(d != 1 for i, d in enumerate(dims) if i != 1) or dims[1] != st.shape[0]:
            raise QonnxImportError("%s (%s): a constant of shape %r on a tensor of shape %r is not per channel"
                                   % (node.name, node.op_type, arr.shape, shp))
        return arr.reshape(-1).copy()

    # -- node handlers -----------------------------------------------------------
    def run(self):
        for node in self.m.graph.node:
            fn = getattr(self, "op_" + node.op_type, None)
            if fn is None:
                raise QonnxImportError("node %s: op type %s is not supported by the .fbnn format"
                                       % (node.name, node.op_type))
            out = fn(node, attrs_of(node), "%s (%s)" % (node.name, node.op_type))
            if out is not None:
                self.env[node.output[0]] = out
        outs = self.m.graph.output
        if len(outs) != 1 or outs[0].name not in self.env:
            raise QonnxImportError("the model must have one output computed from the input")
        st = self.env[outs[0].name]
        v = self.low.real(st, "graph output")
        if self.g.shape(v)[1:] != (1, 1):
            raise QonnxImportError("graph output %s has shape %r; expected [N] logits"
                                   % (outs[0].name, self.g.shape(v)))
        return v

    def op_Identity(self, node, a, what):
        return self.state(node, 0)

    op_Dropout = op_Identity

    def op_Flatten(self, node, a, what):
        if a.get("axis", 1) != 1:
            raise QonnxImportError("%s: only axis 1" % what)
        return self.state(node, 0)

    def op_Reshape(self, node, a, what):
        shp = self.m.get_tensor_shape(node.output[0])
        if shp is None or len(shp) != 2:
            raise QonnxImportError("%s: only a flatten to [N, features] is supported" % what)
        return self.state(node, 0)

    def op_Pad(self, node, a, what):
        """torch.onnx writes an all-zero Pad before AveragePool; only that is an identity."""
        pads = a.get("pads")
        if pads is None:
            pads = self.need_const(node, 1, "pads")
        if np.any(np.asarray(pads) != 0):
            raise QonnxImportError("%s: nonzero explicit padding is not supported" % what)
        return self.state(node, 0)

    def op_BipolarQuant(self, node, a, what):
        s = self.scalar(node, 1, "scale")
        return self.low.binarize(self.state(node, 0), 0.0, -s, s, what)

    def op_Quant(self, node, a, what):
        st = self.state(node, 0)
        s, z = self.scalar(node, 1, "scale"), self.scalar(node, 2, "zero point")
        bw = self.scalar(node, 3, "bit width")
        signed, narrow = int(a.get("signed", 1)), int(a.get("narrow", 0))
        if s <= 0 or bw != int(bw) or not 1 <= bw <= 16:
            raise QonnxImportError("%s: scale %g / bit width %g not supported" % (what, s, bw))
        bw = int(bw)
        if bw == 1 and signed:   # qonnx: 1-bit signed Quant is bipolar, sign(x/s + z)
            return self.low.binarize(st, -z * s, (-1 - z) * s, (1 - z) * s, what)
        if a.get("rounding_mode", "ROUND").upper() not in ("ROUND", "HALF_EVEN"):
            raise QonnxImportError("%s: rounding mode %s (only ROUND)" % (what, a.get("rounding_mode")))
        mn = (-(1 << (bw - 1)) + narrow) if signed else 0
        mx = ((1 << (bw - 1)) - 1) if signed else (1 << bw) - 1 - narrow
        if mx - mn != (1 << bw) - 1:
            raise QonnxImportError("%s: narrow-range %d-bit activations are not expressible" % (what, bw))
        lo = (mn - z) * s
        if bw <= 4:
            n = float((1 << bw) - 1)
            return self.low.kquant(st, 1.0 / (s * n), (z - mn) / n, bw, s, lo, what)
        v = self.g.quant_uniform(self.low.real(st, what), bw, lo, (mx - z) * s)
        return Lin(self.g.shape(v), ("real", v))

    def op_MultiThreshold(self, node, a, what):
        st = self.state(node, 0)
        thr = self.need_const(node, 1, "thresholds")
        if a.get("data_layout", "NCHW") not in ("", "NCHW", "NC"):
            raise QonnxImportError("%s: data layout %s (only NCHW)" % (what, a.get("data_layout")))
        if thr.ndim != 2 or thr.shape[1] != 1 or thr.shape[0] not in (1, st.shape[0]):
            raise QonnxImportError("%s: thresholds of shape %r; only one threshold per channel is expressible"
                                   % (what, thr.shape))
        sc, b = float(a.get("out_scale", 1.0)), float(a.get("out_bias", 0.0))
        return self.low.binarize(st, thr[:, 0], b, b + sc, what)

    def op_Conv(self, node, a, what):
        st = self.state(node, 0)
        w = self.need_const(node, 1, "the weight")
        bias = self.need_const(node, 2, "the bias") if len(node.input) > 2 and node.input[2] else None
        k = list(a.get("kernel_shape", w.shape[2:]))
        s = list(a.get("strides", [1, 1]))
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if a.get("auto_pad", "NOTSET") != "NOTSET" or w.ndim != 4 or k[0] != k[1] or s[0] != s[1] \
                or any(d != 1 for d in a.get("dilations", [1, 1])):
            raise QonnxImportError("%s: only 2-D square kernels and strides, explicit pads, no dilation" % what)
        t, l, b, r = pads[0], pads[1], pads[2], pads[3]
        try:
            return self.low.conv(st, w, bias, s[0], (t, l, b, r), int(a.get("group", 1)), what)
        except ff.FormatError as e:
            raise QonnxImportError("%s: %s" % (what, e))

    def _fc(self, node, st, w, bias, what):
        try:
            return self.low.fc(st, w, bias, what)
        except ff.FormatError as e:
            raise QonnxImportError("%s: %s" % (what, e))

    def op_Gemm(self, node, a, what):
        if a.get("transA", 0):
            raise QonnxImportError("%s: transA is not supported" % what)
        w = self.need_const(node, 1, "the weight") * F32(a.get("alpha", 1.0))
        w = w if a.get("transB", 0) else w.T
        bias = None
        if len(node.input) > 2 and node.input[2]:
            bias = (self.need_const(node, 2, "the bias") * F32(a.get("beta", 1.0))).reshape(-1)
        return self._fc(node, self.state(node, 0), np.ascontiguousarray(w), bias, what)

    def op_MatMul(self, node, a, what):
        w = self.need_const(node, 1, "the weight")
        if w.ndim != 2:
            raise QonnxImportError("%s: weight must be 2-D" % what)
        return self._fc(node, self.state(node, 0), np.ascontiguousarray(w.T), None, what)

    def _elementwise(self, node, what, op):
        """Add/Sub/Mul/Div with one constant input -> a Lin step."""
        ci = [i for i in (0, 1) if self.const(node.input[i]) is not None]
        if len(ci) != 1:
            return None
        di = 1 - ci[0]
        st = self.state(node, di)
        arr = self.per_channel(node, self.const(node.input[ci[0]]), st)
        lin = self._lin(st, what)
        if op == "Sub":
            return lin.then("add", -arr) if di == 0 else lin.then("mul", -1.0).then("add", arr)
        if op == "Div":
            if di != 0:
                raise QonnxImportError("%s: constant / tensor is not supported" % what)
            return lin.then("mul", F32(1) / arr)
        return lin.then("mul" if op == "Mul" else "add", arr)

    def _lin(self, st, what):
        if isinstance(st, Lin):
            return st
        v = self.low.real(st, what)
        return Lin(self.g.shape(v), ("real", v))

    def op_Add(self, node, a, what):
        out = self._elementwise(node, what, "add")
        if out is None:
            x0 = self.low.real(self.state(node, 0), what)
            x1 = self.low.real(self.state(node, 1), what)
            try:
                v = self.g.add(x0, x1)
            except ff.FormatError as e:
                raise QonnxImportError("%s: %s" % (what, e))
            out = Lin(self.g.shape(v), ("real", v))
        return out

    def _const_only(self, node, what, op):
        out = self._elementwise(node, what, op)
        if out is None:
            raise QonnxImportError("%s: only with one constant input" % what)
        return out

    def op_Sub(self, node, a, what):
        return self._const_only(node, what, "Sub")

    def op_Mul(self, node, a, what):
        return self._const_only(node, what, "Mul")

    def op_Div(self, node, a, what):
        return self._const_only(node, what, "Div")

    def op_BatchNormalization(self, node, a, what):
        st = self.state(node, 0)
        gamma, beta, mean, var = (self.need_const(node, i, n).reshape(-1)
                                  for i, n in ((1, "scale"), (2, "bias"), (3, "mean"), (4, "var")))
        if gamma.size != st.shape[0]:
            raise QonnxImportError("%s: %d channels for a %d-channel input" % (what, gamma.size, st.shape[0]))
        # onnxruntime's order: a = scale / sqrt(var + eps), b = bias - mean * a, y = x * a + b (float32)
        sc = gamma / np.sqrt(var + F32(a.get("epsilon", 1e-5)))
        return self._lin(st, what).then("mul", sc).then("add", beta - mean * sc)

    def op_Relu(self, node, a, what):
        z = np.zeros(self.state(node, 0).shape[0], F32)
        return self.low.unary(self.state(node, 0), lambda v: self.g.rprelu(v, z, z, z), what)

    def op_PRelu(self, node, a, what):
        st = self.state(node, 0)
        slope = self.per_channel(node, self.need_const(node, 1, "the slope"), st)
        z = np.zeros(st.shape[0], F32)
        slope = np.broadcast_to(slope, z.shape).astype(F32)
        return self.low.unary(st, lambda v: self.g.rprelu(v, z, slope, z), what)

    def _window(self, a, what, allow_pad):
        k, s = list(a.get("kernel_shape", [1, 1])), list(a.get("strides", [1, 1]))
        p = list(a.get("pads", [0, 0, 0, 0]))
        if k[0] != k[1] or s[0] != s[1] or len(set(p)) != 1 or a.get("ceil_mode", 0) \
                or a.get("auto_pad", "NOTSET") != "NOTSET" or (p[0] and not allow_pad) \
                or any(d != 1 for d in a.get("dilations", [1, 1])):
            raise QonnxImportError("%s: only square windows, %s, floor mode" %
                                   (what, "equal pads" if allow_pad else "no padding"))
        return k[0], s[0], p[0]

    def op_MaxPool(self, node, a, what):
        k, s, p = self._window(a, what, True)
        if len(node.output) > 1 and node.output[1]:
            raise QonnxImportError("%s: the indices output is not supported" % what)
        return self.low.maxpool(self.state(node, 0), k, s, p, what)

    def op_AveragePool(self, node, a, what):
        k, s, _ = self._window(a, what, False)
        return self.low.unary(self.state(node, 0), lambda v: self.g.avgpool(v, k=k, stride=s, dup=1), what)

    def op_GlobalAveragePool(self, node, a, what):
        return self.low.unary(self.state(node, 0), self.g.global_avgpool, what)


def import_qonnx(path, out, labels=None, input_scale=1.0 / 255, input_bias=0.0, invert=0, name=None):
    """Import the QONNX file at `path` and write `out`; returns the byte size."""
    model = load_qonnx(path)
    shp = model.get_tensor_shape(model.graph.output[0].name) or [0, 0]
    n_cls = int(np.prod(shp[1:])) if len(shp) > 1 else 0
    labels = labels or [str(i) for i in range(n_cls)]
    ishp = None
    for i in model.graph.input:
        if model.get_initializer(i.name) is None:
            ishp = model.get_tensor_shape(i.name)
    g = ff.GraphBuilder(name or os.path.splitext(os.path.basename(path))[0], labels,
                        colour=(ishp[1] if ishp and len(ishp) == 4 else 1), resize=0, invert=invert)
    imp = Importer(model, g, input_scale, input_bias)
    try:
        v = imp.run()
        g.set_output(v)
        return g.save(out)
    except ff.FormatError as e:
        raise QonnxImportError(str(e))


def parse_labels(arg):
    if arg is None:
        return None
    if os.path.exists(arg):
        with open(arg) as f:
            return [l.strip() for l in f if l.strip()]
    return [s.strip() for s in arg.split(",")]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("out")
    ap.add_argument("--labels", default=None)
    ap.add_argument("--input-scale", type=float, default=1.0 / 255)
    ap.add_argument("--input-bias", type=float, default=0.0)
    ap.add_argument("--invert", action="store_true")
    ap.add_argument("--name", default=None)
    args = ap.parse_args(argv)
    try:
        size = import_qonnx(args.model, args.out, parse_labels(args.labels), args.input_scale, args.input_bias,
                            int(args.invert), args.name)
    except QonnxImportError as e:
        print("import_qonnx: error: %s" % e, file=sys.stderr)
        return 2
    except (ValueError, KeyError, IndexError, TypeError) as e:   # a graph malformed in a way not checked above
        print("import_qonnx: error: malformed model (%s: %s)" % (type(e).__name__, e), file=sys.stderr)
        return 2
    print("wrote %s (%d bytes)" % (args.out, size))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Read a TensorFlow Lite flatbuffer (as written by Larq Compute Engine's
converter) into plain Python objects: the reader behind tools/import_lce_tflite.py.

Interpreter: the PyPI venv (scripts/setup_pyenv.sh). It uses TensorFlow's
generated flatbuffer schema (tensorflow/lite/python/schema_py_generated.py,
loaded from the installed TensorFlow package without importing TensorFlow
itself) and the `flatbuffers` package's flexbuffers reader for the custom
ops' options (LceBconv2d, LceBMaxPool2d keep theirs as a flexbuffer map).

    m = read_tflite("model.tflite")
    m.inputs, m.outputs          # tensor indices of subgraph 0
    m.tensors[i].shape / .dtype / .name / .data (numpy, constants only) / .quantized
    for op in m.ops: op.index, op.name ("CONV_2D", "LceBconv2d", ...),
                     op.inputs / op.outputs (tensor indices, -1 = absent), op.options (dict)

Anything that is not a readable .tflite raises TfliteError with the reason.
"""
import importlib.util
import os

import numpy as np


class TfliteError(Exception):
    """The file is not a TensorFlow Lite model this reader can use."""


_SCHEMA = None


def schema():
    """TensorFlow's generated schema module (loaded once, without importing TensorFlow)."""
    global _SCHEMA
    if _SCHEMA is None:
        spec = importlib.util.find_spec("tensorflow")
        path = None
        if spec is not None and spec.submodule_search_locations:
            for d in spec.submodule_search_locations:
                p = os.path.join(d, "lite", "python", "schema_py_generated.py")
                if os.path.exists(p):
                    path = p
        if path is None:
            raise TfliteError("TensorFlow's TFLite schema (tensorflow/lite/python/schema_py_generated.py) "
                              "was not found: run with the PyPI venv (scripts/setup_pyenv.sh)")
        s = importlib.util.spec_from_file_location("fbnn_tflite_schema", path)
        mod = importlib.util.module_from_spec(s)
        try:
            s.loader.exec_module(mod)
            from flatbuffers import flexbuffers  # noqa: F401  (custom op options)
        except ImportError as e:
            raise TfliteError("reading .tflite files needs the flatbuffers package (%s): run with the PyPI venv "
                              "(scripts/setup_pyenv.sh)" % e)
        _SCHEMA = mod
    return _SCHEMA


def _enum_names(cls):
    return {v: k for k, v in vars(cls).items() if not k.startswith("_") and isinstance(v, int)}


# numpy dtype of each TensorType we read data of (others are only named)
_NP = {"FLOAT32": np.float32, "FLOAT16": np.float16, "INT32": np.int32, "UINT8": np.uint8,
       "INT64": np.int64, "INT8": np.int8, "INT16": np.int16, "BOOL": np.bool_, "FLOAT64": np.float64}


class Tensor:
    def __init__(self, index, name, shape, dtype, data, quantized):
        self.index, self.name, self.shape, self.dtype = index, name, shape, dtype
        self.data, self.quantized = data, quantized

    def __repr__(self):
        return "tensor %d '%s' %s %s" % (self.index, self.name, self.dtype, list(self.shape))


class Op:
    def __init__(self, index, name, inputs, outputs, options):
        self.index, self.name, self.inputs, self.outputs, self.options = index, name, inputs, outputs, options

    def where(self, m):
        out = m.tensors[self.outputs[0]].name if self.outputs and self.outputs[0] >= 0 else "?"
        return "op %d (%s, output '%s')" % (self.index, self.name, out)


class TfliteModel:
    pass


def _options(obj):
    """Builtin options object (the schema's object API) -> dict of its fields."""
    if obj is None:
        return {}
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def _custom_options(raw, where):
    if raw is None or len(raw) == 0:
        return {}
    from flatbuffers import flexbuffers
    try:
        m = flexbuffers.Loads(bytes(np.asarray(raw, dtype=np.uint8)))
    except Exception as e:
        raise TfliteError("%s: custom options are not a readable flexbuffer (%s)" % (where, e))
    if not isinstance(m, dict):
        raise TfliteError("%s: custom options are not a flexbuffer map" % where)
    return m


def read_tflite(path_or_bytes):
    if isinstance(path_or_bytes, (bytes, bytearray)):
        buf, label = bytes(path_or_bytes), "<bytes>"
    else:
        label = str(path_or_bytes)
        if not os.path.exists(label):
            raise TfliteError("%s: no such file" % label)
        with open(label, "rb") as f:
            buf = f.read()
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise TfliteError("%s: not a TensorFlow Lite flatbuffer (the file identifier at bytes 4..7 is %r, "
                          "expected b'TFL3')" % (label, bytes(buf[4:8])))
    schema()     # a missing dependency is reported as such, not as a damaged file
    try:
        return _parse(buf, label)
    except TfliteError:
        raise
    except Exception as e:  # the flatbuffer reader raises struct/index/type errors on damaged files
        raise TfliteError("%s: damaged or truncated .tflite (%s: %s)" % (label, type(e).__name__, e))


def _parse(buf, label):
    S = schema()
    root = (S.Model.GetRootAsModel if hasattr(S.Model, "GetRootAsModel") else S.Model.GetRootAs)(buf, 0)
    mt = S.ModelT.InitFromObj(root)
    if not mt.subgraphs:
        raise TfliteError("%s: the model has no subgraph" % label)
    if len(mt.subgraphs) > 1:
        raise TfliteError("%s: %d subgraphs (control flow) are not supported, only one"
                          % (label, len(mt.subgraphs)))
    sg = mt.subgraphs[0]
    ttypes = _enum_names(S.TensorType)
    bops = _enum_names(S.BuiltinOperator)
    m = TfliteModel()
    m.path = label
    m.tensors = []
    for i, t in enumerate(sg.tensors or []):
        name = t.name.decode("utf-8", "replace") if isinstance(t.name, bytes) else str(t.name)
        shape = tuple(int(d) for d in (t.shape if t.shape is not None else []))
        dtype = ttypes.get(t.type, "type%d" % t.type)
        q = t.quantization
        quantized = q is not None and q.scale is not None and len(q.scale) > 0
        data = None
        if t.buffer and t.buffer < len(mt.buffers):
            b = mt.buffers[t.buffer]
            raw = b.data
            if (raw is None or len(raw) == 0) and getattr(b, "offset", 0) > 1:
                if b.offset + b.size > len(buf):
                    raise TfliteError("%s: buffer of tensor %d '%s' lies past the end of the file (truncated?)"
                                      % (label, i, name))
                raw = np.frombuffer(buf, np.uint8, b.size, b.offset)
            if raw is not None and len(raw) > 0:
                if dtype not in _NP:
                    data = np.asarray(raw, np.uint8)
                else:
                    want = int(np.prod(shape, dtype=np.int64)) * np.dtype(_NP[dtype]).itemsize
                    if len(raw) != want:
                        raise TfliteError("%s: tensor %d '%s' %s %s has %d data bytes, expected %d (damaged file?)"
                                          % (label, i, name, dtype, list(shape), len(raw), want))
                    data = np.frombuffer(np.asarray(raw, np.uint8).tobytes(), _NP[dtype]).reshape(shape)
        m.tensors.append(Tensor(i, name, shape, dtype, data, quantized))
    n = len(m.tensors)
    m.inputs = [int(i) for i in (sg.inputs if sg.inputs is not None else [])]
    m.outputs = [int(i) for i in (sg.outputs if sg.outputs is not None else [])]
    m.ops = []
    codes = mt.operatorCodes or []
    for k, op in enumerate(sg.operators or []):
        if op.opcodeIndex >= len(codes):
            raise TfliteError("%s: op %d has opcode index %d of %d" % (label, k, op.opcodeIndex, len(codes)))
        oc = codes[op.opcodeIndex]
        code = max(int(oc.builtinCode), int(oc.deprecatedBuiltinCode))
        name = bops.get(code, "builtin%d" % code)
        if name == "CUSTOM":
            cc = oc.customCode
            name = cc.decode("utf-8", "replace") if isinstance(cc, bytes) else str(cc)
        ins = [int(i) for i in (op.inputs if op.inputs is not None else [])]
        outs = [int(i) for i in (op.outputs if op.outputs is not None else [])]
        for i in ins + outs:
            if i >= n or i < -1:
                raise TfliteError("%s: op %d (%s) names tensor %d of %d" % (label, k, name, i, n))
        o = Op(k, name, ins, outs, {})
        o.options = _options(op.builtinOptions)
        if op.customOptions is not None and len(op.customOptions):
            o.options.update(_custom_options(op.customOptions, o.where(m)))
        m.ops.append(o)
    for i in m.inputs + m.outputs:
        if not 0 <= i < n:
            raise TfliteError("%s: graph input/output tensor %d of %d" % (label, i, n))
    return m


def enum_name(cls_name, value):
    """Name of an enum value of the schema (e.g. enum_name('Padding', 0) -> 'SAME')."""
    return _enum_names(getattr(schema(), cls_name)).get(value, str(value))

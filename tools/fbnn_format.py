"""Writer, reader and float32 reference interpreter for the .fbnn format.

The byte layout and the semantics of every op are specified in
models/FORMAT.md; this module is the Python side of that contract (numpy
only, so it runs wherever the converter runs).

    g = GraphBuilder(name="my net", labels=[...], colour=3)
    x = g.input(3, 32, 32)
    t = g.thermometer(x, resolution=8, bits=32)
    ...
    g.set_output(logits)
    g.save("model.fbnn")

    model = read_fbnn("model.fbnn")
    logits = run_reference(model, images_u8)   # float32, bit-exact with C
"""
import struct
import zlib

import numpy as np

MAGIC = b"FBNN"
VERSION_MAJOR = 1
VERSION_MINOR = 0
MINOR2_OPS = (15, 16, 17)   # op types added in format 1.2 (issue 18, part A)
HEADER_SIZE = 64
TENSOR_ENTRY = 32
VALUE_ENTRY = 16
OP_ENTRY = 96
META_SIZE = 64
ALIGN = 64

from fbnn_ops import (  # noqa: F401  (re-exported: the tools use ff.X)
    DT_F32, DT_BITS, DT_I32, VK_U8, VK_REAL, VK_BITS, VK_Q2, F32_TWO_THIRDS, FormatError,
    OPS, BY_CODE, BY_NAME, _conv_sum, thermometer_levels, quant2_planes)

# OP_<NAME> constants and OP_NAMES, from the op table (tools/fbnn_ops.py).
for _row in OPS:
    globals()["OP_" + _row.name.upper()] = _row.code
OP_NAMES = {_row.code: _row.name for _row in OPS}


def pack_conv_weight(w):
    """Pack a {-1,+1} (or sign-able float) weight [Co,Ci,K,K] into BITS words.

    Returns a uint32 array of Co*K*K*ceil(Ci/32) words in the layout of
    FORMAT.md 2.2: bit c%32 of word c/32 of tap (o,ky,kx); 1 = +1.
    A weight is +1 iff it is > 0 (the released model's binarisation).
    """
    w = np.asarray(w)
    if w.ndim != 4:
        raise FormatError("conv weight must be 4-D [Co,Ci,K,K], got %r" % (w.shape,))
    co, ci, kh, kw = w.shape
    nw = (ci + 31) // 32
    bits = (w > 0).transpose(0, 2, 3, 1)  # [Co,K,K,Ci]
    padded = np.zeros((co, kh, kw, nw * 32), dtype=np.uint64)
    padded[..., :ci] = bits
    padded = padded.reshape(co, kh, kw, nw, 32)
    shifts = np.arange(32, dtype=np.uint64)
    words = (padded << shifts).sum(axis=-1).astype(np.uint32)
    return words.reshape(-1)


def unpack_conv_weight(words, co, kh, kw, ci):
    """Inverse of pack_conv_weight: returns float32 {-1,+1} [Co,Ci,K,K]."""
    nw = (ci + 31) // 32
    words = np.asarray(words, dtype=np.uint32).reshape(co, kh, kw, nw, 1)
    shifts = np.arange(32, dtype=np.uint32)
    bits = ((words >> shifts) & 1).reshape(co, kh, kw, nw * 32)[..., :ci]
    return (bits.astype(np.float32) * 2 - 1).transpose(0, 3, 1, 2).copy()


class GraphBuilder:
    """Builds a .fbnn graph op by op; shapes are inferred and checked."""

    def __init__(self, name, labels, colour=3, resize=0, invert=0):
        self.name = name
        self.labels = list(labels)
        self.colour = colour
        self.resize = resize
        self.invert = invert
        self.tensors = []   # (dtype, dims, bytes)
        self.values = []    # (kind, C, H, W)
        self.ops = []       # (type, ins, out, params, attrs)
        self.output = None

    # -- low level -------------------------------------------------------
    def _tensor(self, dtype, dims, payload):
        self.tensors.append((dtype, tuple(int(d) for d in dims), bytes(payload)))
        return len(self.tensors) - 1

    def f32(self, arr):
        arr = np.ascontiguousarray(np.asarray(arr, dtype=np.float32))
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if not np.all(np.isfinite(arr)):
            raise FormatError("parameter tensor contains NaN or Inf")
        return self._tensor(DT_F32, arr.shape, arr.astype("<f4").tobytes())

    def i32(self, arr):
        arr = np.ascontiguousarray(np.asarray(arr, dtype=np.int64))
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if np.any(arr < -2 ** 31) or np.any(arr > 2 ** 31 - 1):
            raise FormatError("I32 tensor value out of range")
        return self._tensor(DT_I32, arr.shape, arr.astype("<i4").tobytes())

    def bits(self, w):
        w = np.asarray(w)
        co, ci, kh, kw = w.shape
        words = pack_conv_weight(w)
        return self._tensor(DT_BITS, (co, kh, kw, ci), words.astype("<u4").tobytes())

    def _value(self, kind, c, h, w):
        self.values.append((kind, int(c), int(h), int(w)))
        return len(self.values) - 1

    def _op(self, typ, ins, kind, shape, params=(), attrs=()):
        out = self._value(kind, *shape)
        self.ops.append((typ, list(ins), out, list(params), [int(a) for a in attrs]))
        return out

    def shape(self, v):
        return self.values[v][1:]

    def kind(self, v):
        return self.values[v][0]

    def _expect(self, v, kinds, what):
        if self.kind(v) not in kinds:
            raise FormatError("%s: input value %d has the wrong kind" % (what, v))

    # -- ops ---------------------------------------------------------------
    def input(self, c, h, w):
        if self.values:
            raise FormatError("the input must be the first value")
        return self._value(VK_U8, c, h, w)

    # The op methods (thermometer, bconv, pgconv, ...) are the build()
    # functions of the op table, attached at the end of this module.

    def set_output(self, v):
        if self.kind(v) != VK_REAL or self.shape(v)[1:] != (1, 1):
            raise FormatError("the output must be a REAL [N,1,1] value")
        if self.shape(v)[0] != len(self.labels):
            raise FormatError("%d labels for %d outputs" % (len(self.labels), self.shape(v)[0]))
        self.output = v

    # -- serialisation -----------------------------------------------------
    def to_bytes(self):
        if self.output is None:
            raise FormatError("no output set")
        n_t, n_v, n_o = len(self.tensors), len(self.values), len(self.ops)
        tensors_off = HEADER_SIZE
        values_off = tensors_off + TENSOR_ENTRY * n_t
        ops_off = values_off + VALUE_ENTRY * n_v
        meta_off = ops_off + OP_ENTRY * n_o
        data_off = _align(meta_off + META_SIZE, ALIGN)

        data = bytearray()
        tensor_offsets = []
        for _, _, payload in self.tensors:
            data += b"\0" * (_align(len(data), ALIGN) - len(data))
            tensor_offsets.append(data_off + len(data))
            data += payload
        labels_blob = b"".join(l.encode("utf-8") + b"\0" for l in self.labels)
        labels_off = data_off + len(data)
        data += labels_blob
        name_blob = self.name.encode("utf-8") + b"\0"
        name_off = data_off + len(data)
        data += name_blob
        data += b"\0" * (_align(len(data), 4) - len(data))
        file_size = data_off + len(data)

        out = bytearray(file_size)
        # The minor version is the highest any feature needs (1.1 / 1.2 ops,
        # meta resize mode 2), so a file using only 1.0 features stays
        # readable by 1.0 libraries.
        minor = max([VERSION_MINOR, 2 if (self.resize == 2 or any(op[0] in MINOR2_OPS for op in self.ops)) else 0]
                    + [BY_CODE[t].min_minor(a) for (t, _i, _o, _p, a) in self.ops if t in BY_CODE])
        struct.pack_into("<4sHHIIIIIIIIIIIIII", out, 0, MAGIC, VERSION_MAJOR, minor,
                         file_size, 0, HEADER_SIZE, 0, n_t, tensors_off, n_v, values_off,
                         n_o, ops_off, meta_off, META_SIZE, data_off, len(data))
        for i, (dtype, dims, payload) in enumerate(self.tensors):
            d = list(dims) + [1] * (4 - len(dims))
            struct.pack_into("<8I", out, tensors_off + i * TENSOR_ENTRY, dtype, len(dims),
                             *d, tensor_offsets[i], len(payload))
        for i, (kind, c, h, w) in enumerate(self.values):
            struct.pack_into("<4I", out, values_off + i * VALUE_ENTRY, kind, c, h, w)
        for i, (typ, ins, o, params, attrs) in enumerate(self.ops):
            rec = [typ, len(ins)] + ins + [0] * (4 - len(ins)) + [o, len(params)] + params + \
                  [0] * (6 - len(params)) + [len(attrs)]
            struct.pack_into("<15I", out, ops_off + i * OP_ENTRY, *rec)
            struct.pack_into("<8i", out, ops_off + i * OP_ENTRY + 60, *(attrs + [0] * (8 - len(attrs))))
        struct.pack_into("<10I", out, meta_off, 0, self.output, len(self.labels), labels_off,
                         len(labels_blob), name_off, len(name_blob), self.colour, self.resize, self.invert)
        out[data_off:] = data
        struct.pack_into("<I", out, 12, zlib.crc32(bytes(out[16:])) & 0xFFFFFFFF)
        return bytes(out)

    def save(self, path):
        blob = self.to_bytes()
        with open(path, "wb") as f:
            f.write(blob)
        return len(blob)


def _align(n, a):
    return (n + a - 1) // a * a


# ---------------------------------------------------------------------------
# Reader (trusting: the C loader is the validating one; this one asserts)
# ---------------------------------------------------------------------------
class Model:
    pass


def read_fbnn(path_or_bytes):
    blob = path_or_bytes
    if not isinstance(blob, (bytes, bytearray)):
        with open(path_or_bytes, "rb") as f:
            blob = f.read()
    hdr = struct.unpack_from("<4sHHIIIIIIIIIIIIII", blob, 0)
    (magic, vmaj, _vmin, fsize, crc, _hs, _flags, n_t, t_off, n_v, v_off, n_o, o_off,
     m_off, _msz, _d_off, _d_size) = hdr
    if magic != MAGIC or vmaj != VERSION_MAJOR or fsize != len(blob):
        raise FormatError("not a valid .fbnn v1 file")
    if zlib.crc32(bytes(blob[16:])) & 0xFFFFFFFF != crc:
        raise FormatError("checksum mismatch")
    m = Model()
    m.tensors = []
    for i in range(n_t):
        dtype, ndim, d0, d1, d2, d3, off, nb = struct.unpack_from("<8I", blob, t_off + i * TENSOR_ENTRY)
        dims = (d0, d1, d2, d3)[:ndim]
        raw = bytes(blob[off:off + nb])
        if dtype == DT_F32:
            arr = np.frombuffer(raw, dtype="<f4").reshape(dims).astype(np.float32)
        elif dtype == DT_I32:
            arr = np.frombuffer(raw, dtype="<i4").reshape(dims).astype(np.int32)
        else:
            co, kh, kw, ci = dims
            arr = unpack_conv_weight(np.frombuffer(raw, dtype="<u4"), co, kh, kw, ci)
        m.tensors.append(arr)
    m.values = [struct.unpack_from("<4I", blob, v_off + i * VALUE_ENTRY) for i in range(n_v)]
    m.ops = []
    for i in range(n_o):
        rec = struct.unpack_from("<15I", blob, o_off + i * OP_ENTRY)
        attrs = struct.unpack_from("<8i", blob, o_off + i * OP_ENTRY + 60)
        typ, n_in = rec[0], rec[1]
        ins = list(rec[2:2 + n_in])
        out = rec[6]
        n_p = rec[7]
        params = list(rec[8:8 + n_p])
        n_a = rec[14]
        m.ops.append((typ, ins, out, params, list(attrs[:n_a])))
    meta = struct.unpack_from("<10I", blob, m_off)
    m.input_value, m.output_value, m.n_classes = meta[0], meta[1], meta[2]
    labels = bytes(blob[meta[3]:meta[3] + meta[4]]).split(b"\0")[:-1]
    m.labels = [l.decode("utf-8") for l in labels]
    m.name = bytes(blob[meta[5]:meta[5] + meta[6] - 1]).decode("utf-8")
    m.colour, m.resize, m.invert = meta[7], meta[8], meta[9]
    return m


# ---------------------------------------------------------------------------
# float32 reference interpreter (bit-exact with the C reference kernels)
# Values: U8 -> uint8 [N,C,H,W]; REAL -> float32 [N,C,H,W];
#         BITS -> float32 {-1,+1} [N,C,H,W]; Q2 -> (m, l) pair of those.
# ---------------------------------------------------------------------------
def run_reference(model, images, stats=None):
    """Run the graph on uint8 images [N,C,H,W]; returns float32 logits [N,classes].

    `stats`, if a dict, receives per-PG-conv gate counts {op_index: (fired, total)}.
    """
    f32 = np.float32
    vals = {model.input_value: np.asarray(images, dtype=np.uint8)}
    for oi, (typ, ins, out, params, attrs) in enumerate(model.ops):
        row = BY_CODE.get(typ)
        if row is None:
            raise FormatError("unknown op type %d" % typ)
        r = _RefArgs([vals[i] for i in ins], stats, oi)
        y = row.ref(r.inputs[0], [model.tensors[p] for p in params], list(attrs), r)
        if isinstance(y, np.ndarray) and y.dtype == np.float64:
            y = y.astype(f32)
        vals[out] = y
    return vals[model.output_value].reshape(len(images), -1)


class _RefArgs:
    """What a row's ref() may need besides input 0, P and attrs."""

    def __init__(self, inputs, stats, index):
        self.inputs, self.stats, self.index = inputs, stats, index


# GraphBuilder.<op name>(...) for every row of the op table.
for _row in OPS:
    setattr(GraphBuilder, _row.name, _row.build)

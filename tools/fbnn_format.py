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
HEADER_SIZE = 64
TENSOR_ENTRY = 32
VALUE_ENTRY = 16
OP_ENTRY = 96
META_SIZE = 64
ALIGN = 64

DT_F32, DT_BITS, DT_I32 = 1, 2, 3
VK_U8, VK_REAL, VK_BITS, VK_Q2 = 1, 2, 3, 4

OP_THERMOMETER = 1
OP_BCONV = 2
OP_PGCONV = 3
OP_AFFINE = 4
OP_RPRELU = 5
OP_ADD = 6
OP_AVGPOOL = 7
OP_GLOBAL_AVGPOOL = 8
OP_MAXPOOL = 9
OP_FC = 10
OP_QUANT2 = 11
OP_SIGN = 12
OP_CONCAT = 13
OP_QUANT_UNIFORM = 14

OP_NAMES = {
    OP_THERMOMETER: "thermometer", OP_BCONV: "bconv", OP_PGCONV: "pgconv",
    OP_AFFINE: "affine", OP_RPRELU: "rprelu", OP_ADD: "add",
    OP_AVGPOOL: "avgpool", OP_GLOBAL_AVGPOOL: "global_avgpool",
    OP_MAXPOOL: "maxpool", OP_FC: "fc", OP_QUANT2: "quant2", OP_SIGN: "sign",
    OP_CONCAT: "concat", OP_QUANT_UNIFORM: "quant_uniform",
}

F32_TWO_THIRDS = np.float32(2.0) / np.float32(3.0)


class FormatError(ValueError):
    """Raised when a graph cannot be expressed in the format."""


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

    def thermometer(self, x, resolution=8, bits=None):
        self._expect(x, (VK_U8,), "thermometer")
        if bits is None:
            bits = int(round(255.0 / resolution))
        c, h, w = self.shape(x)
        return self._op(OP_THERMOMETER, [x], VK_BITS, (c * bits, h, w), attrs=(resolution, bits))

    @staticmethod
    def _conv_out(h, w, k, s, p):
        ho = (h + 2 * p - k) // s + 1
        wo = (w + 2 * p - k) // s + 1
        if ho < 1 or wo < 1:
            raise FormatError("conv/pool output would be empty")
        return ho, wo

    def bconv(self, x, weight, stride=1, pad=1):
        self._expect(x, (VK_BITS,), "bconv")
        weight = np.asarray(weight)
        co, ci, kh, kw = weight.shape
        c, h, w = self.shape(x)
        if kh != kw or ci != c:
            raise FormatError("bconv weight %r does not fit input %r" % (weight.shape, (c, h, w)))
        ho, wo = self._conv_out(h, w, kh, stride, pad)
        return self._op(OP_BCONV, [x], VK_REAL, (co, ho, wo), [self.bits(weight)], (kh, stride, pad))

    def pgconv(self, x, weight, threshold, stride=1, pad=1):
        self._expect(x, (VK_Q2,), "pgconv")
        weight = np.asarray(weight)
        co, ci, kh, kw = weight.shape
        c, h, w = self.shape(x)
        if kh != kw or ci != c:
            raise FormatError("pgconv weight %r does not fit input %r" % (weight.shape, (c, h, w)))
        thr = np.asarray(threshold, dtype=np.float32).reshape(-1)
        if thr.size != co:
            raise FormatError("pgconv threshold has %d entries, expected %d" % (thr.size, co))
        ho, wo = self._conv_out(h, w, kh, stride, pad)
        return self._op(OP_PGCONV, [x], VK_REAL, (co, ho, wo),
                        [self.bits(weight), self.f32(thr)], (kh, stride, pad))

    def _per_channel(self, x, arr, what):
        arr = np.asarray(arr, dtype=np.float32).reshape(-1)
        if arr.size != self.shape(x)[0]:
            raise FormatError("%s: %d per-channel values for %d channels" % (what, arr.size, self.shape(x)[0]))
        return self.f32(arr)

    def affine(self, x, a, b):
        self._expect(x, (VK_REAL,), "affine")
        return self._op(OP_AFFINE, [x], VK_REAL, self.shape(x),
                        [self._per_channel(x, a, "affine"), self._per_channel(x, b, "affine")])

    def rprelu(self, x, shift_x, slope, shift_y):
        self._expect(x, (VK_REAL,), "rprelu")
        return self._op(OP_RPRELU, [x], VK_REAL, self.shape(x),
                        [self._per_channel(x, shift_x, "rprelu"), self._per_channel(x, slope, "rprelu"),
                         self._per_channel(x, shift_y, "rprelu")])

    def add(self, x0, x1):
        self._expect(x0, (VK_REAL,), "add")
        self._expect(x1, (VK_REAL,), "add")
        if self.shape(x0) != self.shape(x1):
            raise FormatError("add: shapes %r and %r differ" % (self.shape(x0), self.shape(x1)))
        return self._op(OP_ADD, [x0, x1], VK_REAL, self.shape(x0))

    def avgpool(self, x, k=2, stride=2, dup=1):
        self._expect(x, (VK_REAL,), "avgpool")
        c, h, w = self.shape(x)
        ho, wo = self._conv_out(h, w, k, stride, 0)
        return self._op(OP_AVGPOOL, [x], VK_REAL, (c * dup, ho, wo), attrs=(k, stride, dup))

    def global_avgpool(self, x):
        self._expect(x, (VK_REAL,), "global_avgpool")
        return self._op(OP_GLOBAL_AVGPOOL, [x], VK_REAL, (self.shape(x)[0], 1, 1))

    def maxpool(self, x, k=2, stride=2, pad=0):
        self._expect(x, (VK_REAL, VK_BITS), "maxpool")
        c, h, w = self.shape(x)
        ho, wo = self._conv_out(h, w, k, stride, pad)
        return self._op(OP_MAXPOOL, [x], self.kind(x), (c, ho, wo), attrs=(k, stride, pad))

    def fc(self, x, weight, bias):
        self._expect(x, (VK_REAL,), "fc")
        weight = np.asarray(weight, dtype=np.float32)
        c, h, w = self.shape(x)
        n = weight.shape[0]
        if weight.ndim != 2 or weight.shape[1] != c * h * w:
            raise FormatError("fc weight %r does not fit %d inputs" % (weight.shape, c * h * w))
        bias = np.asarray(bias, dtype=np.float32).reshape(-1)
        if bias.size != n:
            raise FormatError("fc bias has %d entries, expected %d" % (bias.size, n))
        return self._op(OP_FC, [x], VK_REAL, (n, 1, 1), [self.f32(weight), self.f32(bias)])

    def quant2(self, x):
        self._expect(x, (VK_REAL,), "quant2")
        return self._op(OP_QUANT2, [x], VK_Q2, self.shape(x))

    def sign(self, x):
        self._expect(x, (VK_REAL,), "sign")
        return self._op(OP_SIGN, [x], VK_BITS, self.shape(x))

    def concat(self, xs):
        if not 2 <= len(xs) <= 4:
            raise FormatError("concat takes 2..4 inputs")
        for x in xs:
            self._expect(x, (VK_REAL,), "concat")
        _, h, w = self.shape(xs[0])
        if any(self.shape(x)[1:] != (h, w) for x in xs):
            raise FormatError("concat: spatial sizes differ")
        return self._op(OP_CONCAT, xs, VK_REAL, (sum(self.shape(x)[0] for x in xs), h, w))

    def quant_uniform(self, x, bits, lo, hi):
        self._expect(x, (VK_REAL,), "quant_uniform")
        if not lo < hi:
            raise FormatError("quant_uniform needs lo < hi")
        return self._op(OP_QUANT_UNIFORM, [x], VK_REAL, self.shape(x),
                        [self.f32([lo, hi])], (bits,))

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
        struct.pack_into("<4sHHIIIIIIIIIIIIII", out, 0, MAGIC, VERSION_MAJOR, VERSION_MINOR,
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
def _conv_sum(x, w, stride, pad):
    """Exact integer conv of {-1,+1} x [N,Ci,H,W] with w [Co,Ci,K,K]; zero pad."""
    x = x.astype(np.int32)
    w = w.astype(np.int32)
    n, ci, h, wd = x.shape
    co, _, k, _ = w.shape
    xp = np.zeros((n, ci, h + 2 * pad, wd + 2 * pad), dtype=np.int32)
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


def run_reference(model, images, stats=None):
    """Run the graph on uint8 images [N,C,H,W]; returns float32 logits [N,classes].

    `stats`, if a dict, receives per-PG-conv gate counts {op_index: (fired, total)}.
    """
    f32 = np.float32
    vals = {model.input_value: np.asarray(images, dtype=np.uint8)}
    for oi, (typ, ins, out, params, attrs) in enumerate(model.ops):
        x = vals[ins[0]]
        P = [model.tensors[p] for p in params]
        if typ == OP_THERMOMETER:
            res, b = attrs
            lv = thermometer_levels(x, res)  # [N,C,H,W]
            k = np.arange(b).reshape(1, 1, b, 1, 1)
            bits = np.where(k < lv[:, :, None], 1.0, -1.0).astype(np.float32)
            y = bits.reshape(x.shape[0], x.shape[1] * b, x.shape[2], x.shape[3])
        elif typ == OP_BCONV:
            k, s, p = attrs
            y = _conv_sum(x, P[0], s, p).astype(np.float32)
        elif typ == OP_PGCONV:
            k, s, p = attrs
            m, l = x
            sm = _conv_sum(m, P[0], s, p)
            sl = _conv_sum(l, P[0], s, p)
            o_msb = (2 * sm).astype(f32) / f32(3)
            o_full = (2 * sm + sl).astype(f32) / f32(3)
            gate = o_msb > P[1].reshape(1, -1, 1, 1)
            y = np.where(gate, o_full, o_msb).astype(f32)
            if stats is not None:
                fired, total = stats.get(oi, (0, 0))
                stats[oi] = (fired + int(gate.sum()), total + gate.size)
        elif typ == OP_AFFINE:
            a, b = P
            y = (x * a.reshape(1, -1, 1, 1)).astype(f32) + b.reshape(1, -1, 1, 1)
        elif typ == OP_RPRELU:
            bx, sl, by = (t.reshape(1, -1, 1, 1) for t in P)
            t = x + bx
            t = np.where(t > 0, t, (sl * t).astype(f32))
            y = t + by
        elif typ == OP_ADD:
            y = x + vals[ins[1]]
        elif typ == OP_AVGPOOL:
            k, s, dup = attrs
            n, c, h, w = x.shape
            ho, wo = (h - k) // s + 1, (w - k) // s + 1
            acc = np.zeros((n, c, ho, wo), dtype=f32)
            for ky in range(k):
                for kx in range(k):
                    acc = acc + x[:, :, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s]
            pooled = acc / f32(k * k)
            y = np.concatenate([pooled] * dup, axis=1)
        elif typ == OP_GLOBAL_AVGPOOL:
            n, c, h, w = x.shape
            acc = np.zeros((n, c), dtype=f32)
            flat = x.reshape(n, c, h * w)
            for i in range(h * w):
                acc = acc + flat[:, :, i]
            y = (acc / f32(h * w)).reshape(n, c, 1, 1)
        elif typ == OP_MAXPOOL:
            k, s, p = attrs
            n, c, h, w = x.shape
            ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            xp = np.full((n, c, h + 2 * p, w + 2 * p), -np.inf, dtype=f32)
            xp[:, :, p:p + h, p:p + w] = x
            y = np.full((n, c, ho, wo), -np.inf, dtype=f32)
            for ky in range(k):
                for kx in range(k):
                    y = np.maximum(y, xp[:, :, ky:ky + s * (ho - 1) + 1:s, kx:kx + s * (wo - 1) + 1:s])
        elif typ == OP_FC:
            wt, b = P
            n = x.shape[0]
            flat = x.reshape(n, -1)
            acc = np.zeros((n, wt.shape[0]), dtype=f32)
            for i in range(flat.shape[1]):
                acc = acc + (flat[:, i:i + 1] * wt[:, i].reshape(1, -1)).astype(f32)
            y = (acc + b.reshape(1, -1)).reshape(n, -1, 1, 1)
        elif typ == OP_QUANT2:
            y = quant2_planes(x)
        elif typ == OP_SIGN:
            y = np.where(x >= 0, 1.0, -1.0).astype(f32)
        elif typ == OP_CONCAT:
            y = np.concatenate([vals[i] for i in ins], axis=1)
        elif typ == OP_QUANT_UNIFORM:
            (bits,) = attrs
            lo, hi = P[0][0], P[0][1]
            d = (hi - lo) / f32((1 << bits) - 1)
            y = np.round((np.clip(x, lo, hi) - lo) / d) * d + lo
        else:
            raise FormatError("unknown op type %d" % typ)
        if isinstance(y, np.ndarray) and y.dtype == np.float64:
            y = y.astype(f32)
        vals[out] = y
    return vals[model.output_value].reshape(len(images), -1)

#!/usr/bin/env python3
"""Generate an HLS top function (plain C) from a .fbnn model.

  /usr/bin/python3 tools/fbnn_to_hls.py MODEL.fbnn OUT_DIR NAME

writes OUT_DIR/NAME_top.c and OUT_DIR/NAME_top.h. The top function

  int NAME_top(const uint8_t image[C*H*W], float logits[N]);

is a straight-line sequence of calls to the reference kernels of kernels/
with every shape a compile-time constant, the weights as `static const`
arrays (ROM on an FPGA, flash on a microcontroller) and the activations in
a few `static` buffers shared by liveness (BRAM). No heap, no recursion, no
function pointers: the same C files run in the library, in HLS C
simulation and in synthesis. Because it calls the very kernels the library
uses, its logits are bit-identical to fbnn_run() (kernels/hls/tb_*.c and the
ctest `hls_csim_*` check it on real images).
"""
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fbnn_format as ff  # noqa: E402


def read_raw(path):
    """Return (header fields, raw tensors, values, ops, meta) without unpacking bits."""
    with open(path, "rb") as f:
        blob = f.read()
    m = ff.read_fbnn(blob)  # validates magic, version, size, checksum
    hdr = struct.unpack_from("<4sHHIIIIIIIIIIIIII", blob, 0)
    n_t, t_off = hdr[7], hdr[8]
    raw = []
    for i in range(n_t):
        dtype, ndim, d0, d1, d2, d3, off, nb = struct.unpack_from("<8I", blob, t_off + i * ff.TENSOR_ENTRY)
        payload = blob[off:off + nb]
        if dtype == ff.DT_F32:
            arr = np.frombuffer(payload, dtype="<f4")
        elif dtype == ff.DT_BITS:
            arr = np.frombuffer(payload, dtype="<u4")
        else:
            arr = np.frombuffer(payload, dtype="<i4")
        raw.append((dtype, arr))
    return m, raw


def c_float(v):
    v = float(v)
    return ("%sf" % v.hex()) if v == v else "0.0f"


def emit_array(out, ctype, name, values, fmt, per_line=8):
    out.append("static const %s %s[%d] = {" % (ctype, name, len(values)))
    for i in range(0, len(values), per_line):
        out.append("    " + ", ".join(fmt(v) for v in values[i:i + per_line]) + ",")
    out.append("};")


class BufferPool:
    """Liveness-based reuse of typed static buffers (like register allocation)."""

    def __init__(self, ctype, prefix):
        self.ctype, self.prefix = ctype, prefix
        self.sizes = []      # elements per buffer
        self.free = []       # indices of free buffers

    def alloc(self, n):
        fitting = [b for b in self.free if self.sizes[b] >= n]
        if fitting:
            b = min(fitting, key=lambda b: self.sizes[b])
        elif self.free:
            b = max(self.free, key=lambda b: self.sizes[b])
            self.sizes[b] = n
        else:
            self.sizes.append(n)
            return len(self.sizes) - 1
        self.free.remove(b)
        return b

    def release(self, b):
        self.free.append(b)

    def name(self, b):
        return "%s%d" % (self.prefix, b)


def generate(model_path, name):
    m, raw = read_raw(model_path)
    values = m.values
    words = lambda c: (c + 31) // 32  # noqa: E731
    real_pool = BufferPool("fbnn_real", "act_f")
    bits_pool = BufferPool("uint32_t", "act_b")

    last_use = {}
    for i, (typ, ins, out, params, attrs) in enumerate(m.ops):
        for v in ins:
            last_use[v] = i
    last_use[m.output_value] = len(m.ops)

    loc = {m.input_value: ("image",)}   # value -> tuple of C expressions (Q2: msb, lsb)
    owned = {}                           # value -> list of (pool, buffer index)
    body = []
    weights = []
    used_tensors = set()

    def tname(t):
        used_tensors.add(t)
        return "w%d" % t

    for i, (typ, ins, out, params, attrs) in enumerate(m.ops):
        # release buffers whose last reader ran before this op
        for v in list(owned):
            if last_use.get(v, -1) < i:
                for pool, b in owned.pop(v):
                    pool.release(b)
        kind, c, h, w = values[out]
        if out == m.output_value:
            loc[out] = ("logits",)
        elif kind == ff.VK_REAL:
            b = real_pool.alloc(c * h * w)
            owned[out] = [(real_pool, b)]
            loc[out] = (real_pool.name(b),)
        elif kind == ff.VK_BITS:
            b = bits_pool.alloc(h * w * words(c))
            owned[out] = [(bits_pool, b)]
            loc[out] = (bits_pool.name(b),)
        elif kind == ff.VK_Q2:
            b0 = bits_pool.alloc(h * w * words(c))
            b1 = bits_pool.alloc(h * w * words(c))
            owned[out] = [(bits_pool, b0), (bits_pool, b1)]
            loc[out] = (bits_pool.name(b0), bits_pool.name(b1))
        else:
            raise ff.FormatError("op %d: output kind %d cannot be generated" % (i, kind))
        xk, xc, xh, xw = values[ins[0]]
        X, Y = loc[ins[0]], loc[out]
        nm = ff.OP_NAMES.get(typ, "?")
        body.append("    /* op %d: %s -> [%d,%d,%d] */" % (i, nm, c, h, w))
        if typ == ff.OP_THERMOMETER:
            body.append("    rc |= fbnn_k_thermometer(%s, %d, %d, %d, %d, %d, %s);"
                        % (X[0], xc, xh, xw, attrs[0], attrs[1], Y[0]))
        elif typ in (ff.OP_BCONV, ff.OP_PGCONV):
            k, s, p = attrs
            body.append("    {")
            body.append("        static const fbnn_conv_params p = {%d, %d, %d, %d, %d, %d, %d, %d, %d};"
                        % (xc, xh, xw, c, k, s, p, h, w))
            if typ == ff.OP_BCONV:
                body.append("        rc |= fbnn_k_bconv(%s, %s, &p, %s);" % (X[0], tname(params[0]), Y[0]))
            else:
                body.append("        rc |= fbnn_k_pgconv(%s, %s, %s, %s, &p, %s, NULL);"
                            % (X[0], X[1], tname(params[0]), tname(params[1]), Y[0]))
            body.append("    }")
        elif typ == ff.OP_AFFINE:
            body.append("    rc |= fbnn_k_affine(%s, %s, %s, %d, %d, %s);"
                        % (X[0], tname(params[0]), tname(params[1]), xc, xh * xw, Y[0]))
        elif typ == ff.OP_RPRELU:
            body.append("    rc |= fbnn_k_rprelu(%s, %s, %s, %s, %d, %d, %s);"
                        % (X[0], tname(params[0]), tname(params[1]), tname(params[2]), xc, xh * xw, Y[0]))
        elif typ == ff.OP_ADD:
            body.append("    rc |= fbnn_k_add(%s, %s, %d, %s);" % (X[0], loc[ins[1]][0], xc * xh * xw, Y[0]))
        elif typ == ff.OP_AVGPOOL:
            body.append("    rc |= fbnn_k_avgpool(%s, %d, %d, %d, %d, %d, %d, %s);"
                        % (X[0], xc, xh, xw, attrs[0], attrs[1], attrs[2], Y[0]))
        elif typ == ff.OP_GLOBAL_AVGPOOL:
            body.append("    rc |= fbnn_k_global_avgpool(%s, %d, %d, %d, %s);" % (X[0], xc, xh, xw, Y[0]))
        elif typ == ff.OP_MAXPOOL:
            fn = "fbnn_k_maxpool_bits" if xk == ff.VK_BITS else "fbnn_k_maxpool"
            body.append("    rc |= %s(%s, %d, %d, %d, %d, %d, %d, %s);"
                        % (fn, X[0], xc, xh, xw, attrs[0], attrs[1], attrs[2], Y[0]))
        elif typ == ff.OP_FC:
            body.append("    rc |= fbnn_k_fc(%s, %d, %s, %s, %d, %s);"
                        % (X[0], xc * xh * xw, tname(params[0]), tname(params[1]), c, Y[0]))
        elif typ == ff.OP_QUANT2:
            body.append("    rc |= fbnn_k_quant2_pack(%s, %d, %d, %d, %s, %s);" % (X[0], xc, xh, xw, Y[0], Y[1]))
        elif typ == ff.OP_SIGN:
            body.append("    rc |= fbnn_k_pack_sign(%s, %d, %d, %d, %s);" % (X[0], xc, xh, xw, Y[0]))
        elif typ == ff.OP_CONCAT:
            off = 0
            for v in ins:
                n = values[v][1] * values[v][2] * values[v][3]
                body.append("    for (i = 0; i < %d; i++) %s[%d + i] = %s[i];" % (n, Y[0], off, loc[v][0]))
                off += n
        elif typ == ff.OP_QUANT_UNIFORM:
            lo, hi = raw[params[0]][1]
            body.append("    rc |= fbnn_k_quant_uniform(%s, %d, %d, %s, %s, %s);"
                        % (X[0], xc * xh * xw, attrs[0], c_float(lo), c_float(hi), Y[0]))
        else:
            raise ff.FormatError("op %d: type %d cannot be generated" % (i, typ))

    for t in sorted(used_tensors):
        dtype, arr = raw[t]
        if dtype == ff.DT_BITS:
            emit_array(weights, "uint32_t", "w%d" % t, arr.tolist(), lambda v: "0x%08xu" % v)
        elif dtype == ff.DT_F32:
            emit_array(weights, "fbnn_real", "w%d" % t, arr.tolist(), c_float, per_line=4)
        else:
            raise ff.FormatError("tensor %d: dtype %d cannot be generated" % (t, dtype))

    in_k, in_c, in_h, in_w = values[m.input_value]
    n_cls = m.n_classes
    guard = name.upper() + "_TOP_H"
    header = """/* Generated by tools/fbnn_to_hls.py from %(model)s: do not edit. */
#ifndef %(guard)s
#define %(guard)s

#include <stdint.h>

#define %(NAME)s_IN_C %(c)d
#define %(NAME)s_IN_H %(h)d
#define %(NAME)s_IN_W %(w)d
#define %(NAME)s_CLASSES %(n)d

/**
 * HLS top function of "%(title)s".
 * @param image  8-bit planar input [%(c)d][%(h)d][%(w)d] (as fbnn_run())
 * @param logits %(n)d float32 logits, bit-identical to fbnn_run()
 * @return 0 on success (non-zero only if a kernel rejected its constants)
 */
int %(name)s_top(const uint8_t image[%(c)d * %(h)d * %(w)d], float logits[%(n)d]);

#endif
""" % dict(model=os.path.basename(model_path), guard=guard, NAME=name.upper(), name=name, c=in_c, h=in_h,
           w=in_w, n=n_cls, title=m.name)

    bufs = []
    for pool in (real_pool, bits_pool):
        for b, n in enumerate(pool.sizes):
            bufs.append("    static %s %s[%d];" % (pool.ctype, pool.name(b), n))
    src = ["/* Generated by tools/fbnn_to_hls.py from %s: do not edit." % os.path.basename(model_path),
           " *",
           " * HLS top function: the network as straight-line calls of the reference",
           " * kernels with compile-time shapes; weights are static const (ROM),",
           " * activations live in %d static buffers reused by liveness. */" % len(bufs),
           "#include <stddef.h>",
           "#include <stdint.h>",
           "",
           '#include "fbnn_kernels.h"',
           '#include "%s_top.h"' % name,
           "",
           "#ifdef __SYNTHESIS__",
           "#define FBNN_HLS(x) _Pragma(#x)",
           "#else",
           "#define FBNN_HLS(x)",
           "#endif",
           ""]
    src += weights
    src += ["",
            "int %s_top(const uint8_t image[%d * %d * %d], float logits[%d])" % (name, in_c, in_h, in_w, n_cls),
            "{",
            "    FBNN_HLS(HLS INTERFACE mode=m_axi port=image depth=%d)" % (in_c * in_h * in_w),
            "    FBNN_HLS(HLS INTERFACE mode=m_axi port=logits depth=%d)" % n_cls,
            "    FBNN_HLS(HLS INTERFACE mode=s_axilite port=return)"]
    src += bufs
    src += ["    int rc = 0;",
            "    int i;",
            "    (void)i;"]
    src += body
    src += ["    return rc;", "}", ""]
    return header, "\n".join(src)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: fbnn_to_hls.py MODEL.fbnn OUT_DIR NAME\n")
        return 2
    model, out_dir, name = argv[1:]
    try:
        header, src = generate(model, name)
    except (ff.FormatError, OSError) as e:
        sys.stderr.write("fbnn_to_hls: error: %s\n" % e)
        return 1
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, name + "_top.h"), "w") as f:
        f.write(header)
    with open(os.path.join(out_dir, name + "_top.c"), "w") as f:
        f.write(src)
    print("wrote %s/%s_top.{c,h}" % (out_dir, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

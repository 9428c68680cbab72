#!/usr/bin/python3
"""Binary and real multiply-accumulate counts of a .fbnn model, per op and
in total, read from the file itself (shapes of the values and weight tensors).

  /usr/bin/python3 tools/model_macs.py models/fashion_mnist_dorefa.fbnn [more.fbnn ...] [--json]

`fbnn info` counts only bconv, pgconv and fc; this script also counts the
ops of format 1.1/1.2 (bfc, bconv_thr, bfc_thr, rconv, kconv), for the table
in docs/MODELS.md. What is counted, per image:
  binary MACs  1-bit x 1-bit multiply-accumulates (XNOR/AND + popcount):
               bconv, bconv_thr, bfc, bfc_thr, the MSB conv of pgconv, and
               kconv = planes x bases binary convs (one per activation bit
               plane and weight base);
  lsb<=        the LSB conv of a pgconv, which runs only where its gate fires
               (an upper bound, as in `fbnn info`);
  real MACs    float32 multiply-accumulates: fc, rconv.
Element-wise ops (affine, rprelu, add, pools, quantisers) are not MACs and
are not counted.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fbnn_format as ff  # noqa: E402
from fbnn_ops import BY_CODE  # noqa: E402


def op_macs(m, op):
    """(name, binary MACs, lsb upper bound, real MACs) of one op record."""
    typ, ins, out, params, attrs = op
    name = BY_CODE[typ].name
    _, co, ho, wo = m.values[out]
    npix = ho * wo
    P = [m.tensors[p] for p in params]
    b = lsb = r = 0
    if name in ("bconv", "bconv_thr", "pgconv"):
        wco, kh, kw, ci = P[0].shape                    # unpacked bits [Co, K, K, Ci]
        b = npix * wco * kh * kw * ci
        if name == "pgconv":
            lsb = b
    elif name == "kconv":
        planes, bases = attrs[6], attrs[7]
        mco, kh, kw, ci = P[0].shape                    # [M*Co, K, K, Ci]
        assert mco == bases * co
        b = npix * mco * kh * kw * ci * planes
    elif name in ("bfc", "bfc_thr"):
        b = int(P[0].size)                              # [M, C*H*W] bits, one MAC each
    elif name == "fc":
        r = int(P[0].size)
    elif name == "rconv":
        wco, cig, kh, kw = P[0].shape
        r = npix * wco * cig * kh * kw
    return name, b, lsb, r


def model_macs(path):
    m = ff.read_fbnn(path)
    rows = [op_macs(m, op) for op in m.ops]
    tot = dict(binary_macs=sum(x[1] for x in rows), lsb_macs_max=sum(x[2] for x in rows),
               real_macs=sum(x[3] for x in rows))
    return dict(model=path, file_bytes=os.path.getsize(path), ops=len(rows), **tot,
                per_op=[dict(index=i, op=x[0], binary_macs=x[1], lsb_macs_max=x[2], real_macs=x[3])
                        for i, x in enumerate(rows)])


def main(argv):
    as_json = "--json" in argv
    paths = [a for a in argv if a != "--json"]
    if not paths:
        raise SystemExit(__doc__)
    res = [model_macs(p) for p in paths]
    if as_json:
        print(json.dumps(res, indent=1))
        return 0
    for r in res:
        print("%s: %d bytes, %d ops, binary MACs %d (%.2f M), lsb<= %d, real MACs %d (%.3f M)" % (
            r["model"], r["file_bytes"], r["ops"], r["binary_macs"], r["binary_macs"] / 1e6, r["lsb_macs_max"],
            r["real_macs"], r["real_macs"] / 1e6))
        for o in r["per_op"]:
            if o["binary_macs"] or o["real_macs"] or o["lsb_macs_max"]:
                print("  %3d %-12s binary %10d  lsb<= %10d  real %9d" % (
                    o["index"], o["op"], o["binary_macs"], o["lsb_macs_max"], o["real_macs"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

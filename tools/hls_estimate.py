#!/usr/bin/python3
"""First-order FPGA estimate for a .fbnn network: cycles and on-chip memory.

  /usr/bin/python3 tools/hls_estimate.py [--model models/cifar10_fracbnn.fbnn | --imagenet]
        [--pe 16] [--simd 64] [--clock-mhz 250] [--lsb parallel|serial]
        [--gate-frac 0.5] [--res-bits 32] [--bram18k 432] [--json]

Not a synthesis result (no Vitis here): an analytic model, documented in
docs/FPGA.md, to choose a parallelism before running csynth.

Compute model, per conv layer (binary conv or PG conv), out_c output
channels over PE lanes, each lane consuming SIMD weight bits (binary MACs) of
the K*K*in_c dot product per cycle, one pipeline per layer:

  cycles = out_h * out_w * ceil(out_c / PE) * ceil(K*K*in_c / SIMD) + DEPTH

PG conv: --lsb parallel (default) computes the LSB popcount beside the MSB
one (as kernels/hls/fbnn_pg_layer.c does: no extra cycles, twice the
popcount logic); --lsb serial runs the LSB pass only where the gate fires,
costing gate_frac more cycles. The epilogue (affine, RPReLU, residual add,
Q2 packing, 2x2 average-pool shortcut) is fused into the conv pipeline and
costs no cycle; the thermometer costs one cycle per pixel, the global
average pool and the classifier one value per cycle per PE.

Two schedules: "sequential" (one engine runs the layers one after the
other: images/s = f / sum of cycles) and "dataflow" (one engine per layer,
images streamed through: images/s = f / largest layer).

Memory model (BRAM18K = 18 Kbit; a memory of width W and depth D takes the
cheapest of the 16Kx1 .. 512x36 aspect ratios, tiled):
  weights   PE banks of width SIMD bits, depth ceil(out_c/PE)*ceil(K*K*in_c/SIMD)
            per layer (dataflow); one engine stacks all layers in its banks
  (memories under 1 Kbit are counted as LUTRAM/registers, not BRAM)
  params    per-channel epilogue constants, 8 x 32-bit per output channel
  linebuf   K rows of the input map, width in_c*planes bits (planes 2 for Q2)
  residual  (dataflow) one full residual map per block, res_bits per value
The paper's Ultra96v2 (xczu3eg) has 432 BRAM18K.

--imagenet estimates the whole FracBNN ImageNet network (issue 17, the
authors' 13-block architecture of tools/fracbnn_mobile_export.py) from its
shapes alone, without the 8 MB model file; the paper's figure beside it is
then its ImageNet accelerator's 48.1 images/s on the Ultra96v2.
"""
import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fbnn_format as ff  # noqa: E402

PAPER_IMAGES_PER_S = 2807  # FracBNN, CIFAR-10 on Ultra96v2 at 250 MHz (2806.9)
PAPER_IMAGENET_IMAGES_PER_S = 48.1  # FracBNN, ImageNet on Ultra96v2 (paper)
BRAM_ASPECTS = [(1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024), (36, 512)]
PIPE_DEPTH = 32  # cycles to fill/drain one layer pipeline (assumed)


LUTRAM_BITS = 1024  # smaller memories go to LUTRAM/registers (as HLS maps them), not BRAM


def bram18k(width, depth):
    """BRAM18K blocks for a width x depth memory (0 if empty or small)."""
    if width <= 0 or depth <= 0 or width * depth < LUTRAM_BITS:
        return 0
    return min(math.ceil(width / w) * math.ceil(depth / d) for w, d in BRAM_ASPECTS)


def layers_of(model_path):
    m = ff.read_fbnn(model_path)
    out = []
    for typ, ins, o, params, attrs in m.ops:
        _, c, h, w = m.values[o]
        _, xc, xh, xw = m.values[ins[0]]
        name = ff.OP_NAMES.get(typ, "?")
        if typ in (ff.OP_BCONV, ff.OP_PGCONV):
            k, s, p = attrs
            out.append(dict(kind=name, in_c=xc, in_h=xh, in_w=xw, out_c=c, out_h=h, out_w=w, k=k, stride=s))
        elif typ in (ff.OP_THERMOMETER, ff.OP_GLOBAL_AVGPOOL, ff.OP_FC):
            out.append(dict(kind=name, in_c=xc, in_h=xh, in_w=xw, out_c=c, out_h=h, out_w=w, k=0, stride=1))
    return m, out


def layers_of_config(cfg):
    """The rows of layers_of() for a FracBNN mobile network given by its
    config (tools/fracbnn_mobile_export.py: in_ch, in_hw, resolution,
    stem_out, stem_stride, blocks, num_classes), in the order of the graph
    the converter builds."""
    def conv_out(h, k, s, p):
        return (h + 2 * p - k) // s + 1
    bits = int(round(255.0 / cfg["resolution"]))
    c, h = cfg["in_ch"], cfg["in_hw"]
    out = [dict(kind="thermometer", in_c=c, in_h=h, in_w=h, out_c=c * bits, out_h=h, out_w=h, k=0, stride=1)]
    c_in, s0 = c * bits, cfg["stem_stride"]
    h1 = conv_out(h, 3, s0, 1)
    out.append(dict(kind="bconv", in_c=c_in, in_h=h, in_w=h, out_c=cfg["stem_out"], out_h=h1, out_w=h1, k=3, stride=s0))
    c, h = cfg["stem_out"], h1
    for cin, cout, s in cfg["blocks"]:
        h1 = conv_out(h, 3, s, 1)
        out.append(dict(kind="pgconv", in_c=cin, in_h=h, in_w=h, out_c=cin, out_h=h1, out_w=h1, k=3, stride=s))
        out.append(dict(kind="pgconv", in_c=cin, in_h=h1, in_w=h1, out_c=cout, out_h=h1, out_w=h1, k=1, stride=1))
        c, h = cout, h1
    out.append(dict(kind="global_avgpool", in_c=c, in_h=h, in_w=h, out_c=c, out_h=1, out_w=1, k=0, stride=1))
    out.append(dict(kind="fc", in_c=c, in_h=1, in_w=1, out_c=cfg["num_classes"], out_h=1, out_w=1, k=0, stride=1))
    return out


def imagenet_layers():
    import fracbnn_mobile_export as fx
    return "FracBNN ImageNet (13 blocks, shapes of the authors' architecture)", layers_of_config(fx.IMAGENET_CONFIG)


def estimate(model_path, pe, simd, clock_mhz, lsb="parallel", gate_frac=0.5, res_bits=32, bram_total=432,
             imagenet=False):
    if pe < 1 or simd < 1 or clock_mhz <= 0 or not 0.0 <= gate_frac <= 1.0:
        raise ValueError("pe, simd >= 1, clock > 0, 0 <= gate_frac <= 1")
    if imagenet:
        name, layers = imagenet_layers()
    else:
        m, layers = layers_of(model_path)
        name = m.name
    paper = PAPER_IMAGENET_IMAGES_PER_S if imagenet else PAPER_IMAGES_PER_S
    rows = []
    for L in layers:
        r = dict(L)
        if L["kind"] in ("bconv", "pgconv"):
            dot = L["k"] * L["k"] * L["in_c"]
            steps = math.ceil(L["out_c"] / pe) * math.ceil(dot / simd)
            cyc = L["out_h"] * L["out_w"] * steps
            if L["kind"] == "pgconv" and lsb == "serial":
                cyc = int(math.ceil(cyc * (1.0 + gate_frac)))
            cyc += PIPE_DEPTH
            planes = 2 if L["kind"] == "pgconv" else 1
            r["macs"] = L["out_h"] * L["out_w"] * L["out_c"] * dot * planes
            r["w_depth"] = math.ceil(L["out_c"] / pe) * math.ceil(dot / simd)
            r["bram_weights"] = pe * bram18k(simd, r["w_depth"])
            r["bram_params"] = bram18k(32, 8 * L["out_c"]) if L["kind"] == "pgconv" else bram18k(32, 2 * L["out_c"])
            r["bram_linebuf"] = bram18k(L["in_c"] * planes, L["k"] * L["in_w"])
        elif L["kind"] == "thermometer":
            cyc = L["in_h"] * L["in_w"] + PIPE_DEPTH
            r["macs"], r["bram_weights"], r["bram_params"], r["bram_linebuf"], r["w_depth"] = 0, 0, 0, 0, 0
        else:  # global average pool, classifier
            n = L["in_c"] * L["in_h"] * L["in_w"] * (L["out_c"] if L["kind"] == "fc" else 1)
            cyc = math.ceil(n / pe) + PIPE_DEPTH
            r["macs"] = n if L["kind"] == "fc" else 0
            r["bram_weights"] = bram18k(32, n) if L["kind"] == "fc" else 0
            r["bram_params"], r["bram_linebuf"], r["w_depth"] = 0, 0, 0
        r["cycles"] = cyc
        rows.append(r)
    f = clock_mhz * 1e6
    seq = sum(r["cycles"] for r in rows)
    worst = max(r["cycles"] for r in rows)
    n_pg = sum(1 for r in rows if r["kind"] == "pgconv")
    # residual maps alive across a block in a dataflow pipeline: one per PG layer input
    res_maps = [r for r in rows if r["kind"] == "pgconv"]
    bram_res = sum(bram18k(res_bits, r["in_c"] * r["in_h"] * r["in_w"]) for r in res_maps)
    # sequential engine: ping-pong Q2 maps + 2 residual maps of the largest size
    big = max(r["in_c"] * r["in_h"] * r["in_w"] for r in res_maps) if res_maps else 0
    bram_seq_fm = 2 * 2 * bram18k(2, big) + 2 * bram18k(res_bits, big)
    w_total = sum(r["bram_weights"] + r["bram_params"] for r in rows)
    # one engine: every conv's weights stacked in the same PE banks (one deep memory per bank)
    w_seq = pe * bram18k(simd, sum(r["w_depth"] for r in rows)) + \
        sum(r["bram_params"] + (r["bram_weights"] if r["kind"] == "fc" else 0) for r in rows)
    lb_total = sum(r["bram_linebuf"] for r in rows)
    summary = dict(
        model=name, pe=pe, simd=simd, clock_mhz=clock_mhz, lsb=lsb, gate_frac=gate_frac, res_bits=res_bits,
        n_conv=sum(1 for r in rows if r["kind"] in ("bconv", "pgconv")), n_pg=n_pg,
        total_macs=sum(r["macs"] for r in rows),
        sequential_cycles=seq, sequential_images_per_s=f / seq,
        dataflow_bottleneck_cycles=worst, dataflow_images_per_s=f / worst,
        paper_images_per_s=paper,
        bram_weights_params=w_total, bram_weights_params_sequential=w_seq,
        bram_sequential_total=w_seq + bram_seq_fm,
        bram_dataflow_total=w_total + lb_total + bram_res,
        bram_linebuf=lb_total, bram_residual_dataflow=bram_res, bram_featuremaps_sequential=bram_seq_fm,
        bram_available=bram_total)
    return rows, summary


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(os.path.dirname(HERE), "models", "cifar10_fracbnn.fbnn"))
    ap.add_argument("--pe", type=int, default=16)
    ap.add_argument("--simd", type=int, default=64)
    ap.add_argument("--clock-mhz", type=float, default=250.0)
    ap.add_argument("--lsb", choices=("parallel", "serial"), default="parallel")
    ap.add_argument("--gate-frac", type=float, default=0.5)
    ap.add_argument("--res-bits", type=int, default=32)
    ap.add_argument("--bram18k", type=int, default=432)
    ap.add_argument("--imagenet", action="store_true",
                    help="the FracBNN ImageNet network from its architecture (no model file)")
    ap.add_argument("--json", action="store_true", help="print one JSON object (rows + summary)")
    a = ap.parse_args(argv)
    try:
        rows, s = estimate(a.model, a.pe, a.simd, a.clock_mhz, a.lsb, a.gate_frac, a.res_bits, a.bram18k,
                           imagenet=a.imagenet)
    except (ValueError, OSError, ff.FormatError) as e:
        sys.stderr.write("hls_estimate: error: %s\n" % e)
        return 1
    if a.json:
        print(json.dumps(dict(rows=rows, summary=s), indent=1))
        return 0
    print("%s: PE=%d SIMD=%d at %.0f MHz, LSB %s%s" % (s["model"], a.pe, a.simd, a.clock_mhz, a.lsb,
          " (gate fraction %.2f)" % a.gate_frac if a.lsb == "serial" else ""))
    print("%-3s %-14s %-16s %-16s %12s %10s %7s %7s %7s" % ("#", "layer", "in", "out", "binary MACs", "cycles",
                                                          "W-BRAM", "P-BRAM", "LB-BRAM"))
    for i, r in enumerate(rows):
        print("%-3d %-14s %-16s %-16s %12d %10d %7d %7d %7d" % (
            i, r["kind"] + ("/s%d" % r["stride"] if r["stride"] > 1 else ""),
            "%dx%dx%d" % (r["in_c"], r["in_h"], r["in_w"]), "%dx%dx%d" % (r["out_c"], r["out_h"], r["out_w"]),
            r["macs"], r["cycles"], r["bram_weights"], r["bram_params"], r["bram_linebuf"]))
    print("total binary MACs per image: %d" % s["total_macs"])
    paper = s["paper_images_per_s"]
    print("sequential (one engine):  %9d cycles/image -> %8.1f images/s (%.2fx the paper's %g)" % (
        s["sequential_cycles"], s["sequential_images_per_s"], s["sequential_images_per_s"] / paper, paper))
    print("dataflow (engine/layer):  %9d cycles bottleneck -> %8.1f images/s (%.2fx the paper's %g)" % (
        s["dataflow_bottleneck_cycles"], s["dataflow_images_per_s"], s["dataflow_images_per_s"] / paper, paper))
    print("BRAM18K: sequential total %d (weights+params %d, feature maps %d); dataflow total %d "
          "(weights+params %d, line buffers %d, residual maps %d at %d bits); device has %d" % (
              s["bram_sequential_total"], s["bram_weights_params_sequential"], s["bram_featuremaps_sequential"],
              s["bram_dataflow_total"], s["bram_weights_params"], s["bram_linebuf"], s["bram_residual_dataflow"], a.res_bits, a.bram18k))
    return 0


if __name__ == "__main__":
    sys.exit(main())

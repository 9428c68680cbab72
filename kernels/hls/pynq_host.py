#!/usr/bin/python3
"""PYNQ host for the CIFAR-10 FracBNN top function (kernels/hls/generated/cifar10_fracbnn_top.c).

On the board (PYNQ image, overlay built with kernels/hls/run_hls.tcl + Vivado):

  python3 pynq_host.py --bitstream fracbnn.bit --data cifar10_test_846.bin [--n 100] [--fixed-frac 16]

feeds each image through the accelerator (AXI4 master buffers, AXI4-Lite
start/done) and reads the 10 logits back: float32 for the float build,
int32 (F <= 16) or int64 raw fixed-point values round(v * 2^F) for a build
with -DFBNN_REAL_FIXED_FRAC=F. Accuracy is reported for that path only.

Without a board (what CI runs):

  /usr/bin/python3 kernels/hls/pynq_host.py --dry-run --data tests/data/cifar10_test_first64.bin \
      --golden tests/data/cifar10_ref_logits.f32 [--fixed-frac 16]

packs the inputs exactly as they would be sent, checks the layout against
the CIFAR-10 records with numpy, round-trips the golden logits through the
fixed-point encoding of the chosen path and reports the golden accuracy.

Register offsets: Vitis HLS writes them to xcifar10_fracbnn_top_hw.h (in the
exported IP); the defaults below are its usual layout for this signature
(ap_ctrl 0x00, ap_return 0x10, image 0x18, logits 0x24) - check them there.
"""
import argparse
import sys

import numpy as np

C, H, W, CLASSES = 3, 32, 32, 10
IMG = C * H * W
RECORD = 1 + IMG


def load_cifar_bin(path, n=None):
    """(labels uint8[n], images uint8[n, 3, 32, 32]) from a CIFAR-10 binary batch."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % RECORD != 0 or raw.size == 0:
        raise ValueError("%s: not a CIFAR-10 binary batch (%d bytes)" % (path, raw.size))
    recs = raw.reshape(-1, RECORD)
    if n is not None:
        recs = recs[:n]
    return recs[:, 0].copy(), recs[:, 1:].reshape(-1, C, H, W).copy()


def pack_image(img):
    """The top function's input: uint8 planar [3][32][32], C-contiguous (3072 bytes)."""
    img = np.asarray(img)
    if img.shape != (C, H, W) or img.dtype != np.uint8:
        raise ValueError("image must be uint8 [3,32,32], got %s %s" % (img.dtype, img.shape))
    return np.ascontiguousarray(img).reshape(IMG)


def logits_dtype(frac):
    """numpy dtype of the logits buffer: float32, or the fixed-point storage type."""
    if frac == 0:
        return np.dtype(np.float32)
    if not 1 <= frac <= 30:
        raise ValueError("fixed-point fraction bits must be 1..30")
    return np.dtype(np.int32) if frac <= 16 else np.dtype(np.int64)


def encode_logits(values, frac):
    """Float values as the accelerator would return them (round half away from zero)."""
    v = np.asarray(values, dtype=np.float64)
    if frac == 0:
        return v.astype(np.float32)
    scaled = v * float(1 << frac)
    return (np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)).astype(logits_dtype(frac))


def decode_logits(raw, frac):
    """Logits buffer -> float64 values."""
    raw = np.asarray(raw)
    if raw.dtype != logits_dtype(frac):
        raise ValueError("logits buffer dtype %s does not match the path (%s)" % (raw.dtype, logits_dtype(frac)))
    if frac == 0:
        return raw.astype(np.float64)
    return raw.astype(np.float64) / float(1 << frac)


def top1(logits):
    """Index of the first maximum (same tie rule as the C testbench)."""
    return int(np.argmax(np.asarray(logits)))


def dry_run(data, golden, n, frac):
    labels, images = load_cifar_bin(data, n)
    buf = np.zeros(IMG, dtype=np.uint8)
    raw = np.fromfile(data, dtype=np.uint8).reshape(-1, RECORD)[: len(labels)]
    for i, img in enumerate(images):
        buf[:] = pack_image(img)
        if not np.array_equal(buf, raw[i, 1:]):
            raise AssertionError("record %d: packed input differs from the CIFAR-10 record bytes" % i)
        # planar: channel 0 (red) first, row-major within a plane
        if buf[0] != img[0, 0, 0] or buf[IMG - 1] != img[2, 31, 31] or buf[H * W] != img[1, 0, 0]:
            raise AssertionError("record %d: not planar [C][H][W]" % i)
    result = dict(images=len(labels), path="float32" if frac == 0 else "fixed Q%d" % frac)
    if golden:
        g = np.fromfile(golden, dtype="<f4")
        if g.size < len(labels) * CLASSES:
            raise ValueError("golden logits file has fewer records than the data")
        g = g[: len(labels) * CLASSES].reshape(-1, CLASSES)
        enc = encode_logits(g, frac)
        dec = decode_logits(enc, frac)
        tol = 0.0 if frac == 0 else 0.5 / float(1 << frac)
        err = float(np.max(np.abs(dec - g)))
        if err > tol:
            raise AssertionError("logit encoding round trip error %g > %g" % (err, tol))
        result["golden_correct"] = int(sum(top1(r) == int(l) for r, l in zip(g, labels)))
        result["roundtrip_max_err"] = err
    return result


def run_board(args):  # pragma: no cover - needs a PYNQ board
    from pynq import Overlay, allocate  # noqa: WPS433 (board-only import)
    ol = Overlay(args.bitstream)
    ip = getattr(ol, args.ip)
    labels, images = load_cifar_bin(args.data, args.n)
    dt = logits_dtype(args.fixed_frac)
    inp = allocate(shape=(IMG,), dtype=np.uint8)
    out = allocate(shape=(CLASSES,), dtype=dt)
    correct = 0
    for i, img in enumerate(images):
        inp[:] = pack_image(img)
        inp.flush()
        for off, addr in ((args.reg_image, inp.physical_address), (args.reg_logits, out.physical_address)):
            ip.write(off, addr & 0xFFFFFFFF)
            ip.write(off + 4, addr >> 32)
        ip.write(0x00, 1)                       # ap_start
        while (ip.read(0x00) & 0x2) == 0:       # ap_done
            pass
        if ip.read(args.reg_return) != 0:
            raise RuntimeError("top function returned an error on image %d" % i)
        out.invalidate()
        logits = decode_logits(np.array(out), args.fixed_frac)
        correct += top1(logits) == int(labels[i])
    path = "float32" if args.fixed_frac == 0 else "fixed Q%d" % args.fixed_frac
    print("FPGA [%s]: %d images, %d correct (%.2f %%)" % (path, len(labels), correct, 100.0 * correct / len(labels)))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description="PYNQ host for cifar10_fracbnn_top")
    ap.add_argument("--data", required=True, help="CIFAR-10 binary batch")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--fixed-frac", type=int, default=0, help="0 = float build, F = -DFBNN_REAL_FIXED_FRAC=F")
    ap.add_argument("--dry-run", action="store_true", help="no board: pack and check the inputs only")
    ap.add_argument("--golden", help="(dry run) golden float32 logits to round-trip and score")
    ap.add_argument("--bitstream", default="fracbnn.bit")
    ap.add_argument("--ip", default="cifar10_fracbnn_top_0")
    ap.add_argument("--reg-image", type=lambda s: int(s, 0), default=0x18)
    ap.add_argument("--reg-logits", type=lambda s: int(s, 0), default=0x24)
    ap.add_argument("--reg-return", type=lambda s: int(s, 0), default=0x10)
    args = ap.parse_args(argv)
    try:
        logits_dtype(args.fixed_frac)
        if args.dry_run:
            r = dry_run(args.data, args.golden, args.n, args.fixed_frac)
            line = "dry run [%s]: %d images packed and checked" % (r["path"], r["images"])
            if "golden_correct" in r:
                line += "; golden float32 logits: %d correct, encoding round trip max error %g" % (
                    r["golden_correct"], r["roundtrip_max_err"])
            print(line)
            return 0
        return run_board(args)
    except (ValueError, OSError, AssertionError) as e:
        sys.stderr.write("pynq_host: error: %s\n" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())

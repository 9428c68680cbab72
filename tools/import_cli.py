"""The command line shared by the Larq importers (tools/import_larq.py for
Keras models, tools/import_lce_tflite.py for LCE's .tflite): the same flags,
the same error exit (status 2, one line naming the problem) and the same
summary of the written file.

Interpreter: whichever runs the importer (the PyPI venv, scripts/setup_pyenv.sh).
"""
import argparse
import sys

import fbnn_format as ff


def floats(text):
    """'1/255' -> 0.00392..., '0.5,1/3' -> [0.5, 0.333...] (one value or one per channel)."""
    out = []
    for part in str(text).split(","):
        num, _, den = part.partition("/")
        out.append(float(num) / (float(den) if den else 1.0))
    return out[0] if len(out) == 1 else out


def parser(description, model_help, name_help):
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help=model_help)
    ap.add_argument("out")
    ap.add_argument("--labels", help="comma-separated class names (default 0..N-1)")
    ap.add_argument("--labels-file", help="one class name a line")
    ap.add_argument("--scale", default="1/255", help="x = u8 * scale + offset (one value or one per channel)")
    ap.add_argument("--offset", default="0")
    ap.add_argument("--invert", action="store_true", help="meta: the model expects 255 - p (light-on-dark data)")
    ap.add_argument("--resize", type=int, default=0, choices=(0, 1, 2), help="meta resize mode (models/FORMAT.md 2.5)")
    ap.add_argument("--name", help=name_help)
    return ap


def run(args, prog, convert, errors):
    """Read the labels, call convert(model, out, labels, scale, offset, invert,
    resize, name) -> (GraphBuilder, Converter) and print the op summary and the
    converter's notes. Returns the exit status: 0, or 2 after printing
    `prog: error: ...` for an exception of the tuple `errors` (or a labels
    file that cannot be read)."""
    try:
        labels = None
        if args.labels_file:
            with open(args.labels_file, encoding="utf-8") as f:
                labels = [l.strip() for l in f if l.strip()]
        elif args.labels:
            labels = args.labels.split(",")
        g, cv = convert(args.model, args.out, labels, floats(args.scale), floats(args.offset),
                        int(args.invert), args.resize, args.name)
    except (OSError,) + tuple(errors) as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return 2
    counts = {}
    for op in g.ops:
        counts[ff.OP_NAMES[op[0]]] = counts.get(ff.OP_NAMES[op[0]], 0) + 1
    print("wrote %s: %d ops (%s)" % (args.out, len(g.ops), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    for n in cv.notes:
        print("note: " + n)
    return 0

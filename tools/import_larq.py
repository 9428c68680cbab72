#!/usr/bin/env python3
"""Import a Keras model built with Larq into a .fbnn file.

    TF_USE_LEGACY_KERAS=1 build/pyenv/bin/python tools/import_larq.py MODEL OUT.fbnn \\
        [--labels a,b,c | --labels-file F] [--scale 1/255] [--offset 0] [--invert] [--resize 0|1|2]

Interpreter: the PyPI venv made by scripts/setup_pyenv.sh (TensorFlow 2.16,
tf-keras, larq; build/pyenv/bin/python as above, or run the script directly
with that venv activated: the shebang is the PATH's python3). MODEL: .h5,
.keras or a SavedModel directory; a .tflite written by Larq Compute Engine's
converter goes to tools/import_lce_tflite.py (same flags).

Input preprocessing (an assumption the importer cannot see in the model, so it
is a flag and it is built into the file): the Keras model was fed
`x = u8 * scale + offset` (float32, NHWC, per channel when a list is given;
default scale 1/255, offset 0, i.e. `images / 255` style inputs). The .fbnn
graph takes the raw uint8 image and starts with those two float32 operations.
The file's meta block records the rest of the contract the existing exporters
record: channels (colour), resize mode and whether intensities are inverted
(--invert for light-on-dark data such as (Fashion-)MNIST photographed as dark
on light).

Mapped: QuantConv2D / QuantDense with sign quantizers (ste_sign, approx_sign,
swish_sign; magnitude_aware_sign kernels), pad_values 0/+1/-1, any stride,
'valid' or TF 'same' padding; real-valued Conv2D, DepthwiseConv2D,
QuantDepthwiseConv2D (real input), Dense; BatchNormalization (into integer
thresholds when only a sign reads it, else an affine); max/average/global
pooling; Add and `x + y`; Concatenate; Flatten; Dropout; relu, ReLU,
LeakyReLU, PReLU; a final softmax (dropped: the file outputs logits). Anything
else is refused with a message naming the layer (exit status 2).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fbnn_format as ff  # noqa: E402
import import_cli as cli  # noqa: E402
import larq_keras as lk  # noqa: E402


def convert(model_path, out_path, labels=None, scale=1.0 / 255.0, offset=0.0, invert=0, resize=0, name=None):
    """Import model_path (a file, or an in-memory Keras model) into out_path;
    returns (GraphBuilder, Converter)."""
    if isinstance(model_path, (str, os.PathLike)) and str(model_path).lower().endswith(".tflite"):
        import import_lce_tflite   # an LCE-converted .tflite: its own importer
        return import_lce_tflite.convert(model_path, out_path, labels, scale, offset, invert, resize, name)
    model = lk.load_model(model_path) if isinstance(model_path, (str, os.PathLike)) else model_path
    n_out = model.outputs[0].shape[-1]
    if labels is None:
        labels = [str(i) for i in range(int(n_out))]
    c = int(model.inputs[0].shape[-1]) if len(model.inputs[0].shape) == 4 else 0
    g = ff.GraphBuilder(name or model.name, labels, colour=c if c in (1, 3) else 3, resize=resize, invert=invert)
    cv = lk.Converter(model, g, scale, offset)
    try:
        cv.run()
    except ff.FormatError as e:
        raise lk.Unsupported("%s: %s" % (model.name, e))
    g.save(out_path)
    return g, cv


def main(argv=None):
    args = cli.parser(__doc__, "a Keras model (.h5, .keras, SavedModel directory) or an LCE .tflite",
                      "model name (default: the Keras model's)").parse_args(argv)
    if args.model.lower().endswith(".tflite"):    # LCE's .tflite: same flags, tools/import_lce_tflite.py
        import import_lce_tflite
        return import_lce_tflite.main(sys.argv[1:] if argv is None else argv)
    return cli.run(args, "import_larq", convert, (lk.Unsupported, ff.FormatError))


if __name__ == "__main__":
    sys.exit(main())

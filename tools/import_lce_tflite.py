#!/work/pyenv/bin/python
"""Import a .tflite written by Larq Compute Engine's converter into a .fbnn file.

    TF_USE_LEGACY_KERAS=1 build/pyenv/bin/python tools/import_lce_tflite.py MODEL.tflite OUT.fbnn \\
        [--labels a,b,c | --labels-file F] [--scale 1/255] [--offset 0] [--invert] [--resize 0|1|2]

(`tools/import_larq.py MODEL.tflite ...` runs this too.) Interpreter: the
PyPI venv made by scripts/setup_pyenv.sh; it reads the flatbuffer with
TensorFlow's generated TFLite schema and `flatbuffers` (tools/lce_tflite.py),
without importing TensorFlow, and never runs the model. The flags mean what
they mean for tools/import_larq.py: the .tflite's float32 input was fed
`x = u8 * scale + offset` (NHWC, per channel when a list is given); the .fbnn
takes the raw uint8 image and starts with those two float32 operations.

Mapped (models/FORMAT.md ops only):
- LceQuantize -> SIGN (+1 iff x >= 0, LCE's bit 0); LceDequantize -> nothing
  (the bits are kept; a float reader gets +-1 back exactly via a 1x1 KCONV);
- LceBconv2d: filter OHWI bitpacked (bit 1 = -1) or float; VALID, SAME with
  pad_values 0 (zero padding) or 1 (+1 padding), per-side TF padding, any
  stride; float output -> BCONV, the fused RELU/RELU6/RELU_N1_TO_1 clamp of
  the integer sum, AFFINE(post_activation_multiplier, post_activation_bias);
  bitpacked output (output_threshold tau: -1 iff the xor-popcount > tau) ->
  BCONV_THR with t = K*K*Ci - 2*tau (zero/no padding) or BCONV + AFFINE + SIGN
  (+1 padding); a float output read only through LceQuantize (directly or via
  max pools/reshapes) becomes integer thresholds computed from LCE's own
  output transform, so those sign decisions are LCE's;
- LceBMaxPool2d -> MAXPOOL on bits (TF's asymmetric SAME: on the float source);
- builtins: CONV_2D, DEPTHWISE_CONV_2D (RCONV), FULLY_CONNECTED (FC; BFC /
  BFC_THR when it reads +-1 values with +-m weights per row), ADD/SUB/MUL
  (tensor +- tensor, per-channel constants: ADD, AFFINE), MAX_POOL_2D,
  AVERAGE_POOL_2D (no padding), MEAN over H,W, RESHAPE/SQUEEZE (flatten),
  CONCATENATION (channels), PAD/PADV2 (into the next conv), RELU, RELU6,
  RELU_N1_TO_1, LEAKY_RELU, PRELU (per channel), fused activations, a final
  SOFTMAX (dropped: the file outputs logits), DEQUANTIZE of float16 weights.
Refused, with the op index, op name and tensor named (exit status 2): any
other op, int8-quantized models, grouped or dilated binary convs, TANH /
SIGN_BIT activations, broadcasting other than per channel, files that are not
a readable .tflite (foreign, truncated, damaged).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fbnn_format as ff  # noqa: E402
import import_cli as cli  # noqa: E402
import lce_tflite as lt  # noqa: E402
import lce_tflite_import as li  # noqa: E402

Unsupported = li.Unsupported


def convert(tflite, out_path, labels=None, scale=1.0 / 255.0, offset=0.0, invert=0, resize=0, name=None):
    """Import tflite (a path or the file's bytes) into out_path; returns (GraphBuilder, Converter)."""
    try:
        m = lt.read_tflite(tflite)
    except lt.TfliteError as e:
        raise Unsupported(str(e))
    if not m.outputs or not m.inputs:
        raise Unsupported("%s: no graph input/output" % m.path)
    out_shape = m.tensors[m.outputs[0]].shape
    n_out = int(out_shape[-1]) if out_shape else 0
    if labels is None:
        labels = [str(i) for i in range(n_out)]
    in_shape = m.tensors[m.inputs[0]].shape
    c = int(in_shape[-1]) if len(in_shape) == 4 else 0
    if name is None:
        name = os.path.splitext(os.path.basename(m.path))[0] if m.path != "<bytes>" else "lce_tflite"
    g = ff.GraphBuilder(name, labels, colour=c if c in (1, 3) else 3, resize=resize, invert=invert)
    cv = li.Converter(m, g, scale, offset)
    try:
        cv.run()
    except ff.FormatError as e:
        raise Unsupported("%s: %s" % (m.path, e))
    g.save(out_path)
    return g, cv


def main(argv=None):
    args = cli.parser(__doc__, "a .tflite written by larq_compute_engine.convert_keras_model",
                      "model name (default: the file name)").parse_args(argv)
    return cli.run(args, "import_lce_tflite", convert, (Unsupported, ff.FormatError, ValueError))


if __name__ == "__main__":
    sys.exit(main())

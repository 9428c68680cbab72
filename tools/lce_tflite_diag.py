"""Where an imported LCE .tflite and LCE's own interpreter part ways, per layer
(used by bench/lce_side_by_side.py --via tflite --diagnose and the tests).

Interpreter: the PyPI venv (larq-compute-engine 0.16; flatbuffers), with
tools/ on sys.path. For one image, LCE runs a copy of the .tflite whose graph
outputs are every float tensor the import kept as a REAL value plus every
LceQuantize input (the only difference to the original file is the output
list); the .fbnn runs in the float32 reference interpreter of
tools/fbnn_format.py (bit-exact with the C library). Each LceQuantize is
compared decision by decision, in execution order: the first one whose signs
differ is where the two engines part, and the magnitudes of LCE's values at
the flipped positions (against the tensor's largest) show whether those are
float ties (values that are zero up to rounding, which LCE and libfracbnn
compute in different summation orders) or a semantic difference.
"""
import numpy as np

import fbnn_format as ff
import lce_tflite as lt


def _with_outputs(tflite_bytes, outs):
    import flatbuffers
    S = lt.schema()
    root = (S.Model.GetRootAsModel if hasattr(S.Model, "GetRootAsModel") else S.Model.GetRootAs)(tflite_bytes, 0)
    mt = S.ModelT.InitFromObj(root)
    mt.subgraphs[0].outputs = list(outs)
    b = flatbuffers.Builder(0)
    b.Finish(mt.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _ref_values(fbnn_path, u8):
    m = ff.read_fbnn(fbnn_path)
    vals = {m.input_value: u8}
    for oi, (typ, ins, out, params, attrs) in enumerate(m.ops):
        r = ff._RefArgs([vals[i] for i in ins], None, oi)
        vals[out] = ff.BY_CODE[typ].ref(r.inputs[0], [m.tensors[q] for q in params], list(attrs), r)
    return vals


def _nchw(a, like):
    a = np.asarray(a)
    return a.transpose(0, 3, 1, 2) if a.ndim == 4 else a.reshape(like.shape)


def first_divergence(tflite_bytes, cv, fbnn_path, u8_one, keras_x_one):
    """Lines describing, for one image (u8 [1,C,H,W], its float input
    [1,H,W,C]), the first LceQuantize whose sign decisions differ."""
    import larq_compute_engine as lce
    m = cv.m
    quants = [op for op in m.ops if op.name == "LceQuantize" and m.tensors[op.inputs[0]].dtype == "FLOAT32"]
    srcs = [op.inputs[0] for op in quants if op.inputs[0] in cv.vals and cv.vals[op.inputs[0]].kind in ("real", "sign")]
    if not srcs:
        return ["    no LceQuantize on float values to compare"]
    it = lce.testing.Interpreter(_with_outputs(tflite_bytes, srcs), num_threads=1)
    got = it.predict(keras_x_one)
    got = got if isinstance(got, (list, tuple)) else [got]
    vals = _ref_values(fbnn_path, u8_one)
    for op, i, o in zip([q for q in quants if q.inputs[0] in srcs], srcs, got):
        val = cv.vals[i]
        f = vals[val.v]
        o = _nchw(o, f)
        ours = (f >= 0) if val.kind == "real" else (f > 0)
        theirs = ~(o < 0)
        diff = ours != theirs
        if diff.any():
            mag = np.abs(o[diff])
            lines = ["    first divergence: op %d (LceQuantize of '%s'): %d of %d sign decisions differ; "
                     "LCE's values there: |x| <= %.3g (the tensor's largest |x|: %.3g)"
                     % (op.index, m.tensors[i].name, int(diff.sum()), diff.size, float(mag.max()),
                        float(np.abs(o).max()))]
            if val.kind == "real":
                lines.append("      libfracbnn's values there: |x| <= %.3g; largest |LCE - libfracbnn| over the "
                             "tensor %.3g" % (float(np.abs(f[diff]).max()), float(np.abs(o - f).max())))
            return lines
    return ["    every LceQuantize decision agrees on this image (the logits differ only by rounding)"]

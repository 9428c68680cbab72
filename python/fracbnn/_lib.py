"""ctypes declarations of libfracbnn's public API (include/fracbnn/fracbnn.h).

The shared library is found, in this order, at
  1. the path in the environment variable FRACBNN_LIBRARY (a file);
  2. a libfracbnn.so bundled next to this file (``pip install`` of the source tree);
  3. the path CMake wrote into _config.py (build tree BUILD/python, or ``cmake --install``);
  4. the system's search (ctypes.util.find_library("fracbnn")).
Nothing here is mutable after import: the CDLL handle and its prototypes are
set once and only read afterwards.
"""
import ctypes
import ctypes.util
import os
import sys

c_size_t = ctypes.c_size_t
c_u32 = ctypes.c_uint32
c_i32 = ctypes.c_int32
c_u64 = ctypes.c_uint64


class Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * 256)]


class ModelInfo(ctypes.Structure):
    _fields_ = [(n, c_u32) for n in ("input_channels", "input_height", "input_width", "therm_resolution",
                                    "therm_bits", "num_classes", "num_ops", "resize_mode", "invert")] + \
               [("file_bytes", c_size_t), ("weight_bytes", c_size_t), ("context_bytes", c_size_t),
                ("name", ctypes.c_char_p)]


class LayerInfo(ctypes.Structure):
    _fields_ = [("op_name", ctypes.c_char_p)] + \
               [(n, c_u32) for n in ("in_kind", "in_c", "in_h", "in_w", "out_kind", "out_c", "out_h", "out_w")] + \
               [("k", c_i32), ("stride", c_i32), ("pad", c_i32), ("param_bytes", c_size_t)]


class ClassScore(ctypes.Structure):
    _fields_ = [("index", c_u32), ("label", ctypes.c_char_p), ("logit", ctypes.c_float),
                ("probability", ctypes.c_float)]


class RunStats(ctypes.Structure):
    _fields_ = [("pg_positions", c_u64), ("pg_gated", c_u64)]


class OpEvent(ctypes.Structure):
    _fields_ = [("op_index", c_u32), ("end", ctypes.c_int), ("pg_gated", c_u64), ("pg_positions", c_u64),
                ("fused", ctypes.c_int)]


OP_HOOK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(OpEvent))

#: fbnn_isa enum values by the names fbnn_context_isa() / FBNN_ISA use.
ISA = {"auto": 0, "scalar": 1, "popcnt": 2, "avx2": 3, "avx512": 4, "avx512bw": 5, "neon": 6, "swar": 7}


def _candidates():
    env = os.environ.get("FRACBNN_LIBRARY")
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("libfracbnn.so", "libfracbnn.dylib", "fracbnn.dll"):
        p = os.path.join(here, name)
        if os.path.exists(p):
            yield p
    try:
        from . import _config  # written by CMake (configure_file)
        if _config.LIBRARY:
            yield _config.LIBRARY
    except ImportError:
        pass
    found = ctypes.util.find_library("fracbnn")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("fracbnn: cannot load the libfracbnn shared library; tried: %s. Set FRACBNN_LIBRARY "
                      "to the path of libfracbnn.so" % ("; ".join(tried) or "nothing found"))


lib, LIBRARY_PATH = _load()

P = ctypes.POINTER
_vp = ctypes.c_void_p
_st = ctypes.c_int
for name, res, args in [
    ("fbnn_version", ctypes.c_char_p, []),
    ("fbnn_status_str", ctypes.c_char_p, [_st]),
    ("fbnn_model_load_file", _st, [ctypes.c_char_p, P(_vp), P(Error)]),
    ("fbnn_model_load_memory", _st, [_vp, c_size_t, P(_vp), P(Error)]),
    ("fbnn_model_free", None, [_vp]),
    ("fbnn_model_get_info", _st, [_vp, P(ModelInfo)]),
    ("fbnn_model_panel_bytes", c_size_t, [_vp]),
    ("fbnn_model_label", ctypes.c_char_p, [_vp, c_u32]),
    ("fbnn_model_layer", _st, [_vp, c_u32, P(LayerInfo)]),
    ("fbnn_context_create", _st, [_vp, P(_vp)]),
    ("fbnn_context_free", None, [_vp]),
    ("fbnn_run", _st, [_vp, _vp, c_size_t]),
    ("fbnn_logits", P(ctypes.c_float), [_vp, P(c_u32)]),
    ("fbnn_topk", _st, [_vp, c_u32, P(ClassScore)]),
    ("fbnn_last_run_stats", _st, [_vp, P(RunStats)]),
    ("fbnn_context_set_isa", _st, [_vp, ctypes.c_int]),
    ("fbnn_context_isa", ctypes.c_char_p, [_vp]),
    ("fbnn_context_set_threads", _st, [_vp, c_u32]),
    ("fbnn_context_threads", c_u32, [_vp]),
    ("fbnn_run_batch", _st, [_vp, _vp, c_size_t, c_size_t, P(ctypes.c_float)]),
    ("fbnn_context_set_fusion", _st, [_vp, ctypes.c_int]),
    ("fbnn_context_set_op_hook", _st, [_vp, OP_HOOK, _vp]),
]:
    f = getattr(lib, name)
    f.restype = res
    f.argtypes = args

STATUS_NAMES = ["OK", "ARG", "NOMEM", "IO", "TRUNCATED", "MAGIC", "VERSION", "CHECKSUM", "HEADER", "TENSOR",
                "VALUE", "OP", "SHAPE", "GRAPH", "META", "ALIGNMENT", "UNSUPPORTED", "BUFFER_SIZE", "INPUT",
                "LIMIT"]
STATUS = {("FBNN_ERR_" + n if i else "FBNN_OK"): i for i, n in enumerate(STATUS_NAMES)}
if sys.byteorder != "little":  # the format is little-endian; the library refuses with UNSUPPORTED itself
    pass

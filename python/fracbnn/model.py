"""Model and Context: the objects of the fracbnn package.

A Model is immutable after loading and may be shared by any number of
threads. A Context holds the activation memory (and optional worker
threads) of one runner; use one per thread (a Context refuses a second
thread that calls it while it runs). Model.run() and Model.topk() create a
Context per call, so they are safe from any thread. No module-level
mutable state exists.
"""
import ctypes
import threading
import time
import weakref

import numpy as np

from . import _lib
from .errors import FbnnError, InputError, check

_L = _lib.lib
_KINDS = {1: "u8", 2: "real", 3: "bits", 4: "q2"}


def library_version():
    """Version string of the loaded libfracbnn (fbnn_version())."""
    return _L.fbnn_version().decode()


def _isa_value(isa):
    if isinstance(isa, int) and not isinstance(isa, bool):
        if 0 <= isa < len(_lib.ISA):
            return isa
    elif isinstance(isa, str) and isa.lower() in _lib.ISA:
        return _lib.ISA[isa.lower()]
    raise InputError(_lib.STATUS["FBNN_ERR_ARG"],
                     "unknown ISA %r (one of %s)" % (isa, ", ".join(sorted(_lib.ISA, key=_lib.ISA.get))))


def _threads_value(threads):
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= int(threads) <= 256:
        raise InputError(_lib.STATUS["FBNN_ERR_ARG"], "threads must be an integer in 1..256, not %r" % (threads,))
    return int(threads)


class _Owned:
    """A library handle owned by a Python object: closed by close(), on
    garbage collection and at the end of a `with` block; `_kind` names it
    in the error raised after close()."""

    _kind = "object"

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _h(self):
        if self._handle is None:
            raise FbnnError(_lib.STATUS["FBNN_ERR_ARG"], "the %s is closed" % self._kind)
        return self._handle


class Model(_Owned):
    """A validated .fbnn model (fbnn_model).

    Model(path) loads a file; Model.from_bytes(data) loads from memory (the
    bytes are copied once into an aligned buffer the model keeps). Errors
    raise FbnnError with the library's status and message naming the defect.
    """

    _kind = "model"

    def __init__(self, path=None, *, _data=None):
        self._handle = None
        self._buffer = None
        self._contexts = weakref.WeakSet()
        err = _lib.Error()
        h = ctypes.c_void_p()
        if _data is None:
            if path is None:
                raise InputError(_lib.STATUS["FBNN_ERR_ARG"], "Model(path): path is None")
            p = str(path).encode() if not isinstance(path, bytes) else path
            s = _L.fbnn_model_load_file(p, ctypes.byref(h), ctypes.byref(err))
            self.source = str(path)
        else:
            n = len(_data)
            raw = ctypes.create_string_buffer(n + 64)  # zero-filled; align the start to 64 bytes
            off = (-ctypes.addressof(raw)) % 64
            ctypes.memmove(ctypes.addressof(raw) + off, _data, n)
            self._buffer = raw
            s = _L.fbnn_model_load_memory(ctypes.addressof(raw) + off, n, ctypes.byref(h), ctypes.byref(err))
            self.source = "<%d bytes>" % n
        if s != 0:
            self._buffer = None
            raise FbnnError(s, err.message.decode(errors="replace") or None)
        self._handle = h
        info = _lib.ModelInfo()
        check(_L.fbnn_model_get_info(h, ctypes.byref(info)), "fbnn_model_get_info")
        self._info = info
        self.name = info.name.decode(errors="replace") if info.name else ""
        self.num_classes = int(info.num_classes)
        self.input_shape = (int(info.input_channels), int(info.input_height), int(info.input_width))
        self.labels = tuple((_L.fbnn_model_label(h, i) or b"").decode(errors="replace")
                            for i in range(self.num_classes))
        self.image_bytes = int(np.prod(self.input_shape))

    @classmethod
    def from_bytes(cls, data):
        """Load a model from bytes / bytearray / memoryview (the whole .fbnn file)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InputError(_lib.STATUS["FBNN_ERR_ARG"], "from_bytes needs bytes, not %s" % type(data).__name__)
        return cls(_data=bytes(data))

    # --- lifetime -------------------------------------------------------
    def close(self):
        """Free the model and every Context made from it (idempotent)."""
        for c in list(self._contexts):
            c.close()
        if self._handle is not None:
            _L.fbnn_model_free(self._handle)
            self._handle = None
        self._buffer = None


    def __repr__(self):
        return "fracbnn.Model(%r, input %s, %d classes)" % (self.name, self.input_shape, self.num_classes)

    # --- description ----------------------------------------------------
    def layers(self):
        """One dict per op (fbnn_model_layer): op, in/out kind and shape, k, stride, pad, param_bytes."""
        out = []
        for i in range(self._info.num_ops):
            li = _lib.LayerInfo()
            check(_L.fbnn_model_layer(self._h(), i, ctypes.byref(li)), "fbnn_model_layer")
            out.append({"index": i, "op": li.op_name.decode(), "in_kind": _KINDS.get(li.in_kind, li.in_kind),
                        "in_shape": (li.in_c, li.in_h, li.in_w), "out_kind": _KINDS.get(li.out_kind, li.out_kind),
                        "out_shape": (li.out_c, li.out_h, li.out_w), "k": li.k, "stride": li.stride,
                        "pad": li.pad, "param_bytes": int(li.param_bytes)})
        return out

    def info(self):
        """The model's description (fbnn_model_get_info) as a dict, with its layers."""
        i = self._info
        return {"name": self.name, "input_shape": self.input_shape, "num_classes": self.num_classes,
                "labels": list(self.labels), "therm_resolution": i.therm_resolution, "therm_bits": i.therm_bits,
                "num_ops": i.num_ops, "resize_mode": ("shorter-side+centre-crop", "stretch")[i.resize_mode]
                if i.resize_mode < 2 else int(i.resize_mode), "invert": bool(i.invert),
                "file_bytes": int(i.file_bytes), "weight_bytes": int(i.weight_bytes),
                "context_bytes": int(i.context_bytes),
                # weight copies the loader made for the SIMD kernels (fbnn_model_panel_bytes)
                "panel_bytes": int(_L.fbnn_model_panel_bytes(self._h())),
                "library": library_version(), "layers": self.layers()}

    def available_isas(self):
        """Names of the kernel sets this CPU and this build support (each gives identical results)."""
        with self.context() as c:
            names = []
            for name, v in sorted(_lib.ISA.items(), key=lambda t: t[1]):
                if v and _L.fbnn_context_set_isa(c._h(), v) == 0:
                    names.append(name)
            return names

    # --- running --------------------------------------------------------
    def context(self, threads=1, isa="auto", fusion=True):
        """A Context (activation memory, worker threads) for repeated runs from one thread."""
        return Context(self, threads=threads, isa=isa, fusion=fusion)

    def run(self, images, threads=1, isa="auto"):
        """Logits (float32 [N, classes]) of uint8 images [N, C, H, W] or [C, H, W] (C-contiguous).

        With threads > 1 whole images are spread over the threads (one
        image: its layers are); results are bit-identical for every count
        and every ISA.
        """
        with self.context(threads=threads, isa=isa) as c:
            return c.run(images)

    def topk(self, images, k=5, threads=1, isa="auto"):
        """Best k classes per image, best first (ties: lower index first), as lists of
        (index, label, probability) tuples; probabilities are the softmax over all
        classes computed in float64 (as fbnn_topk). One image [C, H, W] gives one list."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InputError(_lib.STATUS["FBNN_ERR_ARG"], "k must be a positive integer, not %r" % (k,))
        single = isinstance(images, np.ndarray) and images.ndim == 3
        logits = self.run(images, threads=threads, isa=isa)
        k = min(int(k), self.num_classes)
        res = []
        for row in logits:
            d = row.astype(np.float64)
            e = np.exp(d - d.max())
            p = e / e.sum()
            order = np.argsort(-d, kind="stable")[:k]
            res.append([(int(j), self.labels[j], float(np.float32(p[j]))) for j in order])
        return res[0] if single else res

    def profile(self, image, repeat=10, isa="auto", fusion=False):
        """Per-op wall times of fbnn_run() on one image (an op hook reads the clock).

        Returns a list of dicts (index, op, out_shape, seconds = median over
        `repeat` runs, fused). With fusion off (the default) every op is timed
        on its own; with fusion on, ops fused into an earlier op report 0.
        """
        if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)) or repeat < 1:
            raise InputError(_lib.STATUS["FBNN_ERR_ARG"], "repeat must be a positive integer")
        n = int(self._info.num_ops)
        times = np.zeros((int(repeat), n))
        fused = [False] * n
        start = [0] * n
        row = [0]

        def hook(_user, ev):
            e = ev.contents
            t = time.perf_counter_ns()
            if not e.end:
                start[e.op_index] = t
            else:
                times[row[0], e.op_index] = (t - start[e.op_index]) * 1e-9
                fused[e.op_index] = bool(e.fused)

        cb = _lib.OP_HOOK(hook)
        with self.context(isa=isa, fusion=fusion) as c:
            check(_L.fbnn_context_set_op_hook(c._h(), cb, None), "fbnn_context_set_op_hook")
            img = c._images(image)
            if img.shape[0] != 1:
                raise InputError(_lib.STATUS["FBNN_ERR_INPUT"], "profile takes one image [C, H, W]")
            for r in range(int(repeat)):
                row[0] = r
                c._run_one(img)
            used_isa = c.isa
        med = np.median(times, axis=0)
        lay = self.layers()
        return [{"index": i, "op": lay[i]["op"], "out_shape": lay[i]["out_shape"], "seconds": float(med[i]),
                 "fused": fused[i], "isa": used_isa} for i in range(n)]


class Context(_Owned):
    """Inference memory of one runner (fbnn_context): threads, ISA, fusion.

    Use it from one thread at a time; a concurrent call from another thread
    raises FbnnError instead of racing.
    """

    _kind = "context"

    def __init__(self, model, threads=1, isa="auto", fusion=True):
        self.model = model
        self._handle = None
        self._busy = threading.Lock()
        h = ctypes.c_void_p()
        check(_L.fbnn_context_create(model._h(), ctypes.byref(h)), "fbnn_context_create")
        self._handle = h
        model._contexts.add(self)
        try:
            self.set_threads(threads)
            self.set_isa(isa)
            check(_L.fbnn_context_set_fusion(h, 1 if fusion else 0), "fbnn_context_set_fusion")
        except Exception:
            self.close()
            raise

    def close(self):
        """Free the context (idempotent)."""
        if self._handle is not None:
            _L.fbnn_context_free(self._handle)
            self._handle = None


    @property
    def isa(self):
        """Name of the kernel set in use ("scalar", "popcnt", "avx2", "avx512-vpopcntdq", ...)."""
        return _L.fbnn_context_isa(self._h()).decode()

    @property
    def threads(self):
        return int(_L.fbnn_context_threads(self._h()))

    def set_isa(self, isa):
        """Select a kernel set by name ("auto", "scalar", "popcnt", "avx2", "avx512", "avx512bw", "neon", "swar")."""
        v = _isa_value(isa)
        s = _L.fbnn_context_set_isa(self._h(), v)
        if s != 0:
            raise FbnnError(s, "ISA %r is not available on this CPU or in this build" % (isa,))

    def set_threads(self, threads):
        n = _threads_value(threads)
        s = _L.fbnn_context_set_threads(self._h(), n)
        if s != 0:
            raise FbnnError(s, "%d threads are not supported by this build" % n)

    def _images(self, images):
        m = self.model
        if not isinstance(images, np.ndarray):
            raise InputError(_lib.STATUS["FBNN_ERR_INPUT"],
                             "images must be a numpy.ndarray of uint8, not %s" % type(images).__name__)
        if images.dtype != np.uint8:
            raise InputError(_lib.STATUS["FBNN_ERR_INPUT"],
                             "images must have dtype uint8, not %s (convert pixels 0..255 with .astype(np.uint8))"
                             % images.dtype)
        if images.ndim == 3:
            images = images[np.newaxis]
        if images.ndim != 4 or tuple(images.shape[1:]) != m.input_shape:
            raise InputError(_lib.STATUS["FBNN_ERR_INPUT"],
                             "images must have shape [N, %d, %d, %d] or [%d, %d, %d] (planar C, H, W), not %s"
                             % (m.input_shape + m.input_shape + (tuple(images.shape),)))
        if not images.flags["C_CONTIGUOUS"]:
            raise InputError(_lib.STATUS["FBNN_ERR_INPUT"],
                             "images must be C-contiguous (use numpy.ascontiguousarray)")
        return images

    def _run_one(self, img):
        check(_L.fbnn_run(self._h(), img.ctypes.data, img.nbytes), "fbnn_run")

    def run(self, images):
        """Logits float32 [N, classes] of uint8 [N, C, H, W] or [C, H, W] (see Model.run)."""
        img = self._images(images)
        out = np.empty((img.shape[0], self.model.num_classes), dtype=np.float32)
        if img.shape[0] == 0:
            return out
        if not self._busy.acquire(blocking=False):
            raise FbnnError(_lib.STATUS["FBNN_ERR_ARG"], "this Context is running in another thread; "
                            "use one Context per thread (Model.run makes its own)")
        try:
            s = _L.fbnn_run_batch(self._h(), img.ctypes.data, self.model.image_bytes, img.shape[0],
                                  out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        finally:
            self._busy.release()
        check(s, "fbnn_run_batch")
        return out

    def topk(self, image, k=5):
        """fbnn_run + fbnn_topk on one image: [(index, label, logit, probability)], best first."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InputError(_lib.STATUS["FBNN_ERR_ARG"], "k must be a positive integer, not %r" % (k,))
        img = self._images(image)
        if img.shape[0] != 1:
            raise InputError(_lib.STATUS["FBNN_ERR_INPUT"], "Context.topk takes one image [C, H, W]")
        k = min(int(k), self.model.num_classes)
        top = (_lib.ClassScore * k)()
        if not self._busy.acquire(blocking=False):
            raise FbnnError(_lib.STATUS["FBNN_ERR_ARG"], "this Context is running in another thread")
        try:
            self._run_one(img)
            check(_L.fbnn_topk(self._h(), k, top), "fbnn_topk")
        finally:
            self._busy.release()
        return [(int(t.index), (t.label or b"").decode(), float(t.logit), float(t.probability)) for t in top]

    def last_run_stats(self):
        """PG statistics of the last run: {"pg_positions", "pg_gated"}."""
        st = _lib.RunStats()
        check(_L.fbnn_last_run_stats(self._h(), ctypes.byref(st)), "fbnn_last_run_stats")
        return {"pg_positions": int(st.pg_positions), "pg_gated": int(st.pg_gated)}

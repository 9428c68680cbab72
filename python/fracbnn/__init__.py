"""fracbnn: Python interface to libfracbnn, a C99 inference library for binary neural networks.

    import numpy as np, fracbnn
    m = fracbnn.Model("models/cifar10_fracbnn.fbnn")
    logits = m.run(images_u8_nchw, threads=2)      # float32 [N, classes]
    top = m.topk(images_u8_nchw[0], k=3)          # [[(index, label, probability), ...]]

The package calls the shared library through ctypes (no compiler needed); the
GIL is released during every library call. See docs/PYTHON.md.
"""
from ._lib import LIBRARY_PATH, ISA  # noqa: F401
from .errors import FbnnError, InputError, status_str, status_name  # noqa: F401
from .model import Model, Context, library_version  # noqa: F401

__version__ = library_version()
__all__ = ["Model", "Context", "FbnnError", "InputError", "status_str", "status_name", "library_version",
           "ISA", "LIBRARY_PATH"]

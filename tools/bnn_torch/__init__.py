"""BinaryNet- and XNOR-Net-style layers and models (issue 18, part A).

Forward semantics follow models/FORMAT.md (sign: x >= 0 -> +1; binary
weights: w > 0 -> +1), so a trained model folds exactly into the binary ops
bconv / bconv_thr / bfc / bfc_thr (see export.py).
"""
from .layers import SignSTE, sign_ste, BinConv2d, BinLinear  # noqa: F401
from .models import BinaryNetFM, XnorNetFM  # noqa: F401

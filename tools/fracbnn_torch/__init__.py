"""PyTorch training modules for FracBNN models exportable to .fbnn.

Run with /usr/bin/python3 (the interpreter that has torch and numpy).

    from fracbnn_torch import FracResNet, folded_params
"""
from .layers import (thermometer, thermometer_levels, QuantSign2, quant2, binarize,  # noqa: F401
                     Thermometer, BinaryConv2d, PGBinaryConv2d, RPReLU, LearnableBias,
                     F32_TWO_THIRDS)
from .model import FracResNet, BasicBlock, fold_bn, folded_params, exact_forward  # noqa: F401

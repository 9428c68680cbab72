"""PyTorch training modules for FracBNN models exportable to .fbnn.

Run with /usr/bin/python3 (the interpreter that has torch and numpy).

    from fracbnn_torch import FracResNet, folded_params
"""
from .layers import (thermometer, thermometer_levels, QuantSign2, quant2, binarize,  # noqa: F401
                     Thermometer, BinaryConv2d, PGBinaryConv2d, RPReLU, LearnableBias,
                     F32_TWO_THIRDS)
from .model import FracResNet, BasicBlock, fold_bn, folded_params, exact_forward  # noqa: F401
from .mobile import FracMobileNet  # noqa: F401,E402


def model_from_config(cfg):
    """The untrained network a checkpoint's "config" describes (the `config`
    of the model that wrote it: FracMobileNet's carries arch="mobile", its
    other keys being the constructor's; FracResNet's has no arch)."""
    if cfg.get("arch") == "mobile":
        return FracMobileNet(**{k: v for k, v in cfg.items() if k != "arch"})
    return FracResNet(cfg["in_ch"], cfg["in_hw"], cfg["num_classes"], cfg["width"], cfg["blocks"],
                      cfg["resolution"], cfg["threshold_init"])

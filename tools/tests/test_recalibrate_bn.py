"""tools/fracbnn_torch/recalibrate_bn.py on a small mobile checkpoint (interpreter:
/usr/bin/python3). Reads Fashion-MNIST's training split only (the tool's contract)."""
import os

import pytest
import torch

from fracbnn_torch.data import FMNIST_DIR
from fracbnn_torch import model_from_config, recalibrate_bn as rb
from fracbnn_torch.mobile import FracMobileNet

pytestmark = pytest.mark.skipif(not os.path.isdir(FMNIST_DIR), reason="Fashion-MNIST not installed")

CFG = dict(arch="mobile", in_ch=1, in_hw=28, num_classes=10, stem_out=8, stem_stride=1,
           blocks=[[8, 16, 2], [16, 16, 1]], resolution=8, threshold_init=-1.0)


def test_mobile_checkpoint_bn_stats_recomputed_weights_kept(tmp_path, capsys):
    torch.manual_seed(0)
    model = model_from_config(CFG)
    assert isinstance(model, FracMobileNet) and model.config == CFG
    model.set_phase(3)
    sd = model.state_dict()
    inp, out = str(tmp_path / "in.pt"), str(tmp_path / "out.pt")
    torch.save({"model": sd, "config": CFG, "phase": 3}, inp)
    rb.main(["recalibrate_bn.py", inp, out, "--images", "600", "--batch", "300"])
    assert "after BN recalibration on 600 training images" in capsys.readouterr().out
    ck = torch.load(out, map_location="cpu", weights_only=False)
    assert ck["config"] == CFG and ck["phase"] == 3
    assert ck["bn_recalibration"]["images"] == 600
    new = ck["model"]
    assert set(new) == set(sd)
    moved = 0
    for k, v in sd.items():
        if k.endswith(("running_mean", "running_var")):
            # fresh statistics: a newly built model's defaults are 0 / 1
            moved += int(not torch.equal(v, new[k]))
        elif not k.endswith("num_batches_tracked"):
            assert torch.equal(v, new[k]), k   # weights, thresholds, BN affine untouched
    assert moved >= 8

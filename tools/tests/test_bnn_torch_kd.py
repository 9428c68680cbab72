"""Knowledge distillation in the BNN-family trainer (bnn_torch.train --teacher,
--kd-weight, --kd-temp), on 256 training images so that a run takes seconds."""
import os

import numpy as np
import pytest
import torch

import bnn_torch.train as bt


@pytest.fixture
def small_split(monkeypatch):
    """train_val_split cut to 256 training and 64 validation images."""
    g = np.random.RandomState(0)
    x = g.randint(0, 256, size=(320, 1, 28, 28)).astype(np.uint8)
    y = g.randint(0, 10, size=320).astype(np.int64)
    monkeypatch.setattr(bt, "train_val_split", lambda n_val: (x[:256], y[:256], x[256:], y[256:]))


def _run(tmp_path, name, *extra):
    out = os.path.join(str(tmp_path), name)
    bt.main(["--kind", "binarynet", "--epochs", "1", "--lr", "1e-3", "--ste", "approxsign", "--out", out,
             "--widths", "8,8,8", "--hidden", "16"] + list(extra))
    return torch.load(os.path.join(out, "final.pt"))


def _same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def test_kd_weight_zero_is_the_plain_run_and_loads_no_teacher(tmp_path, small_split):
    plain = _run(tmp_path, "plain")
    # a teacher path that does not exist: with A = 0 it must not be read
    zero = _run(tmp_path, "zero", "--teacher", "/nonexistent/teacher.pt", "--kd-weight", "0")
    assert _same(plain["model"], zero["model"])
    assert zero["args"]["kd_weight"] == 0.0


def test_distillation_changes_the_run_and_leaves_the_teacher_alone(tmp_path, small_split):
    twin = _run(tmp_path, "twin", "--float-act")
    tpath = os.path.join(str(tmp_path), "twin", "final.pt")
    before = {k: v.clone() for k, v in torch.load(tpath)["model"].items()}
    plain = _run(tmp_path, "plain")
    kd = _run(tmp_path, "kd", "--teacher", tpath, "--kd-weight", "0.5", "--kd-temp", "4")
    assert not _same(plain["model"], kd["model"])
    assert kd["args"]["teacher"] == tpath and kd["args"]["kd_temp"] == 4.0
    assert _same(before, torch.load(tpath)["model"])
    t = bt.load_bnn_teacher(tpath)
    assert not t.training and not any(p.requires_grad for p in t.parameters())
    assert t.config == twin["config"] and t.config["binary_act"] is False
    # A = 1 with T = 1: the loss is the KL to the teacher alone, still a different run
    kd1 = _run(tmp_path, "kd1", "--teacher", tpath, "--kd-weight", "1", "--kd-temp", "1")
    assert not _same(kd["model"], kd1["model"])


def test_teacher_loading_keeps_the_callers_random_state(tmp_path, small_split):
    _run(tmp_path, "twin", "--float-act")
    torch.manual_seed(7)
    a = torch.rand(4)
    torch.manual_seed(7)
    bt.load_bnn_teacher(os.path.join(str(tmp_path), "twin", "final.pt"))
    assert torch.equal(a, torch.rand(4))


@pytest.mark.parametrize("extra", [["--kd-weight", "0.5"], ["--teacher", "x.pt", "--kd-weight", "1.5"],
                                   ["--teacher", "x.pt", "--kd-weight", "0.5", "--kd-temp", "0"]])
def test_bad_distillation_arguments_are_refused(tmp_path, small_split, extra):
    with pytest.raises(SystemExit):
        _run(tmp_path, "bad", *extra)

"""Knowledge distillation in the Fashion-MNIST trainer (--teacher, --kd-weight, --kd-temp)."""
import pytest
import torch
import torch.nn.functional as F

import train_fashion_mnist as tr
import train_fmnist_teacher as trt
from fracbnn_torch.teacher import load_teacher


def _logits(seed, n=6, k=10, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g) * scale


def test_kd_weight_zero_is_cross_entropy_exactly():
    s, t = _logits(1), _logits(2)
    y = torch.tensor([0, 3, 9, 1, 1, 7])
    total, ce, kl = tr.kd_loss(s, t, y, 0.0, 4.0)
    assert torch.equal(total, F.cross_entropy(s, y))
    assert torch.equal(ce, F.cross_entropy(s, y))
    assert float(kl) > 0


def test_kl_term_zero_iff_student_matches_teacher():
    s = _logits(3)
    y = torch.tensor([2, 2, 5, 0, 8, 4])
    _, _, kl_same = tr.kd_loss(s, s.clone(), y, 0.5, 4.0)
    assert abs(float(kl_same)) < 1e-6
    _, _, kl_diff = tr.kd_loss(s, _logits(4), y, 0.5, 4.0)
    assert float(kl_diff) > 1e-3
    # shifting all logits of a row by a constant does not change the softmax
    _, _, kl_shift = tr.kd_loss(s, s + 5.0, y, 0.5, 4.0)
    assert abs(float(kl_shift)) < 1e-5


@pytest.mark.parametrize("a,temp", [(0.5, 4.0), (0.3, 2.0), (1.0, 1.0)])
def test_kd_loss_matches_the_formula(a, temp):
    """(1-A)*CE + A*T^2*KL(softmax(t/T) || softmax(s/T)), KL summed over classes and
    averaged over the batch; the direction matters (KL(s || t) differs)."""
    s, t = _logits(5), _logits(6)
    y = torch.tensor([1, 0, 4, 4, 9, 3])
    pt = torch.softmax(t.double() / temp, 1)
    ps = torch.softmax(s.double() / temp, 1)
    kl_ref = (pt * (pt.log() - ps.log())).sum(1).mean()
    kl_rev = (ps * (ps.log() - pt.log())).sum(1).mean()
    assert abs(float(kl_ref - kl_rev)) > 1e-3        # the test can tell the directions apart
    ce_ref = F.cross_entropy(s.double(), y)
    ref = (1 - a) * ce_ref + a * temp * temp * kl_ref
    total, ce, kl = tr.kd_loss(s, t, y, a, temp)
    assert abs(float(kl) - float(kl_ref)) < 1e-5 * max(1.0, float(kl_ref))
    assert abs(float(total) - float(ref)) < 1e-5 * max(1.0, float(ref))
    # the gradient reaches the student only
    s2 = s.clone().requires_grad_(True)
    t2 = t.clone().requires_grad_(True)
    tr.kd_loss(s2, t2.detach(), y, a, temp)[0].backward()
    assert s2.grad is not None and float(s2.grad.abs().sum()) > 0


def test_inconsistent_options_refused():
    with pytest.raises(SystemExit):
        tr.main(["--kd-weight", "0.5"])
    with pytest.raises(SystemExit):
        tr.main(["--teacher", "x.pt"])


MOBILE = ["--arch", "mobile", "--stem-out", "8", "--stem-stride", "1",
          "--mobile-blocks", "8:16:2,16:16:1", "--epochs", "1,1,1", "--train-subset", "256",
          "--batch", "128", "--val", "64", "--log-every", "1000", "--threads", "2",
          "--pad", "1", "--no-flip", "--threshold-init", "-1.0"]


def _teacher(tmp_path, name, seed):
    tk = trt.main(["--out", str(tmp_path / name), "--widths", "8,8,16", "--epochs", "1", "--seed", str(seed),
                   "--train-subset", "256", "--val", "64", "--threads", "2", "--log-every", "1000"])
    assert 0.0 <= tk["val_acc"] <= 1.0
    return str(tmp_path / name / "teacher.pt")


def test_teacher_run_executes_and_distils(tmp_path, monkeypatch):
    tpath = _teacher(tmp_path, "t", 0)
    t = load_teacher(tpath)
    assert not t.training and all(not p.requires_grad for p in t.parameters())
    before = {k: v.clone() for k, v in t.state_dict().items()}
    loaded = []

    def spy(path):
        m = load_teacher(path)
        loaded.append(m)
        return m
    monkeypatch.setattr(tr, "load_teacher", spy)

    kd = tr.main(MOBILE + ["--out", str(tmp_path / "kd"), "--teacher", tpath,
                           "--kd-weight", "0.5", "--kd-temp", "4"])
    # the teacher stayed in eval mode: its BN statistics did not move during the run
    assert len(loaded) == 1 and not loaded[0].training
    for k, v in loaded[0].state_dict().items():
        assert torch.equal(v, before[k]), k
    assert kd["phase"] == 3 and 0.0 <= kd["val_acc_exact"] <= 1.0
    assert kd["args"]["teacher"] == tpath and kd["args"]["kd_weight"] == 0.5
    plain = tr.main(MOBILE + ["--out", str(tmp_path / "plain")])
    # same seeds, same batches: the weights differ only through the KD term
    assert any(not torch.equal(kd["model"][k], plain["model"][k]) for k in plain["model"]
               if plain["model"][k].is_floating_point())
    # a different teacher gives a different student (the teacher's logits reach the loss)
    kd2 = tr.main(MOBILE + ["--out", str(tmp_path / "kd2"), "--teacher", _teacher(tmp_path, "t2", 1),
                            "--kd-weight", "0.5", "--kd-temp", "4"])
    assert any(not torch.equal(kd["model"][k], kd2["model"][k]) for k in kd["model"]
               if kd["model"][k].is_floating_point())

"""The trainer's per-epoch checkpoints resume to the same result as an uninterrupted run."""
import torch

import train_fashion_mnist as tr

ARGS = ["--width", "4", "--blocks", "1,1,1", "--epochs", "1,2,1", "--train-subset", "64",
        "--batch", "32", "--val", "64", "--log-every", "1000", "--threads", "2"]


def test_resume_reproduces_uninterrupted_run(tmp_path):
    a = tr.main(ARGS + ["--out", str(tmp_path / "a")])
    assert tr.main(ARGS + ["--out", str(tmp_path / "b"), "--stop-after", "2"]) is None
    ck = torch.load(str(tmp_path / "b" / "ckpt.pt"))
    assert ck["epoch"] == 2 and ck["phase"] == 2 and ck["step"] == 4 and "optimizer" in ck
    b = tr.main(ARGS + ["--out", str(tmp_path / "b"), "--resume"])
    assert a["phase"] == b["phase"] == 3
    for k in a["model"]:
        assert torch.equal(a["model"][k], b["model"][k]), k

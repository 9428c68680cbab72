#!/usr/bin/python3
"""Top-1 of the libfracbnn ImageNet model vs the authors' own PyTorch forward.

  /usr/bin/python3 tests/compare_authors_imagenet.py AUTHORS_GIT_DIR TESTDIR

AUTHORS_GIT_DIR is a git directory of cornell-zhang/FracBNN (BSD-3); its
model/fracbnn_imagenet.py and utils/quantization.py are extracted with
`git show` into a temporary directory and imported at run time only (no code
of theirs is in this repository). TESTDIR is the output of
tools/make_imagenet_testmodel.py (ckpt.pt with the authors' key layout,
golden_inputs.u8, golden_logits.f32 = the toolkit's float32 reference, which
tests/test_golden_dir.c shows the C library reproduces bit for bit).

Their constructor builds a torchvision ResNet-50 teacher with downloaded
weights; torchvision is not needed here, so a stub `torchvision` module
supplies a teacher that returns zeros (the teacher only feeds the
distillation loss, never the student's logits). Their input is the
ImageNet-normalised float image; it is made from the same uint8 pixels with
torchvision's constants, and their model de-normalises it back.
Prints the per-image top-1 of both and the agreement.
"""
import os
import subprocess
import sys
import tempfile
import types

import numpy as np
import torch
import torch.nn as nn


def extract(git_dir, dst):
    for path in ("model/fracbnn_imagenet.py", "utils/quantization.py"):
        txt = subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:" + path], check=True,
                             capture_output=True).stdout
        os.makedirs(os.path.join(dst, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(dst, path), "wb") as f:
            f.write(txt)
    for d in ("model", "utils"):
        open(os.path.join(dst, d, "__init__.py"), "w").close()


class _ZeroTeacher(nn.Module):
    def forward(self, x):
        return torch.zeros(x.shape[0], 1000)


def stub_torchvision():
    tv = types.ModuleType("torchvision")
    tv.models = types.SimpleNamespace(resnet50=lambda pretrained=False, **kw: _ZeroTeacher())
    sys.modules["torchvision"] = tv


def main(git_dir, testdir):
    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="fracbnn_authors_")
    extract(git_dir, tmp)
    stub_torchvision()
    sys.path.insert(0, tmp)
    from model.fracbnn_imagenet import ReActNet   # the authors' code, imported at test time
    net = ReActNet(batch_size=1, num_gpus=1)
    ck = torch.load(os.path.join(testdir, "ckpt.pt"), map_location="cpu", weights_only=False)
    sd = {k[7:] if k.startswith("module.") else k: v for k, v in ck["state_dict"].items()}
    sd = {k: v for k, v in sd.items() if not k.startswith("teacher.") and k != "encoder.placeholder"}
    missing, unexpected = net.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.startswith("teacher.") and k != "encoder.placeholder"]
    if missing or unexpected:
        raise SystemExit("state_dict does not fit the authors' model: missing %s unexpected %s"
                         % (missing[:5], unexpected[:5]))
    net.eval()
    with open(os.path.join(testdir, "golden.txt")) as f:
        n, c, h, w, classes = (int(v) for v in f.read().split())
    x = np.fromfile(os.path.join(testdir, "golden_inputs.u8"), dtype=np.uint8).reshape(n, c, h, w)
    ours = np.fromfile(os.path.join(testdir, "golden_logits.f32"), dtype="<f4").reshape(n, classes)
    names = []
    pf = os.path.join(testdir, "photos.txt")
    if os.path.exists(pf):
        names = [l.strip() for l in open(pf) if l.strip()]
    names += ["random%d" % i for i in range(n - len(names))]
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, -1, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, -1, 1, 1)
    agree = 0
    with torch.no_grad():
        for i in range(n):
            xi = (torch.from_numpy(x[i:i + 1]).float() / 255.0 - mean) / std
            theirs, _ = net(xi)
            t1, o1 = int(theirs.argmax()), int(ours[i].argmax())
            agree += t1 == o1
            srt = np.sort(ours[i])
            print("%-24s ours %4d  authors %4d  %s  (our top-2 margin %.4f)" % (
                names[i], o1, t1, "agree" if t1 == o1 else "DIFFER", srt[-1] - srt[-2]))
    print("top-1 agreement with the authors' PyTorch forward: %d/%d" % (agree, n))
    return agree, n


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

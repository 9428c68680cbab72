#!/usr/bin/python3
"""Train the FracBNN ImageNet network with the paper's three-step recipe.

  /usr/bin/python3 tools/train_imagenet.py --train DIR/train --val DIR/val --out out/imagenet
        [--epochs 40,40,40] [--lr 5e-4,5e-4,5e-4] [--batch 256] [--workers 8] [--threads N]
        [--teacher resnet50] [--resume]

  step 1: 2-bit activations (Q2), float weights
  step 2: binary weights (w > 0 -> +1, STE), PG gate off (full 2-bit conv)
  step 3: PG convs with learnable thresholds (gate on)

DIR/train and DIR/val are ImageFolder trees (one sub-directory per class,
JPEG/PNG files inside; classes sorted by name = the usual ImageNet index
order). Images are decoded with PIL into uint8 (the model does its own
thermometer encoding): training uses a random resized crop (scale 0.08-1,
ratio 3/4-4/3) to 224 and horizontal flips, validation the authors'
"shorter side 256, centre crop 224". Adam, cosine LR per step, weight decay
1e-5 (the authors' imagenet.py uses Adam 5e-4, wd 1e-5, 120 epochs, KL
distillation from a ResNet-50). With --teacher resnet50 (needs torchvision
and its pretrained weights) the loss is that KL divergence; otherwise cross
entropy. A checkpoint is written after every epoch (OUT/ckpt.pt, --resume
continues); OUT/final.pt is the input of
`tools/convert_official.py --imagenet` (its 'state_dict' has the authors'
key layout). --in-hw/--blocks/--stem-out/--limit shrink everything for tests.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fracbnn_torch.mobile import FracMobileNet  # noqa: E402

EXT = (".jpg", ".jpeg", ".png", ".JPEG")


class ImageFolderU8(torch.utils.data.Dataset):
    def __init__(self, root, hw, train, limit=0):
        self.classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        self.items = []
        for ci, c in enumerate(self.classes):
            for f in sorted(os.listdir(os.path.join(root, c))):
                if f.endswith(EXT):
                    self.items.append((os.path.join(root, c, f), ci))
        if limit:
            self.items = self.items[:limit]
        if not self.items:
            raise SystemExit("no images under %s" % root)
        self.hw, self.train = hw, train

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        from PIL import Image
        path, y = self.items[i]
        im = Image.open(path).convert("RGB")
        w, h = im.size
        hw = self.hw
        if self.train:
            for _ in range(10):
                area = w * h * np.random.uniform(0.08, 1.0)
                ar = math.exp(np.random.uniform(math.log(3 / 4), math.log(4 / 3)))
                cw, ch = int(round(math.sqrt(area * ar))), int(round(math.sqrt(area / ar)))
                if 0 < cw <= w and 0 < ch <= h:
                    x0, y0 = np.random.randint(0, w - cw + 1), np.random.randint(0, h - ch + 1)
                    break
            else:
                cw = ch = min(w, h)
                x0, y0 = (w - cw) // 2, (h - ch) // 2
            im = im.resize((hw, hw), Image.BILINEAR, box=(x0, y0, x0 + cw, y0 + ch))
            if np.random.rand() < 0.5:
                im = im.transpose(Image.FLIP_LEFT_RIGHT)
        else:
            s = (hw * 8.0 / 7.0) / min(w, h)
            im = im.resize((max(hw, round(w * s)), max(hw, round(h * s))), Image.BILINEAR)
            w, h = im.size
            l, t = (w - hw) // 2, (h - hw) // 2
            im = im.crop((l, t, l + hw, t + hw))
        return torch.from_numpy(np.asarray(im, dtype=np.uint8).transpose(2, 0, 1).copy()), y


def parse(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--out", default="out/imagenet")
    ap.add_argument("--epochs", default="40,40,40")
    ap.add_argument("--lr", default="5e-4,5e-4,5e-4")
    ap.add_argument("--wd", type=float, default=1e-5)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    ap.add_argument("--teacher", choices=("none", "resnet50"), default="none")
    ap.add_argument("--in-hw", type=int, default=224)
    ap.add_argument("--stem-out", type=int, default=32)
    ap.add_argument("--blocks", default=None, help="in:out:stride,... (default: the paper's 13 blocks)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N images of each split (tests)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args(argv)


def main(argv=None):
    a = parse(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    epochs = [int(v) for v in a.epochs.split(",")]
    lrs = [float(v) for v in a.lr.split(",")]
    os.makedirs(a.out, exist_ok=True)
    tr = ImageFolderU8(a.train, a.in_hw, True, a.limit)
    va = ImageFolderU8(a.val, a.in_hw, False, a.limit)
    blocks = None if a.blocks is None else [tuple(int(v) for v in b.split(":")) for b in a.blocks.split(",")]
    model = FracMobileNet(in_ch=3, in_hw=a.in_hw, num_classes=len(tr.classes), stem_out=a.stem_out,
                          stem_stride=2, blocks=blocks)
    teacher = None
    if a.teacher == "resnet50":
        import torchvision
        teacher = torchvision.models.resnet50(weights="IMAGENET1K_V1").eval()
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, -1, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, -1, 1, 1)
    dl = torch.utils.data.DataLoader(tr, batch_size=a.batch, shuffle=True, num_workers=a.workers, drop_last=True)
    dv = torch.utils.data.DataLoader(va, batch_size=a.batch, shuffle=False, num_workers=a.workers)
    start, ck_path = 0, os.path.join(a.out, "ckpt.pt")
    if a.resume and os.path.exists(ck_path):
        ck = torch.load(ck_path, weights_only=False)
        model.load_state_dict(ck["state_dict"])
        start = ck["epoch"]
    total = sum(epochs)
    opt, opt_phase = None, None
    for ep in range(start, total):
        ph = 1 if ep < epochs[0] else (2 if ep < epochs[0] + epochs[1] else 3)
        ph_start = sum(epochs[:ph - 1])
        model.set_phase(ph)
        if opt_phase != ph:
            opt = torch.optim.Adam(model.parameters(), lr=lrs[ph - 1], weight_decay=a.wd)
            opt_phase = ph
        model.train()
        steps = len(dl)
        for it, (x, y) in enumerate(dl):
            t = (ep - ph_start) * steps + it
            for g in opt.param_groups:
                g["lr"] = lrs[ph - 1] * 0.5 * (1 + math.cos(math.pi * t / (epochs[ph - 1] * steps)))
            out = model.forward_train(x)
            if teacher is not None:
                with torch.no_grad():
                    lesson = teacher((x.float() / 255.0 - mean) / std)
                loss = F.kl_div(out.log_softmax(1), lesson.softmax(1), reduction="batchmean")
            else:
                loss = F.cross_entropy(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if it % 100 == 0:
                print("epoch %d phase %d it %d/%d loss %.4f" % (ep + 1, ph, it, steps, float(loss)), flush=True)
        model.eval()
        correct = n = 0
        with torch.no_grad():
            for x, y in dv:
                correct += int((model.forward_train(x).argmax(1) == y).sum())
                n += len(y)
        print("== epoch %d phase %d val top-1 %.4f" % (ep + 1, ph, correct / n), flush=True)
        torch.save({"state_dict": model.state_dict(), "epoch": ep + 1, "config": model.config,
                    "classes": tr.classes}, ck_path)
    with torch.no_grad():   # an exact-zero latent weight would be refused by the converter
        for p in model.parameters():
            if p.dim() == 4:
                p[p == 0] = -1e-12
    torch.save({"state_dict": model.state_dict(), "config": model.config, "classes": tr.classes,
                "phase": model.phase}, os.path.join(a.out, "final.pt"))
    print("wrote %s" % os.path.join(a.out, "final.pt"))


if __name__ == "__main__":
    main()

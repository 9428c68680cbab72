#!/usr/bin/python3
"""Random-weight FracBNN ImageNet model, calibrated on real photos, for the
exactness tests of issue 17 (the authors' trained weights are not reachable
from this machine; the big model is generated, never committed).

  /usr/bin/python3 tools/make_imagenet_testmodel.py OUTDIR [--photos DIR] [--random N]
                   [--blocks ...] [--in-hw 224]

Writes into OUTDIR:
  ckpt.pt                 a checkpoint with the authors' exact key layout
                          ({'state_dict': ...}, 'module.' prefixes, plus the
                          teacher / encoder.placeholder / img_mean / img_std
                          keys the converter must ignore)
  model.fbnn              tools/convert_official.py --imagenet ckpt.pt model.fbnn
  golden.txt, golden_inputs.u8, golden_logits.f32
                          inputs (the photos, then N random images) and the
                          logits of the toolkit's float32 reference forward
                          (fracbnn_torch.mobile.mobile_exact_forward), for
                          tests/test_golden_dir.c
  photos.txt              the photo files, in input order
  stats.txt               LSB share of every PG conv on the inputs

Calibration (so that activations and gates behave like a trained network's):
one forward in training mode over the photos with cumulative BatchNorm
statistics sets every running mean/var; before each PG conv runs, its
per-channel thresholds are set to a quantile (uniform in 0.5..0.75 per
channel) of that conv's MSB output on the photos, so the LSB pass fires on
roughly 25-50 % of outputs. Photos are resized like the ImageNet evaluation
(shorter side 256, centre crop 224, PIL bilinear) with PIL.
"""
import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fracbnn_torch.mobile import FracMobileNet, mobile_folded_params, mobile_exact_forward  # noqa: E402
from fracbnn_torch.layers import PGBinaryConv2d, QuantSign2  # noqa: E402
import fracbnn_mobile_export as fx  # noqa: E402

PHOTO_EXT = (".jpg", ".jpeg", ".png")


def load_photos(d, hw):
    from PIL import Image
    files = sorted(f for f in os.listdir(d) if f.lower().endswith(PHOTO_EXT))
    out = []
    for f in files:
        im = Image.open(os.path.join(d, f)).convert("RGB")
        w, h = im.size
        s = (hw * 8.0 / 7.0) / min(w, h)
        im = im.resize((max(hw, round(w * s)), max(hw, round(h * s))), Image.BILINEAR)
        w, h = im.size
        l, t = (w - hw) // 2, (h - hw) // 2
        im = im.crop((l, t, l + hw, t + hw))
        out.append(np.asarray(im, dtype=np.uint8).transpose(2, 0, 1))
    return files, (np.stack(out) if out else np.zeros((0, 3, hw, hw), np.uint8))


def calibrate(model, x_u8, seed):
    gen = torch.Generator().manual_seed(seed)
    hooks = []

    def pre_hook(mod, inp):
        with torch.no_grad():
            q = QuantSign2.apply(inp[0])
            m = torch.where(q >= 0, 1.0, -1.0)
            w = torch.where(mod.weight > 0, 1.0, -1.0)
            o = torch.nn.functional.conv2d(m, w, None, mod.stride, mod.padding) * (2.0 / 3.0)
            o = o.transpose(0, 1).reshape(o.shape[1], -1)
            qs = 0.5 + 0.25 * torch.rand(o.shape[0], generator=gen)
            thr = torch.stack([torch.quantile(o[c], qs[c]) for c in range(o.shape[0])])
            mod.threshold.copy_(thr.view(1, -1, 1, 1) + 0.1)   # off the integer/3 grid of o_msb

    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.momentum = None
            mod.reset_running_stats()
        if isinstance(mod, PGBinaryConv2d):
            hooks.append(mod.register_forward_pre_hook(pre_hook))
    model.train()
    with torch.no_grad():
        model.forward_train(torch.as_tensor(x_u8))
    for h in hooks:
        h.remove()
    model.eval()


def authors_state_dict(model):
    sd = {"module." + k: v.clone() for k, v in model.state_dict().items()}
    # keys of the authors' model that the student does not compute with
    sd["module.img_mean"] = torch.tensor([0.485, 0.456, 0.406]).view(1, -1, 1, 1)
    sd["module.img_std"] = torch.tensor([0.229, 0.224, 0.225]).view(1, -1, 1, 1)
    hw = model.config["in_hw"]
    sd["module.encoder.placeholder"] = torch.arange(32, dtype=torch.float32).view(1, 1, -1, 1, 1).expand(
        1, 3, 32, hw, hw).contiguous()
    sd["module.teacher.conv1.weight"] = torch.randn(64, 3, 7, 7)
    sd["module.teacher.fc.weight"] = torch.randn(1000, 2048)
    sd["module.teacher.fc.bias"] = torch.randn(1000)
    return {"state_dict": sd, "epoch": 120}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--photos", default=None, help="directory of JPEG/PNG photos (calibration + inputs)")
    ap.add_argument("--random", type=int, default=4, help="random uint8 inputs appended")
    ap.add_argument("--in-hw", type=int, default=224)
    ap.add_argument("--blocks", default=None, help="in:out:stride,... (default: the ImageNet 13 blocks)")
    ap.add_argument("--stem-out", type=int, default=32)
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    os.makedirs(args.outdir, exist_ok=True)
    blocks = None if args.blocks is None else [tuple(int(v) for v in b.split(":")) for b in args.blocks.split(",")]
    model = FracMobileNet(in_ch=3, in_hw=args.in_hw, num_classes=args.classes, stem_out=args.stem_out,
                          stem_stride=2, blocks=blocks)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "shift_x" in name or "shift_y" in name:
                p.normal_(0, 0.1)
            elif name.endswith("prelu.weight"):
                p.uniform_(0.05, 0.5)
            elif p.dim() == 4:
                p[p == 0] = 1e-3   # an exact 0 is refused by the converter (sign(0) = 0)
    files, photos = ([], np.zeros((0, 3, args.in_hw, args.in_hw), np.uint8))
    if args.photos:
        files, photos = load_photos(args.photos, args.in_hw)
    rnd = np.random.RandomState(args.seed).randint(0, 256, (args.random, 3, args.in_hw, args.in_hw)).astype(np.uint8)
    calib = photos if len(photos) else rnd
    calibrate(model, calib, args.seed)
    ck = authors_state_dict(model)
    ckpt = os.path.join(args.outdir, "ckpt.pt")
    torch.save(ck, ckpt)
    cfg = dict(model.config)
    if blocks is None and args.in_hw == 224 and args.classes == 1000 and args.stem_out == 32:
        n, _g = fx.convert_imagenet(ckpt, os.path.join(args.outdir, "model.fbnn"))
    else:
        labels = ["class%d" % i for i in range(args.classes)]
        n, _g = fx.convert(fx.load_state_dict(ckpt), os.path.join(args.outdir, "model.fbnn"), cfg, labels,
                           "FracBNN mobile test model", resize=fx.RESIZE_IMAGENET)
    inputs = np.concatenate([photos, rnd]) if len(photos) else rnd
    p = mobile_folded_params(model.state_dict(), cfg, gate=True)
    stats, logits = {}, []
    for i in range(len(inputs)):
        logits.append(mobile_exact_forward(p, cfg, torch.from_numpy(inputs[i:i + 1]), stats).numpy())
    logits = np.concatenate(logits).astype("<f4")
    inputs.tofile(os.path.join(args.outdir, "golden_inputs.u8"))
    logits.tofile(os.path.join(args.outdir, "golden_logits.f32"))
    with open(os.path.join(args.outdir, "golden.txt"), "w") as f:
        f.write("%d 3 %d %d %d\n" % (len(inputs), args.in_hw, args.in_hw, args.classes))
    with open(os.path.join(args.outdir, "photos.txt"), "w") as f:
        f.write("".join(x + "\n" for x in files))
    fired = sum(v[0] for v in stats.values())
    total = sum(v[1] for v in stats.values())
    with open(os.path.join(args.outdir, "stats.txt"), "w") as f:
        for k, (a, b) in stats.items():
            f.write("%s %d %d %.4f\n" % (k, a, b, a / b))
        f.write("total %d %d %.4f\n" % (fired, total, fired / total))
    print("wrote %s: model %d bytes, %d inputs (%d photos), LSB fired on %.2f %% of PG outputs "
          "(per conv %.1f..%.1f %%)" % (args.outdir, n, len(inputs), len(photos), 100.0 * fired / total,
                                         100 * min(a / b for a, b in stats.values()),
                                         100 * max(a / b for a, b in stats.values())))


if __name__ == "__main__":
    main()

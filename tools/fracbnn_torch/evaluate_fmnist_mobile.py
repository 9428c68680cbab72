#!/usr/bin/python3
"""Final evaluation + export of the Fashion-MNIST FracBNN "mobile" model (the
ImageNet block structure scaled down; the only place its test split is read).

  /usr/bin/python3 tools/fracbnn_torch/evaluate_fmnist_mobile.py FINAL.pt [FBNN_CLI]

1. export with tools/export_fbnn.py to models/fashion_mnist_fracbnn_mobile.fbnn
   (self-check: run_reference == PyTorch exact path on 64 test images) and
   golden vectors tests/data/fmnist_mobile_golden_* (first 64 test images);
2. the exporter's float32 evaluation (fracbnn_torch.mobile.mobile_exact_forward,
   folded BN, exact conv sums) on the validation split and the 10 000 test
   images, with the LSB share of every PG conv;
3. `fbnn eval` (the C library, default build/fbnn) on the official test IDX
   files with --predictions; its predictions must equal step 2's, image by image;
4. tests/data/fmnist_mobile_test_predictions.txt and FINAL.pt's directory/eval.json.
"""
import json
import os
import subprocess
import sys

import numpy as np
import torch

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import export_fbnn as ex  # noqa: E402
import fracbnn_mobile_export as fx  # noqa: E402
from fracbnn_torch.mobile import mobile_exact_forward  # noqa: E402
from fracbnn_torch.data import train_val_split, load_split, FMNIST_DIR  # noqa: E402

MODEL = os.path.join(ROOT, "models", "fashion_mnist_fracbnn_mobile.fbnn")


def exact_eval(p, cfg, x, batch=500):
    stats, preds = {}, []
    for i in range(0, len(x), batch):
        lg = mobile_exact_forward(p, cfg, torch.from_numpy(x[i:i + batch]), stats)
        preds.append(lg.argmax(1).numpy())
    return np.concatenate(preds), stats


def main(argv):
    final = argv[1]
    cli = argv[2] if len(argv) > 2 else os.path.join(ROOT, "build", "fbnn")
    torch.set_num_threads(1)
    ck = torch.load(final, map_location="cpu", weights_only=False)
    cfg = ck["config"]
    rc = ex.main([final, MODEL, "--labels", "fashion-mnist", "--name",
                  "FracBNN mobile (ImageNet block structure, scaled down) Fashion-MNIST",
                  "--golden-prefix", os.path.join(ROOT, "tests", "data", "fmnist_mobile_"),
                  "--golden-images", "fashion-mnist-test:64"])
    if rc:
        return rc
    gate = ck.get("phase", 3) >= 3
    p = fx.folded(fx.check_state_dict(ck["model"], cfg), cfg, gate)
    p = {k: torch.from_numpy(v) for k, v in p.items()}
    _, _, xva, yva = train_val_split(5000)
    xte, yte = load_split("test")
    pva, _ = exact_eval(p, cfg, xva)
    pte, stats = exact_eval(p, cfg, xte)
    acc_va, acc_te = float((pva == yva).mean()), float((pte == yte).mean())
    fired = sum(a for a, _ in stats.values())
    total = sum(b for _, b in stats.values())
    print("exporter float32 eval: validation %.4f, test %.4f; LSB fired on %.2f %% of PG outputs (test)"
          % (acc_va, acc_te, 100.0 * fired / total))
    pred_file = os.path.join(ROOT, "tests", "data", "fmnist_mobile_test_predictions.txt")
    with open(pred_file, "w") as f:
        f.write("".join("%d\n" % v for v in pte))
    c_pred_file = os.path.join(os.path.dirname(final), "c_predictions.txt")
    out = subprocess.run([cli, "eval", MODEL, os.path.join(FMNIST_DIR, "t10k-images-idx3-ubyte.gz"),
                          os.path.join(FMNIST_DIR, "t10k-labels-idx1-ubyte.gz"), "--predictions", c_pred_file,
                          "--json", "--no-progress"], capture_output=True, text=True, check=True)
    cj = json.loads(out.stdout)
    cp = np.loadtxt(c_pred_file, dtype=np.int64)
    same = int((cp == pte).sum())
    print("C library (fbnn eval): test accuracy %.4f (%d/%d), LSB fired %s; predictions identical to the "
          "exporter's float32 evaluation on %d/%d images" % (cj["accuracy"], cj["correct"], cj["images"],
                                                             cj.get("lsb_fired"), same, len(pte)))
    res = dict(val_acc=acc_va, test_acc=acc_te, c_test_acc=cj["accuracy"], c_correct=cj["correct"],
               identical_predictions=same, images=len(pte), lsb_fired_test=fired / total,
               per_conv_lsb={k: a / b for k, (a, b) in stats.items()}, config=cfg,
               history=ck.get("history"), train_time_s=ck.get("train_time_s"))
    with open(os.path.join(os.path.dirname(final), "eval.json"), "w") as f:
        json.dump(res, f, indent=1)
    return 0 if same == len(pte) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/python3
"""Final evaluation + export of the Fashion-MNIST model (the only place the
test split is read).

  /usr/bin/python3 tools/fracbnn_torch/evaluate_fmnist.py [out/fmnist/final.pt]

1. PyTorch accuracy of the trained model on validation and test: the
   eval-mode forward (exact float32 path, folded BN) and, for information,
   the training-graph forward with BatchNorm running statistics;
2. export with tools/export_fbnn.py to models/fashion_mnist_fracbnn.fbnn,
   golden vectors tests/data/fmnist_golden_* (first 64 test images);
3. fbnn_format.run_reference on the exported file for validation and test,
   with per-PG-conv gate statistics; its logits must equal the PyTorch
   eval-mode logits bit for bit;
4. tests/data/fmnist_test_predictions.txt and out/fmnist/eval.json.

Speed: fbnn_format.run_reference computes conv sums with an int64 einsum
(~0.2 s per image here). For the 15000 evaluation images its `_conv_sum` is
replaced by an exact equivalent (float32 convolution of {-1,+1} tensors, whose
integer partial sums stay below 2^24, rounded to int64); every other op is the
unmodified reference code. The patched and unpatched interpreters are checked
to give bit-identical logits on the first --check-n (default 300) test images.
"""
import json
import os
import sys
import time

import numpy as np
import torch

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)
import fbnn_format as ff  # noqa: E402
import export_fbnn as ex  # noqa: E402
from fracbnn_torch import model_from_config  # noqa: E402
from fracbnn_torch.data import train_val_split, load_split  # noqa: E402
from fracbnn_torch.fast_reference import patched_conv_sum, batched  # noqa: E402


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint", nargs="?", default=os.path.join(ROOT, "out", "fmnist", "final.pt"))
    ap.add_argument("--out-model", default=os.path.join(ROOT, "models", "fashion_mnist_fracbnn.fbnn"))
    ap.add_argument("--golden-prefix", default=os.path.join(ROOT, "tests", "data", "fmnist_"))
    ap.add_argument("--check-n", type=int, default=300)
    ap.add_argument("--limit", type=int, default=0, help="evaluate only N images per split (smoke tests)")
    a = ap.parse_args(argv[1:])
    torch.set_num_threads(2)
    ckpt, out_model, golden = a.checkpoint, a.out_model, a.golden_prefix
    ck = torch.load(ckpt)
    cfg = ck["config"]
    model = model_from_config(cfg)
    model.load_state_dict(ck["model"])
    model.set_phase(ck["phase"])
    model.eval()
    _, _, xva, yva = train_val_split(ck["args"]["val"])
    xte, yte = load_split("test")
    if a.limit:
        xva, yva, xte, yte = xva[:a.limit], yva[:a.limit], xte[:a.limit], yte[:a.limit]
    res = dict(checkpoint=ckpt, config=cfg, train_time_s=ck.get("train_time_s"), history=ck.get("history"))

    t0 = time.time()
    with torch.no_grad():
        pt = {s: batched(lambda b: model(torch.from_numpy(b)).numpy(), x) for s, x in (("val", xva), ("test", xte))}
        bn = {s: batched(lambda b: model.forward_train(torch.from_numpy(b)).numpy(), x)
              for s, x in (("val", xva), ("test", xte))}
    ys = {"val": yva, "test": yte}
    for s in ("val", "test"):
        res["pytorch_exact_%s_acc" % s] = float((pt[s].argmax(1) == ys[s]).mean())
        res["pytorch_bn_%s_acc" % s] = float((bn[s].argmax(1) == ys[s]).mean())
    print("pytorch eval (%.0fs): %s" % (time.time() - t0, {k: v for k, v in res.items() if k.startswith("pytorch")}),
          flush=True)

    rc = ex.main([ckpt, out_model, "--name", "FracBNN ResNet (width %d, blocks %s) Fashion-MNIST" % (
        cfg["width"], ",".join(map(str, cfg["blocks"]))), "--labels", "fashion-mnist",
        "--golden-prefix", golden, "--golden-images", "fashion-mnist-test:64"])
    assert rc == 0
    m = ff.read_fbnn(out_model)
    res["fbnn_bytes"] = os.path.getsize(out_model)
    nparam = sum(p.numel() for n, p in model.state_dict().items()
                 if not n.endswith("num_batches_tracked"))
    # float32 size of the same network as deployed: conv weights, thresholds, folded affine
    # (a, b per BN), rprelu (3 per channel), FC; running stats fold away.
    nfold = 0
    for n, p in model.state_dict().items():
        if n.endswith("num_batches_tracked") or n.endswith("running_mean") or n.endswith("running_var"):
            continue
        nfold += p.numel()
    res["float32_bytes"] = 4 * nfold
    res["float32_bytes_with_bn_stats"] = 4 * nparam
    res["size_ratio"] = res["fbnn_bytes"] / res["float32_bytes"]

    t0 = time.time()
    check_n = a.check_n  # the C library (fbnn eval) is the independent full check
    slow = ff.run_reference(m, xte[:check_n])
    with patched_conv_sum() as calls:
        fast = ff.run_reference(m, xte[:check_n])
    if calls[0] == 0:
        sys.exit("the fast conv sum was not used (patch missed the op table)")
    res["fast_conv_check_images"] = check_n
    res["fast_conv_check_bitexact"] = bool(slow.tobytes() == fast.tobytes())
    print("unpatched vs patched run_reference on %d test images: bit-identical %s (%.0fs)" % (
        check_n, res["fast_conv_check_bitexact"], time.time() - t0), flush=True)
    if not res["fast_conv_check_bitexact"]:
        sys.exit("fast conv sum differs from the reference")
    with patched_conv_sum():  # the fast sum for the full evaluation below
        t0 = time.time()
        for s, x in (("val", xva), ("test", xte)):
            stats = {}
            logits = batched(lambda b: ff.run_reference(m, b, stats=stats), x)
            pred = logits.argmax(1)
            res["fbnn_%s_acc" % s] = float((pred == ys[s]).mean())
            res["fbnn_%s_logits_bitexact" % s] = bool(logits.astype(np.float32).tobytes() == pt[s].tobytes())
            res["fbnn_%s_pred_agree" % s] = float((pred == pt[s].argmax(1)).mean())
            fired = sum(f for f, _ in stats.values())
            total = sum(t for _, t in stats.values())
            res["gate_fraction_%s" % s] = fired / total
            res["gate_per_conv_%s" % s] = {"op%d" % k: f / t for k, (f, t) in sorted(stats.items())}
            if s == "test":
                with open(golden + "test_predictions.txt", "w") as f:
                    f.write("".join("%d\n" % p for p in pred))
            print("run_reference %s: acc %.4f bitexact %s gate %.4f (%.0fs)" % (
                s, res["fbnn_%s_acc" % s], res["fbnn_%s_logits_bitexact" % s], res["gate_fraction_%s" % s],
                time.time() - t0), flush=True)
    with open(os.path.join(os.path.dirname(ckpt), "eval.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: v for k, v in res.items() if k not in ("history", "gate_per_conv_val")}, indent=1))
    if not (res["fbnn_test_logits_bitexact"] and res["fbnn_val_logits_bitexact"]):
        sys.exit("exported model does not reproduce the PyTorch eval logits")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

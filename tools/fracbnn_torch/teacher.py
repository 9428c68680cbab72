"""A real-valued (float weights and activations) CNN for Fashion-MNIST, the
teacher for knowledge distillation (the FracBNN paper distils its students
from a float network; `tools/train_fashion_mnist.py --teacher`).

    stage 1, 28x28: conv3x3 1 -> w0, BN, ReLU;            max-pool 2 -> 14x14
    stage 2, 14x14: conv3x3 w0 -> w1, BN, ReLU, conv3x3 w1 -> w1, BN, ReLU; max-pool 2 -> 7x7
    stage 3,  7x7:  conv3x3 w1 -> w2, BN, ReLU;           global average pool
    head:           dropout, FC w2 -> 10

Input: uint8 [N,1,28,28] (the students' input), scaled to [0,1] here.
Trained by tools/train_fmnist_teacher.py; the checkpoint holds
{"model": state_dict, "config": dict(widths=..., num_classes=...)}.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _cbr(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class FloatTeacher(nn.Module):
    def __init__(self, widths=(32, 64, 128), num_classes=10, dropout=0.2):
        super().__init__()
        w0, w1, w2 = widths
        self.config = dict(widths=list(widths), num_classes=num_classes, dropout=dropout)
        self.features = nn.Sequential(*_cbr(1, w0), nn.MaxPool2d(2),
                                      *_cbr(w0, w1), *_cbr(w1, w1), nn.MaxPool2d(2),
                                      *_cbr(w1, w2))
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(w2, num_classes)

    def forward(self, x_u8):
        x = x_u8.float() * (1.0 / 255.0)
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(self.drop(x))


def load_teacher(path):
    """The teacher of a checkpoint written by train_fmnist_teacher.py, in eval
    mode with gradients off. Built under a forked RNG so that loading it does
    not move the caller's global torch random state."""
    ck = torch.load(path, map_location="cpu")
    cfg = ck["config"]
    with torch.random.fork_rng(devices=[]):
        t = FloatTeacher(widths=cfg["widths"], num_classes=cfg["num_classes"], dropout=cfg.get("dropout", 0.0))
    t.load_state_dict(ck["model"])
    t.eval()
    for p in t.parameters():
        p.requires_grad_(False)
    return t


def kd_loss(student_logits, teacher_logits, y, weight, temp):
    """(1-A)*CE(student, y) + A*T^2*KL(softmax(teacher/T) || softmax(student/T)),
    KL averaged over the batch (Hinton et al.'s T^2 keeps the gradient scale).
    Returns (total, ce, kl) with kl the unscaled KL term."""
    ce = F.cross_entropy(student_logits, y)
    kl = F.kl_div(F.log_softmax(student_logits / temp, dim=1), F.log_softmax(teacher_logits / temp, dim=1),
                  reduction="batchmean", log_target=True)
    return (1.0 - weight) * ce + weight * temp * temp * kl, ce, kl

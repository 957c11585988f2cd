"""Classification losses: BCE-with-logits for multi-label, cross-entropy for single-label, optionally weighted
(detectors compute their own losses: detectors.py)."""
import numpy as np
import torch
import torch.nn.functional as F


def class_weighted_loss(multiclass, class_weights, train_targets, device):
    """loss(logits, targets), with training.class_weights computed on the train split's targets:
    multilabel `balanced` -> pos_weight = negatives / positives per class;
    multiclass `balanced` -> weight = n / (C * count) per class."""
    targets = train_targets
    if multiclass:
        weight = None
        if class_weights == "balanced":
            counts = np.bincount(targets.argmax(axis=1), minlength=targets.shape[1]).astype(np.float32)
            weight = torch.tensor(len(targets) / (targets.shape[1] * np.maximum(counts, 1)), device=device)
        return lambda logits, y: F.cross_entropy(logits, y.argmax(dim=1), weight=weight)
    pos_weight = None
    if class_weights == "balanced":
        pos = targets.sum(axis=0)
        pos_weight = torch.tensor((len(targets) - pos) / np.maximum(pos, 1), dtype=torch.float32, device=device)
    return lambda logits, y: F.binary_cross_entropy_with_logits(logits, y, pos_weight=pos_weight)

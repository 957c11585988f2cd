"""Evaluation metrics (scikit-learn) and ROC / PR curves for the dashboard.

A class whose targets take a single value in the evaluated split has no AUC or AP: its per-class keys are
omitted and it is left out of every macro mean (never reported as 0 or 1). Micro AUC pools all classes.
"""
import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, roc_auc_score, roc_curve

MAX_CURVE_POINTS = 200


def downsample(points, max_points=MAX_CURVE_POINTS):
    """Keeps at most max_points of a curve, evenly spaced by index, always keeping the first and last point."""
    if len(points) <= max_points:
        return list(points)
    keep = np.unique(np.round(np.linspace(0, len(points) - 1, max_points)).astype(int))
    return [points[i] for i in keep]


def _points(xs, ys):
    return downsample([[round(float(x), 5), round(float(y), 5)] for x, y in zip(xs, ys)])


def predictions(task, probs):
    """Hard predictions: threshold 0.5 per class (multilabel) or a one-hot argmax (multiclass)."""
    if task == "multiclass":
        out = np.zeros_like(probs, dtype=np.int64)
        out[np.arange(len(probs)), probs.argmax(axis=1)] = 1
        return out
    return (probs >= 0.5).astype(np.int64)


def undefined_classes(targets, classes):
    return [c for i, c in enumerate(classes) if len(np.unique(targets[:, i])) < 2]


def evaluate_predictions(targets, probs, classes, task="multilabel", prefix="val"):
    """Returns (values, curves) for targets/probs of shape [N, C]; curves is a list of (kind, class, points)."""
    targets = (np.asarray(targets) >= 0.5).astype(np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    values, curves = {}, []
    undefined = set(undefined_classes(targets, classes))
    aucs, aps, f1s = [], [], []
    preds = predictions(task, probs)
    for i, name in enumerate(classes):
        if name in undefined:
            continue
        y, p = targets[:, i], probs[:, i]
        auc, ap = float(roc_auc_score(y, p)), float(average_precision_score(y, p))
        f1 = float(f1_score(y, preds[:, i], zero_division=0))
        values[f"{prefix}/auc/{name}"], values[f"{prefix}/ap/{name}"] = auc, ap
        values[f"{prefix}/f1/{name}"] = f1
        aucs.append(auc)
        aps.append(ap)
        f1s.append(f1)
        fpr, tpr, _ = roc_curve(y, p)
        precision, recall, _ = precision_recall_curve(y, p)
        curves.append(("roc", name, _points(fpr, tpr)))
        curves.append(("pr", name, _points(recall[::-1], precision[::-1])))
    if aucs:
        values[f"{prefix}/auc_macro"] = float(np.mean(aucs))
        values[f"{prefix}/map"] = float(np.mean(aps))
        values[f"{prefix}/f1_macro"] = float(np.mean(f1s))
    flat = targets.ravel()
    if len(np.unique(flat)) == 2:
        values[f"{prefix}/auc_micro"] = float(roc_auc_score(flat, probs.ravel()))
    if task == "multiclass":
        values[f"{prefix}/accuracy"] = float(np.mean(probs.argmax(axis=1) == targets.argmax(axis=1)))
    else:
        values[f"{prefix}/accuracy"] = float(np.mean(np.all(preds == targets, axis=1)))
    values[f"{prefix}/accuracy_per_label"] = float(np.mean(preds == targets))  # every (sample, class) decision
    return values, curves


def is_improvement(value, best, mode, min_delta=0.0):
    if value is None:
        return False
    if best is None:
        return True
    return value > best + min_delta if mode == "max" else value < best - min_delta

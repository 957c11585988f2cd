"""Evaluation metrics (scikit-learn) and ROC / PR curves for the dashboard.

A class whose targets take a single value in the evaluated split has no AUC or AP: its per-class keys are
omitted and it is left out of every macro mean (never reported as 0 or 1). Micro AUC pools all classes.

Decisions (f1, precision, recall, accuracy): multilabel predicts a class from its decision threshold on (0.5,
training.decision_threshold.value, or per class tuned on the validation set: tuned_thresholds); multiclass
predicts the most probable class. Precision with no predicted positive is 0 (sklearn's zero_division=0), as f1.
Multiclass runs also get their confusion matrix: one "confusion" curve per true class whose points are
[predicted class index, count] in the run's class order (confusion_rows).
"""
import numpy as np
from sklearn.metrics import (average_precision_score, f1_score, precision_recall_curve, precision_score, recall_score,
                             roc_auc_score, roc_curve)

MAX_CURVE_POINTS = 200


def downsample(points, max_points=MAX_CURVE_POINTS):
    """Keeps at most max_points of a curve, evenly spaced by index, always keeping the first and last point."""
    if len(points) <= max_points:
        return list(points)
    keep = np.unique(np.round(np.linspace(0, len(points) - 1, max_points)).astype(int))
    return [points[i] for i in keep]


def _points(xs, ys):
    return downsample([[round(float(x), 5), round(float(y), 5)] for x, y in zip(xs, ys)])


def predictions(task, probs, thresholds=0.5):
    """Hard predictions: a threshold per class (multilabel; a number or one per class) or a one-hot argmax
    (multiclass)."""
    if task == "multiclass":
        out = np.zeros_like(probs, dtype=np.int64)
        out[np.arange(len(probs)), probs.argmax(axis=1)] = 1
        return out
    return (probs >= np.asarray(thresholds, dtype=np.float64)).astype(np.int64)


def tuned_thresholds(targets, probs, how, default=0.5):
    """One decision threshold per class chosen on (validation) data: the one with the best F1 (how="f1") or the
    best Youden's J = TPR - FPR (how="youden"); a class with a single label value keeps `default`."""
    targets = (np.asarray(targets) >= 0.5).astype(np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    out = np.full(probs.shape[1], float(default))
    for i in range(probs.shape[1]):
        y, p = targets[:, i], probs[:, i]
        if len(np.unique(y)) < 2:
            continue
        if how == "f1":
            precision, recall, cuts = precision_recall_curve(y, p)
            precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
            f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
            out[i] = float(cuts[int(np.argmax(f1))])
        elif how == "youden":
            fpr, tpr, cuts = roc_curve(y, p)
            finite = np.isfinite(cuts) & (cuts <= 1)  # the first cut predicts nothing positive
            out[i] = float(cuts[finite][int(np.argmax((tpr - fpr)[finite]))])
        else:
            raise ValueError(f"unknown threshold tuning {how!r}")
    return out


def confusion_rows(targets, probs):
    """Multiclass confusion matrix [true, predicted] of counts (sklearn's confusion_matrix layout)."""
    c = probs.shape[1]
    truth, pred = np.asarray(targets).argmax(axis=1), np.asarray(probs).argmax(axis=1)
    matrix = np.zeros((c, c), dtype=np.int64)
    np.add.at(matrix, (truth, pred), 1)
    return matrix


def undefined_classes(targets, classes):
    return [c for i, c in enumerate(classes) if len(np.unique(targets[:, i])) < 2]


def evaluate_predictions(targets, probs, classes, task="multilabel", prefix="val", thresholds=0.5, report_thresholds=False):
    """Returns (values, curves) for targets/probs of shape [N, C]; curves is a list of (kind, class, points).
    thresholds: the multilabel decision threshold, one number or one per class (report_thresholds: as
    <prefix>/threshold/<class> keys)."""
    targets = (np.asarray(targets) >= 0.5).astype(np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    values, curves = {}, []
    undefined = set(undefined_classes(targets, classes))
    aucs, aps, f1s, precisions, recalls = [], [], [], [], []
    preds = predictions(task, probs, thresholds)
    per_class_threshold = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (len(classes),))
    for i, name in enumerate(classes):
        if report_thresholds and task != "multiclass":
            values[f"{prefix}/threshold/{name}"] = float(per_class_threshold[i])
        if name in undefined:
            continue
        y, p = targets[:, i], probs[:, i]
        auc, ap = float(roc_auc_score(y, p)), float(average_precision_score(y, p))
        f1 = float(f1_score(y, preds[:, i], zero_division=0))
        precision = float(precision_score(y, preds[:, i], zero_division=0))
        recall = float(recall_score(y, preds[:, i], zero_division=0))
        values[f"{prefix}/auc/{name}"], values[f"{prefix}/ap/{name}"] = auc, ap
        values[f"{prefix}/f1/{name}"] = f1
        values[f"{prefix}/precision/{name}"], values[f"{prefix}/recall/{name}"] = precision, recall
        aucs.append(auc)
        aps.append(ap)
        f1s.append(f1)
        precisions.append(precision)
        recalls.append(recall)
        fpr, tpr, _ = roc_curve(y, p)
        precision, recall, _ = precision_recall_curve(y, p)
        curves.append(("roc", name, _points(fpr, tpr)))
        curves.append(("pr", name, _points(recall[::-1], precision[::-1])))
    if aucs:
        values[f"{prefix}/auc_macro"] = float(np.mean(aucs))
        values[f"{prefix}/map"] = float(np.mean(aps))
        values[f"{prefix}/f1_macro"] = float(np.mean(f1s))
        values[f"{prefix}/precision_macro"] = float(np.mean(precisions))
        values[f"{prefix}/recall_macro"] = float(np.mean(recalls))
    flat = targets.ravel()
    if len(np.unique(flat)) == 2:
        values[f"{prefix}/auc_micro"] = float(roc_auc_score(flat, probs.ravel()))
    if task == "multiclass":
        values[f"{prefix}/accuracy"] = float(np.mean(probs.argmax(axis=1) == targets.argmax(axis=1)))
        for name, row in zip(classes, confusion_rows(targets, probs)):
            curves.append(("confusion", name, [[j, int(n)] for j, n in enumerate(row)]))
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

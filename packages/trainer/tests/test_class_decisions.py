"""Per-class precision and recall at the decision threshold, tuned thresholds, and the multiclass confusion
matrix (metrics.py), against scikit-learn on the same data and a case computed by hand."""
import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support, roc_curve

from trainyard_trainer.metrics import confusion_rows, evaluate_predictions, tuned_thresholds

CLASSES = ["a", "b", "c"]


def test_hand_computed_precision_and_recall_at_0_5():
    # class a: predicted positive for samples 0, 1, 2 (p >= 0.5); true positives 0, 3 -> TP 1, FP 2, FN 1
    targets = np.array([[1, 0], [0, 1], [0, 1], [1, 0]])
    probs = np.array([[0.9, 0.2], [0.6, 0.7], [0.5, 0.4], [0.1, 0.8]])
    values, _ = evaluate_predictions(targets, probs, ["a", "b"], prefix="val")
    assert values["val/precision/a"] == pytest.approx(1 / 3) and values["val/recall/a"] == pytest.approx(1 / 2)
    # class b: predicted 1, 3; true 1, 2 -> TP 1, FP 1, FN 1
    assert values["val/precision/b"] == pytest.approx(1 / 2) and values["val/recall/b"] == pytest.approx(1 / 2)
    assert values["val/precision_macro"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert "val/threshold/a" not in values
    # at threshold 0.55 class a keeps samples 0, 1 only: TP 1, FP 1
    values, _ = evaluate_predictions(targets, probs, ["a", "b"], prefix="val", thresholds=[0.55, 0.5], report_thresholds=True)
    assert values["val/precision/a"] == pytest.approx(1 / 2) and values["val/threshold/a"] == 0.55


def random_multilabel(seed=0, n=200):
    rng = np.random.default_rng(seed)
    targets = (rng.random((n, 3)) < [0.3, 0.5, 0.1]).astype(np.float32)
    probs = np.clip(targets * 0.35 + rng.random((n, 3)) * 0.65, 0, 1)
    return targets, probs


@pytest.mark.parametrize("thresholds", [0.5, [0.3, 0.6, 0.45]])
def test_multilabel_precision_recall_match_sklearn(thresholds):
    targets, probs = random_multilabel()
    values, _ = evaluate_predictions(targets, probs, CLASSES, prefix="test", thresholds=thresholds)
    preds = (probs >= np.asarray(thresholds)).astype(int)
    p, r, f, _ = precision_recall_fscore_support(targets.astype(int), preds, average=None, zero_division=0)
    for i, name in enumerate(CLASSES):
        assert values[f"test/precision/{name}"] == pytest.approx(p[i])
        assert values[f"test/recall/{name}"] == pytest.approx(r[i])
        assert values[f"test/f1/{name}"] == pytest.approx(f[i])
    assert values["test/recall_macro"] == pytest.approx(r.mean())


def test_multiclass_precision_recall_and_confusion_match_sklearn():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, 150)
    logits = rng.normal(size=(150, 3)) + np.eye(3)[truth] * 1.2
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    targets = np.eye(3)[truth]
    values, curves = evaluate_predictions(targets, probs, CLASSES, task="multiclass", prefix="val")
    p, r, _, _ = precision_recall_fscore_support(truth, probs.argmax(1), average=None, zero_division=0)
    for i, name in enumerate(CLASSES):
        assert values[f"val/precision/{name}"] == pytest.approx(p[i])
        assert values[f"val/recall/{name}"] == pytest.approx(r[i])
    reference = confusion_matrix(truth, probs.argmax(1), labels=[0, 1, 2])
    assert np.array_equal(confusion_rows(targets, probs), reference)
    rows = [(name, pts) for kind, name, pts in curves if kind == "confusion"]
    assert [n for n, _ in rows] == CLASSES
    assert [[count for _, count in pts] for _, pts in rows] == reference.tolist()
    assert [j for j, _ in rows[0][1]] == [0, 1, 2]


def test_multilabel_runs_have_no_confusion_matrix():
    targets, probs = random_multilabel()
    _, curves = evaluate_predictions(targets, probs, CLASSES)
    assert not [c for c in curves if c[0] == "confusion"]


def test_tuned_thresholds_are_the_best_f1_and_youden_cuts():
    targets, probs = random_multilabel(2)
    f1_cuts = tuned_thresholds(targets, probs, "f1")
    for i in range(3):
        best = max(f1_score(targets[:, i], probs[:, i] >= t, zero_division=0) for t in np.unique(probs[:, i]))
        assert f1_score(targets[:, i], probs[:, i] >= f1_cuts[i]) == pytest.approx(best)
    youden = tuned_thresholds(targets, probs, "youden")
    for i in range(3):
        fpr, tpr, cuts = roc_curve(targets[:, i], probs[:, i])
        j = tpr - fpr
        pred = probs[:, i] >= youden[i]
        tp, fp = (pred & (targets[:, i] == 1)).sum(), (pred & (targets[:, i] == 0)).sum()
        assert tp / targets[:, i].sum() - fp / (1 - targets[:, i]).sum() == pytest.approx(j.max())


def test_a_class_with_one_label_value_keeps_the_default_threshold():
    targets, probs = random_multilabel()
    targets[:, 2] = 0
    assert tuned_thresholds(targets, probs, "f1", default=0.4)[2] == 0.4

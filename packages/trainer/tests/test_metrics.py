import numpy as np
import pytest

from trainyard_trainer.metrics import downsample, evaluate_predictions, is_improvement


def test_metrics_match_hand_computed_values_and_skip_undefined_class():
    targets = np.array([[0, 0, 1], [0, 0, 0], [1, 0, 1], [1, 0, 0]], dtype=np.float32)
    probs = np.array([[0.1, 0.2, 0.9], [0.4, 0.1, 0.2], [0.35, 0.3, 0.6], [0.8, 0.1, 0.7]])
    values, curves = evaluate_predictions(targets, probs, ["a", "b", "c"], "multilabel")
    # class a: positives 0.35, 0.8 vs negatives 0.1, 0.4 -> 3 of 4 pairs ordered -> AUC 0.75
    assert values["val/auc/a"] == pytest.approx(0.75)
    # ranking 0.8(+) 0.4(-) 0.35(+) 0.1(-): AP = 0.5 * 1 + 0.5 * 2/3
    assert values["val/ap/a"] == pytest.approx(0.5 + 0.5 * 2 / 3)
    # class c: positives 0.9, 0.6 vs negatives 0.2, 0.7 -> 3 of 4 pairs -> 0.75; ranking + - + - -> same AP
    assert values["val/auc/c"] == pytest.approx(0.75)
    assert values["val/ap/c"] == pytest.approx(0.5 + 0.5 * 2 / 3)
    # class b never positive: undefined, omitted, not in the macro means
    assert not any("/b" in k for k in values)
    assert values["val/auc_macro"] == pytest.approx(0.75)
    assert values["val/map"] == pytest.approx(0.5 + 0.5 * 2 / 3)
    # thresholded at 0.5: a -> [0,0,0,1] (tp 1, fn 1: F1 2/3); c -> [1,0,1,1] (tp 2, fp 1: F1 0.8)
    assert values["val/f1_macro"] == pytest.approx((2 / 3 + 0.8) / 2)
    # exact match: rows 0 ([0,0,1]) and 1 ([0,0,0]) are right; row 2 misses a, row 3 adds c
    assert values["val/accuracy"] == pytest.approx(0.5)
    # per label: 2 wrong decisions (a in row 2, c in row 3) out of 12
    assert values["val/accuracy_per_label"] == pytest.approx(10 / 12)
    assert values["val/f1/a"] == pytest.approx(2 / 3) and values["val/f1/c"] == pytest.approx(0.8)
    assert {(kind, name) for kind, name, _ in curves} == {("roc", "a"), ("pr", "a"), ("roc", "c"), ("pr", "c")}
    for kind, _, points in curves:
        if kind == "roc":
            assert points[0] == [0.0, 0.0] and points[-1] == [1.0, 1.0]
        else:  # [recall, precision], recall rising to 1
            assert points[-1][0] == 1.0


def test_micro_auc_pools_all_classes():
    targets = np.array([[1, 0], [0, 0], [0, 1]], dtype=np.float32)
    probs = np.array([[0.9, 0.2], [0.3, 0.1], [0.4, 0.8]])
    values, _ = evaluate_predictions(targets, probs, ["x", "y"], prefix="test")
    # positives 0.9, 0.8 beat all four negatives 0.2, 0.3, 0.1, 0.4
    assert values["test/auc_micro"] == pytest.approx(1.0)


def test_multiclass_accuracy_uses_argmax():
    targets = np.eye(3, dtype=np.float32)[[0, 1, 2, 2]]
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.2, 0.3], [0.1, 0.1, 0.8]])
    values, _ = evaluate_predictions(targets, probs, ["a", "b", "c"], "multiclass")
    assert values["val/accuracy"] == pytest.approx(0.75)


def test_downsample_keeps_ends_and_limits_points():
    points = [[i, i * i] for i in range(1000)]
    out = downsample(points, 200)
    assert len(out) <= 200 and out[0] == points[0] and out[-1] == points[-1]
    assert downsample(points[:5], 200) == points[:5]


def test_is_improvement_modes():
    assert is_improvement(0.5, None, "max")
    assert is_improvement(0.6, 0.5, "max", min_delta=0.05)
    assert not is_improvement(0.54, 0.5, "max", min_delta=0.05)
    assert is_improvement(0.4, 0.5, "min")
    assert not is_improvement(None, 0.5, "min")

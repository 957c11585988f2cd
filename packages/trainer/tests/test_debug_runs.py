"""Tiny in-process runs of issue #16's trainer features: the vit_conv_stem backbone in a multiclass run (its
confusion matrix and per-class precision / recall), thresholds tuned on validation, and the debug knobs
(training.limit_train_batches / limit_val_batches, training.profile)."""
import json
import os

from fixtures import base_config, make_run, of_type, run_inprocess

ONE_EPOCH = [{"name": "all", "epochs": 1, "lr": 3e-3, "train": ["all"]}]


def metrics_of(events, prefix):
    out = {}
    for e in of_type(events, "metrics"):
        out.update({k: v for k, v in e["values"].items() if k.startswith(prefix)})
    return out


def test_vit_conv_stem_multiclass_run_reports_precision_recall_and_the_confusion_matrix(tmp_path):
    config = base_config(
        dataset={"image_size": 16},
        model={"backbone": "vit_conv_stem", "vit_conv_stem": {"dim": 32, "depth": 1, "heads": 2, "mlp_dim": 32}},
        training={"task": "multiclass", "phases": ONE_EPOCH, "gradient_checkpointing": True})
    code, events = run_inprocess(make_run(tmp_path, n=64, cache_size=16, config=config,
                                          tamper=lambda a: a.update(targets=one_hot(a["targets"]))))
    assert code == 0, events[-3:]
    test = metrics_of(events, "test/")
    assert {"test/precision_macro", "test/recall_macro"} <= set(test)
    assert any(k.startswith("test/precision/") for k in test) and not any("threshold" in k for k in test)
    rows = [e for e in of_type(events, "curve") if e["kind"] == "confusion" and e["split"] == "test"]
    assert len(rows) == 3 and all(len(e["points"]) == 3 for e in rows)
    assert sum(n for e in rows for _, n in e["points"]) == 64 - 38 - 12  # every test sample counted once


def one_hot(targets):
    out = targets * 0
    out[range(len(targets)), targets.argmax(axis=1)] = 1
    return out


def test_tuned_thresholds_are_reported_and_limits_and_profile_apply(tmp_path):
    config = base_config(dataset={"image_size": 16}, training={
        "phases": [{"name": "all", "epochs": 2, "lr": 3e-3, "train": ["all"]}], "decision_threshold": {"tune": "f1"},
        "limit_train_batches": 2, "limit_val_batches": 1, "profile": {"steps": 2, "skip": 1}})
    code, events = run_inprocess(make_run(tmp_path, n=96, cache_size=16, config=config))
    assert code == 0, events[-3:]
    status = of_type(events, "status")
    assert status[-1]["steps"] == 4  # 2 epochs x 2 batches, though the split has more
    logs = " ".join(e["message"] for e in of_type(events, "log"))
    assert "validating on 16 of" in logs and "profiler trace of 2 training steps" in logs
    trace = os.path.join(tmp_path, "runs", "rtest", "profile", "trace.json")
    trace = json.load(open(trace))
    assert (trace["traceEvents"] if isinstance(trace, dict) else trace)  # torch 2.x: an object; 1.13: a list
    val, test = metrics_of(events, "val/"), metrics_of(events, "test/")
    assert any(k.startswith("val/threshold/") for k in val) and any(k.startswith("test/threshold/") for k in test)
    assert all(0 <= v <= 1 for k, v in test.items() if "/threshold/" in k)

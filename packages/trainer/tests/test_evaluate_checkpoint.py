"""`evaluate --spec`: a run's best checkpoint scored on its own test split gives the run's own test metrics (one
home for the metrics: train.evaluate), and a bad evaluation spec fails with what to fix."""
import json
import os

import pytest

from fixtures import (base_config, cli, detection_config, make_detection_run, make_risk_run, make_run, of_type, read_spec,
                      risk_config, run_inprocess, val_metrics, write_spec)


def evaluate_inprocess(spec_path):
    from trainyard_trainer.evaluate_checkpoint import run_evaluation
    from trainyard_trainer.events import ListEventWriter
    events = ListEventWriter()
    return run_evaluation(spec_path, events), events.events


def evaluation_spec(run_spec, split="test", checkpoint="best", name="eval.json"):
    spec = read_spec(run_spec)
    run_dir = os.path.dirname(run_spec)
    spec["evaluation"] = {"id": "e1", "split": split,
                          "checkpoint": os.path.join(run_dir, "checkpoints", checkpoint, "checkpoint.pt")}
    path = os.path.join(run_dir, name)
    write_spec(path, spec)
    return path


@pytest.mark.parametrize("task,tune", [("multilabel", "f1"), ("multiclass", "none")])
def test_best_checkpoint_on_test_equals_the_runs_own_test_metrics(tmp_path, task, tune):
    config = base_config(training={"task": task, "decision_threshold": {"tune": tune}, "phases": [
        {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"], "bn_update": False},
        {"name": "finetune", "epochs": 2, "lr": 3e-3, "train": ["all"], "warmup_epochs": 1, "schedule": "cosine"}]})
    run_spec = make_run(tmp_path, n=200, config=config)
    code, events = run_inprocess(run_spec)
    assert code == 0
    (own,) = val_metrics(events, "test/").values()

    code, ev = evaluate_inprocess(evaluation_spec(run_spec))
    assert code == 0, ev
    assert ev[-1]["type"] == "done" and ev[-1]["state"] == "completed" and ev[-1]["samples"] > 0
    (metrics,) = of_type(ev, "metrics")
    got = metrics["values"]
    assert set(got) == set(own)
    for key, value in own.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key
    kinds = {c["kind"] for c in of_type(ev, "curve")}
    assert {"roc", "pr"} <= kinds and all(c["split"] == "test" for c in of_type(ev, "curve"))
    if task == "multiclass":
        assert "confusion" in kinds
    # the run's checkpoints are read, never written
    assert sorted(os.listdir(os.path.join(os.path.dirname(run_spec), "checkpoints"))) == ["best", "last"]

    code, ev = evaluate_inprocess(evaluation_spec(run_spec, split="all", checkpoint="last", name="all.json"))
    assert code == 0
    values = of_type(ev, "metrics")[0]["values"]
    assert "all/auc_macro" in values and not any(k.startswith("test/") for k in values)


@pytest.mark.parametrize("task", ["detection", "risk-cox"])
def test_detection_and_risk_evaluations_equal_their_runs_own_test_metrics(tmp_path, task):
    # a Cox model's baseline hazard is estimated at validation and lives in the checkpoint: the evaluation uses it
    if task == "detection":
        run_spec = make_detection_run(tmp_path, n=48, config=detection_config())
    else:
        config = risk_config(model={"arch": "cox"})
        config["training"]["phases"][0]["epochs"] = 2
        run_spec = make_risk_run(tmp_path, n=160, config=config)
    code, events = run_inprocess(run_spec)
    assert code == 0
    (own,) = val_metrics(events, "test/").values()
    code, ev = evaluate_inprocess(evaluation_spec(run_spec))
    assert code == 0, ev[-3:]
    got = of_type(ev, "metrics")[0]["values"]
    assert set(got) == set(own)
    for key, value in own.items():
        if value is None:
            assert got[key] is None, key
        else:
            assert got[key] == pytest.approx(value, abs=1e-6), key
    assert not of_type(ev, "samples")  # the gallery belongs to the run's page


def test_bad_evaluation_specs_fail_with_what_to_fix(tmp_path):
    run_spec = make_run(tmp_path, n=120)
    spec = read_spec(run_spec)
    spec["evaluation"] = {"id": "e1", "split": "train", "checkpoint": "x.pt"}
    path = os.path.join(tmp_path, "bad-split.json")
    write_spec(path, spec)
    code, ev = evaluate_inprocess(path)
    assert code == 2 and "evaluation.split is 'train'; expected one of test, val, all" in ev[-1]["error"]

    spec["evaluation"] = {"id": "e1", "split": "test", "checkpoint": str(tmp_path / "nope.pt")}
    write_spec(path, spec)
    proc = cli("evaluate", "--spec", path)
    out, _ = proc.communicate(timeout=120)
    done = [json.loads(line) for line in out.splitlines()][-1]
    assert proc.returncode == 2 and done["state"] == "failed"
    assert "cannot be loaded" in done["error"] and "pick another checkpoint" in done["error"]

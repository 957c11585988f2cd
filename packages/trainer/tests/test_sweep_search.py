"""The Optuna process: the shared protocol fixture, resuming a study from its journal, samplers and pruners."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainyard_trainer.sweep_search import SweepSearch

REPO = Path(__file__).resolve().parents[3]
FIXTURE = json.loads((REPO / "packages/protocol/fixtures/sweep-protocol.json").read_text())


def shape(v):
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return ["list"]
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def with_dir(req, d):
    return json.loads(json.dumps(req).replace("STUDY_DIR", str(d)))


def test_answers_have_the_fixture_shapes(tmp_path):
    """Run the fixture through the real process over stdin/stdout, as the daemon does."""
    lines = "".join(json.dumps(with_dir(x["request"], tmp_path)) + "\n" for x in FIXTURE["exchanges"])
    env = {**os.environ, "PYTHONPATH": str(REPO / "packages/trainer")}
    out = subprocess.run([sys.executable, "-m", "trainyard_trainer.sweep_search"], input=lines, capture_output=True, text=True, env=env, timeout=120)
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(answers) == len(FIXTURE["exchanges"]), out.stderr
    for x, got in zip(FIXTURE["exchanges"], answers):
        want = x["response"]
        assert shape(got) == shape(want), (x["request"], got)
        for k in ("id", "ok", "number", "prune", "already", "trials", "orphans", "reason"):
            if k in want:
                assert got[k] == want[k], (x["request"], k, got)


def open_req(d, **over):
    study = {**FIXTURE["exchanges"][0]["request"]["study"], "storage": str(d / "study.journal"), **over}
    return {"id": 1, "op": "open", "study": study, "known": []}


def test_a_reopened_study_keeps_its_trials_and_returns_orphans(tmp_path):
    a = SweepSearch()
    a.handle(open_req(tmp_path))
    t0 = a.handle({"id": 2, "op": "ask"})
    t1 = a.handle({"id": 3, "op": "ask"})
    a.handle({"id": 4, "op": "tell", "number": 0, "state": "complete", "value": 0.7})
    # a new process (the daemon restarted) that stored trial 0 only: trial 1 was asked but never launched
    b = SweepSearch()
    opened = b.handle({**open_req(tmp_path), "known": [0]})
    assert opened["trials"] == 2
    assert opened["orphans"] == [{"number": 1, "params": t1["params"]}]
    assert b.handle({"id": 5, "op": "tell", "number": 0, "state": "complete", "value": 0.7})["already"] is True
    assert b.handle({"id": 6, "op": "ask"})["number"] == 2
    assert t0["params"] != t1["params"]


def test_seeded_samplers_repeat_and_grid_covers_every_point(tmp_path):
    def params(d, method, n, space=None):
        s = SweepSearch()
        s.handle(open_req(d, method=method, **({"space": space} if space else {})))
        out = []
        for i in range(n):
            a = s.handle({"id": i, "op": "ask"})
            out.append(a["params"])
            s.handle({"id": i, "op": "tell", "number": a["number"], "state": "complete", "value": float(i % 3)})
        return out

    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "g").mkdir()
    assert params(tmp_path / "a", "tpe", 5) == params(tmp_path / "b", "tpe", 5)
    grid = [{"name": "x", "kind": "categorical", "choices": [1, 2, 3]}, {"name": "y", "kind": "categorical", "choices": ["a", "b"]}]
    points = params(tmp_path / "g", "grid", 6, grid)
    assert sorted((p["x"], p["y"]) for p in points) == [(x, y) for x in (1, 2, 3) for y in ("a", "b")]


@pytest.mark.parametrize("pruner", ["asha", "hyperband", "median"])
def test_each_stopper_prunes_a_clearly_worse_trial(tmp_path, pruner):
    s = SweepSearch()
    s.handle(open_req(tmp_path, pruner={"type": pruner, "min_resource": 1, "max_resource": 9, "reduction_factor": 3}))
    # good trials that ran all nine epochs (enough for each of Hyperband's three brackets)
    for i in range(15 if pruner == "hyperband" else 6):
        n = s.handle({"id": i, "op": "ask"})["number"]
        for step in range(1, 10):
            s.handle({"id": i, "op": "report", "number": n, "step": step, "value": 0.9 + 0.001 * step})
        s.handle({"id": i, "op": "tell", "number": n, "state": "complete", "value": 0.909})
    bad = s.handle({"id": 99, "op": "ask"})["number"]
    pruned = [s.handle({"id": 100 + step, "op": "report", "number": bad, "step": step, "value": 0.1})["prune"] for step in range(1, 10)]
    assert any(pruned), pruner
    nop = SweepSearch()
    (tmp_path / "nop").mkdir()
    nop.handle(open_req(tmp_path / "nop", pruner={"type": "none", "min_resource": 1, "max_resource": 9, "reduction_factor": 3}))
    n = nop.handle({"id": 1, "op": "ask"})["number"]
    assert nop.handle({"id": 2, "op": "report", "number": n, "step": 1, "value": 0.1})["prune"] is False


def test_importance_ranks_the_parameter_that_matters(tmp_path):
    s = SweepSearch()
    s.handle(open_req(tmp_path))
    for i in range(12):
        a = s.handle({"id": i, "op": "ask"})
        lr = a["params"]["training.phases.1.lr"]
        s.handle({"id": i, "op": "tell", "number": a["number"], "state": "complete", "value": -abs(lr - 0.003) * 100})
    imp = s.handle({"id": 50, "op": "importance"})
    assert imp["reason"] is None
    assert max(imp["importance"], key=imp["importance"].get) == "training.phases.1.lr"

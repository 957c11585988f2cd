"""DDP (torchrun-style launcher) on the CPU (gloo, 2 processes): one event stream, rank 0's checkpoints, the same steps."""
import json
import os
import subprocess
import sys

import numpy as np

from fixtures import PACKAGE_ROOT, base_config, make_run, of_type, run_inprocess, val_metrics

CONFIG = base_config(training={"phases": [
    {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"], "bn_update": False},
    {"name": "finetune", "epochs": 2, "lr": 3e-3, "train": ["all"], "schedule": "cosine"}],
    "grad_accum_steps": 2, "log_every_n_steps": 1}, resources={"gpus": 0})


def ddp_run(spec, nproc=2):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT, OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "trainyard_trainer", "train", "--spec", spec, "--processes", str(nproc)],
                          env=env, capture_output=True, text=True, timeout=300)


def test_two_process_ddp_run_reports_once_and_matches_the_step_plan(tmp_path):
    code, single = run_inprocess(make_run(tmp_path / "single", n=200, config=CONFIG))
    assert code == 0
    proc = ddp_run(make_run(tmp_path / "ddp", n=200, config=CONFIG))
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [e["type"] for e in events].count("done") == 1 and events[-1]["state"] == "completed"
    assert any(e["message"].startswith("DDP: 2 processes (gloo)") for e in of_type(events, "log"))
    # rank 0 alone reports: exactly the single-process event plan (status per epoch / step, one curve set)
    assert [(e["step"], e["epoch"]) for e in of_type(events, "status")] == \
        [(e["step"], e["epoch"]) for e in of_type(single, "status")]
    assert sorted(val_metrics(events)) == [1, 2, 3] and len(val_metrics(events, "test/")) == 1
    assert len(of_type(events, "curve")) == len(of_type(single, "curve"))
    # the predictions of both ranks were gathered: the metrics are over the whole validation split
    final = val_metrics(events)[3]
    assert 0.6 < final["val/auc_macro"] <= 1 and np.isfinite(final["val/loss"])
    assert abs(final["val/loss"] - val_metrics(single)[3]["val/loss"]) < 0.2
    ckpt = tmp_path / "ddp/runs/rtest/checkpoints"
    assert sorted(os.listdir(ckpt)) == ["best", "last"]
    assert sorted(os.listdir(ckpt / "best")) == ["checkpoint.pt", "meta.json"]  # no temporary files from rank 1
    import torch
    state = torch.load(ckpt / "last/checkpoint.pt", map_location="cpu")
    assert not any(k.startswith("module.") for k in state["model"])  # the unwrapped model, loadable anywhere
    assert state["step"] == max(e["step"] for e in of_type(single, "metrics"))


def test_a_two_process_risk_run_matches_one_process(tmp_path):
    """Risk through DDP: every view of the global batch gets its draw, the outputs of both ranks are gathered
    before the C-index (a rank-local C-index would differ), and the step plan is the one-process plan."""
    from fixtures import make_risk_run, risk_config
    config = risk_config(training={"phases": [{"name": "all", "epochs": 2, "lr": 3e-3, "train": ["all"]}]},
                         resources={"gpus": 0})
    code, single = run_inprocess(make_risk_run(tmp_path / "single", n=160, config=config))
    assert code == 0
    proc = ddp_run(make_risk_run(tmp_path / "ddp", n=160, config=config))
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["state"] == "completed"
    assert [(e["step"], e["epoch"]) for e in of_type(events, "status")] == \
        [(e["step"], e["epoch"]) for e in of_type(single, "status")]
    a, b = val_metrics(single), val_metrics(events)
    assert sorted(a) == sorted(b) == [1, 2]
    # same data, same draws; only the reduction order of gradients differs (and BatchNorm sees half batches)
    for key in ("val/c_index", "val/auc_year_mean"):
        assert abs(a[2][key] - b[2][key]) < 0.08, (key, a[2][key], b[2][key])
    assert abs(a[2]["val/loss"] - b[2]["val/loss"]) < 0.1

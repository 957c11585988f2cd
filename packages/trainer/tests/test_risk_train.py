"""Risk through the same loop as the other tasks: exams of several views with follow-up learn a per-year risk
(cumulative hazard) or a Cox score, report the C-indices and per-year AUCs beside the oracle's, resume exactly
mid-epoch, mask missing views, refuse bad arrays with what and where, and export all views in, risks out."""
import os
import re

import numpy as np
import pytest
import torch

from fixtures import VIEWS, make_risk_run, of_type, read_spec, risk_config, run_inprocess, val_metrics, with_resume
from trainyard_trainer.checkpoints import load
from trainyard_trainer.export import export_checkpoint
from trainyard_trainer.risk_models import build_risk_model
from trainyard_trainer.risk_models.cox import breslow_baseline, cox_partial_likelihood
from trainyard_trainer.risk_models.cumulative_hazard import year_labels
from trainyard_trainer.spec import resolve_config

KEYS = ["c_index", "c_index_uno", "auc_year/1", "auc_year/2", "auc_year/3", "auc_year/4", "auc_year_mean",
        "c_index_oracle", "loss"]


@pytest.fixture(scope="module", params=["cumulative_hazard", "cox"])
def trained(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    spec = make_risk_run(root, config=risk_config(model={"arch": request.param}))
    code, events = run_inprocess(spec)
    return request.param, spec, code, events


def test_a_risk_run_learns_and_reports_c_indices_and_auc_by_year(trained):
    arch, spec, code, events = trained
    assert code == 0, [e for e in events if e["type"] in ("log", "done")][-3:]
    assert of_type(events, "done")[-1]["state"] == "completed"
    val = val_metrics(events)
    for values in val.values():
        assert all(f"val/{k}" in values for k in KEYS), sorted(values)
    test = val_metrics(events, "test/")
    assert len(test) == 1
    test = next(iter(test.values()))
    assert all(f"test/{k}" in test for k in KEYS)
    # an untrained model ranks at chance (0.5 +- 0.06 on these 48 exams); the oracle's log-hazard reaches 0.65
    assert max(v["val/c_index"] for v in val.values()) > 0.62
    assert test["test/c_index"] >= 0.9 * test["test/c_index_oracle"], test
    assert all(0 <= test[f"test/{k}"] <= 1 for k in KEYS if k != "loss")
    kinds = {(e["split"], e["kind"]) for e in of_type(events, "curve")}
    assert {("val", "auc_by_year"), ("test", "auc_by_year"), ("val", "calibration"), ("test", "calibration")} <= kinds
    by_year = [e for e in of_type(events, "curve") if e["kind"] == "auc_by_year" and e["split"] == "test"][0]
    assert [p[0] for p in by_year["points"]] == [1, 2, 3, 4]
    assert [p[1] for p in by_year["points"]] == pytest.approx([test[f"test/auc_year/{k}"] for k in range(1, 5)], abs=1e-5)


def test_the_checkpoint_carries_the_views_and_the_baseline(trained):
    arch, spec, code, _ = trained
    state = load(os.path.join(read_spec(spec)["run_dir"], "checkpoints", "best", "checkpoint.pt"))
    assert state["task"] == "risk" and state["arch"] == arch and state["views"] == VIEWS
    if arch == "cox":
        h0 = state["model"]["baseline_hazard"].numpy()
        assert (h0 > 0).all() and (np.diff(h0) >= 0).all(), h0  # a cumulative hazard: positive, non-decreasing


def test_export_takes_every_view_and_returns_monotone_risks(trained, tmp_path):
    arch, spec, _, _ = trained
    best = os.path.join(read_spec(spec)["run_dir"], "checkpoints", "best", "checkpoint.pt")
    report = export_checkpoint(best, "torchscript", str(tmp_path / "model.pt"))
    assert report["max_abs_diff"] is not None and report["max_abs_diff"] < 1e-4
    assert report["output_names"] == ["risks"] and list(report["inputs"]) == ["images", "view_mask", "metadata"]
    module = torch.jit.load(str(tmp_path / "model.pt"))
    images = torch.rand(3, 2, 3, 24, 24)
    risks = module(images, torch.ones(3, 2), torch.randn(3, 3))
    assert risks.shape == (3, 4) and (risks.diff(dim=1) >= -1e-7).all() and ((risks >= 0) & (risks <= 1)).all()
    onnx = export_checkpoint(best, "onnx", str(tmp_path / "model.onnx"))
    assert onnx["ok"] and os.path.getsize(tmp_path / "model.onnx") > 0
    assert sorted(os.listdir(tmp_path / "model.onnx.check")) == ["expected.npy", "images.npy", "metadata.npy", "view_mask.npy"]


def test_resume_mid_epoch_gives_the_same_run(tmp_path):
    config = risk_config(training={"phases": [{"name": "all", "epochs": 2, "lr": 3e-3, "train": ["all"]}]})
    code, full = run_inprocess(make_risk_run(tmp_path / "a", config=config))
    assert code == 0
    spec_b = make_risk_run(tmp_path / "b", config=config)
    from trainyard_trainer import train as train_module
    calls = {"n": 0}
    real = train_module.Run.stop_agreed

    def stop_after_some_steps(self):
        calls["n"] += 1
        return calls["n"] == 5 or real(self)
    train_module.Run.stop_agreed = stop_after_some_steps
    try:
        code, first = run_inprocess(spec_b)
    finally:
        train_module.Run.stop_agreed = real
    assert code == 0 and of_type(first, "done")[-1]["state"] == "interrupted"
    last = os.path.join(read_spec(spec_b)["run_dir"], "checkpoints", "last", "checkpoint.pt")
    code, second = run_inprocess(with_resume(spec_b, last))
    assert code == 0
    a, b = val_metrics(full), val_metrics(second)
    assert a.keys() == b.keys()
    for epoch in a:
        for key in ("val/c_index", "val/loss", "val/auc_year_mean"):
            assert a[epoch][key] == pytest.approx(b[epoch][key], abs=1e-6), (epoch, key)


@pytest.mark.parametrize("aggregation", ["mean", "max", "attention"])
def test_a_missing_view_is_masked_out_whatever_its_slot_holds(aggregation):
    torch.manual_seed(0)
    config = risk_config(model={"risk": {"aggregation": aggregation}})
    model = build_risk_model(resolve_config(config), 2, 3, load_weights=False).eval()
    images, metadata = torch.randn(4, 2, 3, 24, 24), torch.randn(4, 3)
    mask = torch.tensor([[1, 0], [1, 1], [0, 1], [1, 0]], dtype=torch.float32)
    noisy = images.clone()
    noisy[mask == 0] = torch.randn_like(noisy[mask == 0]) * 10
    with torch.no_grad():
        a, b = model(images, mask, metadata), model(noisy, mask, metadata)
        full = model(images, torch.ones(4, 2), metadata)
    assert torch.allclose(a, b, atol=1e-6)
    assert not torch.allclose(a[0], full[0], atol=1e-4)  # and the view does count when present


def test_cumulative_risks_are_monotone_in_the_year_by_construction():
    torch.manual_seed(1)
    model = build_risk_model(resolve_config(risk_config()), 2, 3, load_weights=False).eval()
    with torch.no_grad():
        for layer in (model.hazard, model.base_hazard):  # large random heads: any sign of raw hazard
            layer.weight.normal_(0, 3)
        risks = model.risks(model(torch.randn(16, 2, 3, 24, 24), torch.ones(16, 2), torch.randn(16, 3)))
    assert (risks.diff(dim=1) >= 0).all()


def test_year_labels_follow_mirai_masking():
    # years 1..4. event at 2.5: 0, 0, 1, 1 all known; censored at 2.5: 0, 0 known, years 3-4 unknown;
    # event at 6 (after the horizon): 0 for every year; censored at 0.5: nothing known; event at exactly 2: 0, 1, 1, 1
    time = torch.tensor([2.5, 2.5, 6.0, 0.5, 2.0])
    event = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0])
    labels, mask = year_labels(time, event, 4)
    assert labels.tolist() == [[0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 1]]
    assert mask.tolist() == [[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]]


def _brute_partial_likelihood(s, t, e):
    total, events = 0.0, 0
    for i in range(len(s)):
        if e[i]:
            total += s[i] - np.log(sum(np.exp(s[j]) for j in range(len(s)) if t[j] >= t[i]))
            events += 1
    return -total / events


def test_cox_partial_likelihood_matches_breslow_by_hand_with_ties():
    # hand case: times 1, 2, 2, 3 with events 1, 1, 1, 0 and scores 0, ln 2, 0, ln 3:
    # risk sets {all} (sum 1+2+1+3 = 7), {2,2,3} for both tied events (sum 2+1+3 = 6):
    # -[(0 - ln 7) + (ln 2 - ln 6) + (0 - ln 6)] / 3
    s = torch.tensor([0.0, np.log(2), 0.0, np.log(3)], requires_grad=True)
    t, e = torch.tensor([1.0, 2.0, 2.0, 3.0]), torch.tensor([1.0, 1.0, 1.0, 0.0])
    expected = -((0 - np.log(7)) + (np.log(2) - np.log(6)) + (0 - np.log(6))) / 3
    loss = cox_partial_likelihood(s, t, e)
    assert float(loss) == pytest.approx(expected, abs=1e-6)
    loss.backward()
    assert s.grad is not None and torch.isfinite(s.grad).all()
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(2, 30))
        s, t, e = rng.normal(size=n), rng.integers(0, 5, n).astype(float), (rng.random(n) < 0.5).astype(float)
        if not e.any():
            continue
        got = float(cox_partial_likelihood(torch.tensor(s), torch.tensor(t), torch.tensor(e)))
        assert got == pytest.approx(_brute_partial_likelihood(s, t, e), abs=1e-5)
    assert float(cox_partial_likelihood(torch.zeros(3), torch.ones(3), torch.zeros(3))) == 0.0


def test_breslow_baseline_by_hand():
    # scores 0 (risk 1) for all: H0 is Nelson-Aalen. times 1, 2, 2, 3, 4 events 1, 1, 0, 1, 0:
    # at 1: 1/5; at 2: 1/4; at 3: 1/2. H0(1) = .2, H0(2) = .45, H0(3) = .95, H0(4) = .95
    h0 = breslow_baseline(np.zeros(5), np.array([1, 2, 2, 3, 4.0]), np.array([1, 1, 0, 1, 0.0]), [1, 2, 3, 4])
    assert h0 == pytest.approx([0.2, 0.45, 0.95, 0.95], abs=1e-12)
    # scores shift risk: exp(s) = 2 for the first case doubles its weight in every risk set it is in
    h0 = breslow_baseline(np.array([np.log(2), 0, 0]), np.array([1, 2, 3.0]), np.array([1, 1, 0.0]), [1, 2])
    assert h0 == pytest.approx([1 / 4, 1 / 4 + 1 / 2], abs=1e-12)


@pytest.mark.parametrize("tamper, message", [
    (lambda a: a["views"].__setitem__((0, 0), 10 ** 6), "outside the cache"),
    (lambda a: a["views"].__setitem__(0, -1), "has no view at all"),
    (lambda a: a["survival"].__setitem__((0, 0), -1.0), "follow-up must be >= 0"),
    (lambda a: a["survival"].__setitem__((0, 1), 2.0), "events are 0 or 1"),
    (lambda a: a["survival"].__setitem__((slice(None), 1), 0.0), "no events"),
    (lambda a: a.__setitem__("survival", a["survival"][:-1]), r"expected \(240, 2\)"),
])
def test_bad_risk_arrays_are_refused_with_what_and_where(tmp_path, tamper, message):
    code, events = run_inprocess(make_risk_run(tmp_path, tamper=tamper))
    assert code == 2
    error = of_type(events, "done")[-1]["error"]
    assert re.search(message, error), error


def test_a_spec_without_follow_up_is_refused(tmp_path):
    spec = make_risk_run(tmp_path)
    raw = read_spec(spec)
    del raw["data"]["survival"]
    import json
    with open(spec, "w") as f:
        json.dump(raw, f)
    code, events = run_inprocess(spec)
    assert code == 2 and "--time-col C --event-col C" in of_type(events, "done")[-1]["error"]


def test_phases_freeze_the_shared_encoder_by_stage(tmp_path):
    config = risk_config(training={"phases": [
        {"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"], "bn_update": False},
        {"name": "top", "epochs": 1, "lr": 1e-3, "train": ["block4"], "backbone_lr_mult": 0.1}]})
    code, events = run_inprocess(make_risk_run(tmp_path, n=96, config=config))
    assert code == 0, of_type(events, "done")
    logs = [e["message"] for e in of_type(events, "log") if e["message"].startswith("phase ")]
    assert "training heads" in logs[0] and "training block4" in logs[1]
    lrs = [e["values"] for e in of_type(events, "metrics") if "train/lr/backbone" in e["values"]]
    # the second phase trains the encoder's last block alone, at lr x backbone_lr_mult; the heads stay frozen
    assert lrs and lrs[-1]["train/lr/backbone"] == pytest.approx(1e-4) and "train/lr/heads" not in lrs[-1]


def test_a_year_without_controls_is_left_out_with_a_warning(tmp_path):
    # follow-up ends by 6 years (censoring is uniform on 0.5-6), so years 6 to 8 have no controls in any split
    config = risk_config(training={"risk": {"max_followup": 8},
                                   "phases": [{"name": "all", "epochs": 1, "lr": 3e-3, "train": ["all"]}]})
    code, events = run_inprocess(make_risk_run(tmp_path, config=config))
    assert code == 0, of_type(events, "done")
    values = val_metrics(events)[1]
    assert "val/auc_year/5" in values and not any(f"val/auc_year/{k}" in values for k in (6, 7, 8))
    assert values["val/auc_year_mean"] == pytest.approx(np.mean([values[f"val/auc_year/{k}"] for k in range(1, 6)]))
    warnings = [e["message"] for e in of_type(events, "log") if e.get("level") == "warning"]
    assert any("year 7 has no controls in the val split" in w for w in warnings), warnings

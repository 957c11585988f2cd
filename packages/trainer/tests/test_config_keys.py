"""Every config key the schema accepts reaches the code it names, or is refused (issue #17: "options accepted and
ignored").

The leaves of the resolved default config (config_defaults.json, generated from the zod schema; phases as
training.phases[].x) must each be READ by the trainer during a training run, or be declared daemon-side in
packages/config/src/daemon-side-keys.ts (generated into config_defaults.json as daemon_side_keys), whose own test
(daemon/src/runs/config-keys.test.ts) proves the daemon's output changes with each of them.

How a read is seen: tiny in-process trainings, one per task plus the branches that read more keys (sgd, step and
plateau schedules, a non-finite loss), with the spec's config wrapped where load_spec resolves it in a dict that
records every key looked up. check_config's reads do not count: validating a value is not using it.
"""
import copy
import json
import pickle

import pytest

from fixtures import (base_config, detection_config, make_detection_run, make_risk_run, make_run, risk_config,
                      run_inprocess)
import trainyard_trainer.spec as spec_module

DAEMON_SIDE_FILE = "packages/config/src/daemon-side-keys.ts"
PHASES = "training.phases"


class RecordingConfig(dict):
    """A config dict that records the path of every key looked up (d[k], d.get(k)) while `log.on`. Nested dicts and
    the dicts in lists are wrapped once, up front, so the trainer sees one stable object. It pickles, copies and
    serialises as a plain dict (a checkpoint holds the config), and those copies are not watched."""

    def __init__(self, data, path, log):
        super().__init__()
        self._path, self._log = path, log
        for key, value in data.items():
            dict.__setitem__(self, key, wrap(value, self._child(key), log))

    def _child(self, key):
        return f"{self._path}.{key}" if self._path else str(key)

    def _saw(self, key):
        if self._log.on:
            self._log.paths.add(self._child(key))

    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        self._saw(key)
        return value

    def get(self, key, default=None):
        if key in self:
            self._saw(key)
        return dict.get(self, key, default)

    def __reduce_ex__(self, protocol):
        return dict, (plain(self),)

    def __deepcopy__(self, memo):
        return plain(self)


def wrap(value, path, log):
    if isinstance(value, dict):
        return RecordingConfig(value, path, log)
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return [wrap(v, f"{path}[]", log) for v in value]
    return value


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in dict.items(value)}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class ReadLog:
    def __init__(self):
        self.on = True
        self.paths = set()


def leaf_paths(value, path=""):
    """Leaf key paths of a config: a dict recurses, a list of dicts is one element `path[]`, the rest are leaves
    (scalars, null, lists of scalars such as tags and crop_scale)."""
    if isinstance(value, dict):
        out = set()
        for key, child in value.items():
            out |= leaf_paths(child, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return set().union(*(leaf_paths(v, f"{path}[]") for v in value))
    return {path}


def schema_leaves():
    leaves = leaf_paths(spec_module.DEFAULT_CONFIG)
    return leaves | {f"{PHASES}[].{k}" for k in spec_module.DEFAULT_PHASE}


def daemon_side_keys():
    return spec_module._DEFAULTS["daemon_side_keys"]


def run_recorded(spec_path, monkeypatch):
    """Trains in process; returns (exit code, events, the config paths the trainer looked up)."""
    log = ReadLog()
    resolve, check = spec_module.resolve_config, spec_module.check_config

    def check_unwatched(spec):
        log.on = False
        try:
            return check(spec)
        finally:
            log.on = True

    with monkeypatch.context() as m:
        m.setattr(spec_module, "resolve_config", lambda config: RecordingConfig(resolve(config), "", log))
        m.setattr(spec_module, "check_config", check_unwatched)
        code, events = run_inprocess(spec_path)
    return code, events, log.paths


def nonfinite_run(root, monkeypatch):
    """A run whose first training loss is NaN (the branch that reads training.stop_on_nonfinite)."""
    from trainyard_trainer.tasks.classification import ClassificationTask
    train_step = ClassificationTask.train_step

    def nan_step(self, *args, **kwargs):
        loss, parts = train_step(self, *args, **kwargs)
        return loss * float("nan"), parts

    monkeypatch.setattr(ClassificationTask, "train_step", nan_step)
    return make_run(root, n=32, cache_size=16, config=tiny(ONE_EPOCH, optimizer={"name": "adam"}))


def tiny(phases, **training):
    return base_config(dataset={"image_size": 16}, training={"batch_size": 16, "phases": phases, **training})


ONE_EPOCH = [{"name": "all", "epochs": 1, "lr": 3e-3, "train": ["all"]}]

# Each scenario is a tiny run that takes a branch reading keys the others do not (a key read only when a
# value is set belongs to the scenario that sets it). A new branch-only key: add the scenario that reaches it.
SCENARIOS = {
    "multilabel, sgd, constant + step + plateau phases, a bad epoch": lambda root, mp: make_run(
        root, n=48, cache_size=16, config=tiny(
            [{"name": "heads", "epochs": 1, "lr": 3e-3, "train": ["heads"]},
             {"name": "step", "epochs": 1, "lr": 3e-3, "train": ["all"], "schedule": "step"},
             {"name": "plateau", "epochs": 2, "lr": 3e-3, "train": ["heads"], "schedule": "plateau"}],
            optimizer={"name": "sgd", "momentum": 0.9, "nesterov": True}, grad_clip=1.0, grad_accum_steps=2,
            class_weights="balanced",
            # no epoch can improve by 1: the last phase's second epoch is a bad epoch for early stopping
            early_stopping={"min_delta": 1.0, "patience": 5})),
    "multiclass, adamw, cosine": lambda root, mp: make_run(root, n=48, cache_size=16, config=tiny(
        [{"name": "all", "epochs": 1, "lr": 3e-3, "train": ["all"], "schedule": "cosine", "warmup_epochs": 0.5}],
        task="multiclass")),
    "multilabel, adam, a non-finite loss": nonfinite_run,
    "detection": lambda root, mp: make_detection_run(
        root, n=16, config=detection_config(training={"phases": ONE_EPOCH})),
    "risk": lambda root, mp: make_risk_run(root, n=40, cache_size=24, config=risk_config(
        dataset={"image_size": 16}, training={"phases": ONE_EPOCH})),
}


@pytest.fixture(scope="module")
def reads(tmp_path_factory):
    """{scenario: the config paths its run looked up}."""
    out = {}
    for name, make in SCENARIOS.items():
        with pytest.MonkeyPatch.context() as mp:
            _, events, paths = run_recorded(make(tmp_path_factory.mktemp("keys"), mp), mp)
            done = events[-1]
            failing = "non-finite" in name
            assert done["type"] == "done", (name, events[-4:])
            assert done["state"] == ("failed" if failing else "completed"), (name, events[-4:])
            if failing:
                assert "train/loss became NaN" in done["error"], done
            out[name] = paths
    return out


def test_every_schema_key_is_read_by_the_trainer_or_declared_daemon_side(reads):
    read = set().union(*reads.values())
    declared = set(daemon_side_keys())
    unused = sorted(schema_leaves() - read - declared)
    assert not unused, "\n".join(
        f"config key {key} is accepted by the schema but neither the trainer reads it nor is it declared daemon-side "
        f"in {DAEMON_SIDE_FILE}: honour it or refuse it" for key in unused)


def test_the_daemon_side_keys_are_schema_keys_the_trainer_does_not_read(reads):
    leaves = schema_leaves()
    problems = []
    for key in sorted(daemon_side_keys()):
        if key not in leaves:
            problems.append(f"{key} is declared daemon-side in {DAEMON_SIDE_FILE} but is not a key of the schema: "
                            f"remove it there")
        seen = [name for name, paths in reads.items() if key in paths]
        if seen:
            problems.append(f"{key} is declared daemon-side in {DAEMON_SIDE_FILE} but the trainer reads it "
                            f"({seen[0]}): remove it there, the trainer test covers it")
    assert not problems, "\n".join(problems)


def test_the_recorder_sees_reads_and_not_copies_or_validation(reads):
    # the mechanism itself: a read is recorded with its path, phases as training.phases[]; a copy is not watched
    log = ReadLog()
    c = RecordingConfig({"training": {"phases": [{"lr": 1}], "seed": 0}, "tags": []}, "", log)
    c["training"]["phases"][0]["lr"]
    c.get("tags")
    json.dumps(c)
    assert type(pickle.loads(pickle.dumps(c))) is dict and type(copy.deepcopy(c)) is dict
    assert log.paths == {"training", "training.phases", "training.phases[].lr", "tags"}
    assert leaf_paths(plain(c)) == {"training.phases[].lr", "training.seed", "tags"}
    # check_config reads training.risk.missing_views in every run, only to validate it: that is not a read
    assert all("training.seed" in paths and "training.risk.missing_views" not in paths for paths in reads.values())

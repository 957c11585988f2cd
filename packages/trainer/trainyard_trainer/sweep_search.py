"""A sweep's search, driven by the daemon over JSON lines (one Optuna process per sweep).

    python -m trainyard_trainer.sweep_search

Each line on stdin is one request, each line on stdout its answer with the same id; the messages are defined in
packages/protocol/src/sweep-protocol.ts and pinned by packages/protocol/fixtures/sweep-protocol.json. The study
lives in Optuna's JournalStorage file in the sweep's directory (appended and fsync'd per change), so the process
can be killed at any time and opened again; the daemon, not this process, writes SQLite.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import warnings
from typing import Any

import optuna
from optuna.trial import TrialState

TELL_STATES = {"complete": TrialState.COMPLETE, "pruned": TrialState.PRUNED, "fail": TrialState.FAIL}


class GridSearch(optuna.samplers.GridSampler):
    """Optuna's grid, without its study.stop() once every point is taken: that raises outside study.optimize, and
    the daemon already stops asking after the grid's number of trials."""

    def after_trial(self, study, trial, state, values) -> None:
        pass


def make_sampler(spec: dict[str, Any]) -> optuna.samplers.BaseSampler:
    method, seed = spec["method"], spec["seed"]
    if method == "grid":
        return GridSearch({p["name"]: p["choices"] for p in spec["space"]}, seed=seed)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if method == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=spec["startup_trials"])
    raise ValueError(f"unknown method {method!r}")


def make_pruner(p: dict[str, Any]) -> optuna.pruners.BasePruner:
    kind = p["type"]
    if kind == "asha":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=p["min_resource"], reduction_factor=p["reduction_factor"], min_early_stopping_rate=0)
    if kind == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=p["min_resource"], max_resource=p["max_resource"], reduction_factor=p["reduction_factor"])
    if kind == "median":
        # steps are epochs (1-based): no trial is pruned before it has trained min_resource epochs
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=p["min_resource"], interval_steps=1)
    if kind == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"unknown early stopper {kind!r}")


class SweepSearch:
    """The study and the trials in flight; one method per request op."""

    def __init__(self) -> None:
        self.study: optuna.Study | None = None
        self.space: list[dict[str, Any]] = []
        self.trials: dict[int, optuna.Trial] = {}

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.get("op")
        fn = getattr(self, f"op_{op}", None) if isinstance(op, str) else None
        if fn is None:
            raise ValueError(f"unknown op {op!r}")
        if op != "open" and self.study is None:
            raise ValueError("the study is not open (send op open first)")
        return {"id": req["id"], "ok": True, **fn(req)}

    def op_open(self, req: dict[str, Any]) -> dict[str, Any]:
        spec = req["study"]
        self.space = spec["space"]
        storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(spec["storage"]))
        self.study = optuna.create_study(
            study_name=spec["name"], storage=storage, load_if_exists=True,
            direction="maximize" if spec["goal"] == "max" else "minimize",
            sampler=make_sampler(spec), pruner=make_pruner(spec["pruner"]),
        )
        known = set(req["known"])
        orphans = []
        for t in self.study.get_trials(deepcopy=False):
            if t.state == TrialState.RUNNING:
                self.trials[t.number] = optuna.Trial(self.study, t._trial_id)
                if t.number not in known:
                    orphans.append({"number": t.number, "params": self._params(self.trials[t.number], t.params)})
        return {"trials": len(self.study.trials), "orphans": orphans}

    def _params(self, trial: optuna.Trial, known: dict[str, Any] | None = None) -> dict[str, Any]:
        """Suggest every parameter (a trial asked before keeps the values it was given)."""
        out = {}
        for p in self.space:
            name = p["name"]
            if known is not None and name in known:
                out[name] = known[name]
            elif p["kind"] == "categorical":
                out[name] = trial.suggest_categorical(name, p["choices"])
            elif p["kind"] == "int":
                out[name] = trial.suggest_int(name, p["low"], p["high"], step=p["step"], log=p["log"])
            else:
                out[name] = trial.suggest_float(name, p["low"], p["high"], step=p["step"], log=p["log"])
        return out

    def op_ask(self, req: dict[str, Any]) -> dict[str, Any]:
        trial = self.study.ask()
        self.trials[trial.number] = trial
        return {"number": trial.number, "params": self._params(trial)}

    def _trial(self, number: int) -> optuna.Trial:
        if number not in self.trials:
            frozen = self.study.trials[number]
            self.trials[number] = optuna.Trial(self.study, frozen._trial_id)
        return self.trials[number]

    def op_report(self, req: dict[str, Any]) -> dict[str, Any]:
        number = req["number"]
        if self.study.trials[number].state.is_finished():
            return {"prune": False}
        trial = self._trial(number)
        value = float(req["value"])
        if not math.isfinite(value):
            return {"prune": False}  # nothing to rank at this step; the run's own stop_on_nonfinite handles it
        trial.report(value, req["step"])  # a step reported before (a resumed run) is ignored by Optuna
        return {"prune": bool(trial.should_prune())}

    def op_tell(self, req: dict[str, Any]) -> dict[str, Any]:
        number = req["number"]
        if self.study.trials[number].state.is_finished():
            return {"already": True}
        state = TELL_STATES[req["state"]]
        value = req.get("value")
        if state == TrialState.COMPLETE and (value is None or not math.isfinite(value)):
            state = TrialState.FAIL  # a run that never produced its metric cannot rank
        self.study.tell(number, value if state == TrialState.COMPLETE else None, state=state)
        self.trials.pop(number, None)
        return {"already": False}

    def op_importance(self, req: dict[str, Any]) -> dict[str, Any]:
        done = [t for t in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
        method = "fanova"
        if len(done) < 2:
            return {"importance": {}, "method": method, "reason": f"needs at least 2 completed trials ({len(done)} so far; pruned trials do not count)"}
        varying = [p["name"] for p in self.space if len({json.dumps(t.params.get(p["name"])) for t in done}) > 1]
        if not varying:
            return {"importance": {}, "method": method, "reason": "no parameter has taken two values among the completed trials yet"}
        imp = optuna.importance.get_param_importances(self.study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0), params=varying)
        return {"importance": {k: float(v) for k, v in imp.items()}, "method": method, "reason": None}


def main() -> int:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # JournalStorage in 3.1
    logging.basicConfig(stream=sys.stderr)
    search = SweepSearch()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req_id = None
        try:
            req = json.loads(line)
            req_id = req.get("id") if isinstance(req, dict) else None
            out = search.handle(req)
        except Exception as e:  # one bad request is answered, the process goes on
            out = {"id": req_id if isinstance(req_id, int) else None, "ok": False, "error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

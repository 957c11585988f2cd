"""Reading and checking the run spec (spec.json) that the daemon writes for each run.

Every problem found here is a SpecError: a message that says what is wrong, where, and how to fix it.
The trainer turns it into an "error" log event, `done` with state "failed", and exit code 2.
"""
import copy
import json
import os
from dataclasses import dataclass
from typing import Optional

SPLIT_TRAIN, SPLIT_VAL, SPLIT_TEST = 0, 1, 2

# The daemon sends a fully resolved config (packages/config fills every default). Hand-written specs and
# tests may leave keys out: they get the same defaults, generated from the zod schema into
# config_defaults.json (`npm run gen:config-defaults`), so the defaults have one home.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "config_defaults.json"), encoding="utf-8") as _f:
    _DEFAULTS = json.load(_f)
DEFAULT_CONFIG = _DEFAULTS["config"]
DEFAULT_PHASE = _DEFAULTS["phase"]

# what the schema accepts, generated with the defaults, so the trainer refuses exactly what zod refuses
_ENUMS = _DEFAULTS["enums"]
TASKS = tuple(_ENUMS["tasks"])
PRECISIONS = tuple(_ENUMS["precisions"])
OPTIMIZERS = tuple(_ENUMS["optimizers"])
SCHEDULES = tuple(_ENUMS["schedules"])
MODES = tuple(_ENUMS["modes"])
CLASS_WEIGHTS = tuple(_ENUMS["class_weights"])
EXPORT_FORMATS = tuple(_ENUMS["export_formats"])
VIEW_AGGREGATIONS = tuple(_ENUMS["view_aggregations"])
MISSING_VIEWS = tuple(_ENUMS["missing_views"])
THRESHOLD_TUNINGS = tuple(_ENUMS["threshold_tunings"])
# per task: family (its module in tasks/), targets, archs, default arch and monitor, whether "other" applies
TASK_FACTS = _DEFAULTS["tasks"]
# model.<backbone> defaults for the backbones that take options (model.baseline_cnn, model.vit_conv_stem)
BACKBONE_OPTIONS = _DEFAULTS["backbone_options"]


class SpecError(Exception):
    """A problem with the run spec, its arrays or its config that the user has to fix."""


def merge_defaults(defaults, given):
    out = copy.deepcopy(defaults)
    for key, value in (given or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_defaults(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_config(config):
    """The config with every default filled in; the task-dependent ones (arch, monitors, the "other" class)
    follow the task, as packages/config resolves them, for hand-written specs that leave them out."""
    given = config or {}
    config = merge_defaults(DEFAULT_CONFIG, given)
    config["training"]["phases"] = [merge_defaults(DEFAULT_PHASE, p) for p in config["training"]["phases"]]
    backbone = config["model"]["backbone"]
    if backbone in BACKBONE_OPTIONS:
        options = merge_defaults(BACKBONE_OPTIONS[backbone], config["model"].get(backbone))
        if "channels" not in ((given.get("model") or {}).get(backbone) or {}) and "conv_blocks" in options:
            options["channels"] = [32 * 2 ** i for i in range(int(options["conv_blocks"]))]  # as packages/config
        config["model"][backbone] = options
    facts = TASK_FACTS.get(config["training"]["task"])
    if facts:
        g_model, g_training = given.get("model") or {}, given.get("training") or {}
        if "arch" not in g_model:
            config["model"]["arch"] = facts["default_arch"]
        for key in ("early_stopping", "checkpoint"):
            if "monitor" not in (g_training.get(key) or {}):
                config["training"][key]["monitor"] = facts["default_monitor"]
        if "other_class" not in ((given.get("dataset") or {}).get("labels") or {}):
            config["dataset"]["labels"]["other_class"] = facts["other_class"]
    return config


@dataclass
class RunSpec:
    path: str
    run_id: str
    run_dir: str
    config: dict
    classes: list
    images_path: str
    images_shape: tuple
    rows_path: str
    targets_path: str
    metadata_path: Optional[str]
    split_path: str
    metadata_encoder: object
    resume: Optional[str]
    # detection: boxes [B, 6] (sample, class, x0, y0, x1, y1 in cache pixels) and geometry [M, 6] per sample
    boxes_path: Optional[str] = None
    geometry_path: Optional[str] = None
    # risk: views [M, V] (cache row per view slot, -1 missing), survival [M, 2] (years, event), the true
    # log-hazard [M] where the dataset knows it (the synthetic demo), and the view slots' names
    views_path: Optional[str] = None
    survival_path: Optional[str] = None
    oracle_path: Optional[str] = None
    view_names: Optional[list] = None
    # a warm start (model.init_from): the checkpoint file and the reference the user wrote
    init_from: Optional[str] = None
    init_from_ref: Optional[str] = None
    # the daemon's disk-space floor under TRAINYARD_HOME (spec.limits.min_free_bytes); 0 = no check
    min_free_bytes: int = 0


def load_spec(path):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise SpecError(f"spec file not found: {path}. Pass the spec.json the daemon wrote with --spec.")
    try:
        with open(path) as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        raise SpecError(f"spec file {path} is not valid JSON ({e}). Re-create the run so the daemon rewrites it.")
    if not isinstance(raw, dict):
        raise SpecError(f"spec file {path} must hold a JSON object")
    if raw.get("version") != 1:
        raise SpecError(f"{path}: unsupported spec version {raw.get('version')!r}; this trainer reads version 1")
    base = os.path.dirname(path)

    def need(obj, key, where):
        if not isinstance(obj, dict) or obj.get(key) is None:
            raise SpecError(f"{path}: missing field {where}{key}")
        return obj[key]

    def file_path(value, field):
        p = value if os.path.isabs(value) else os.path.join(base, value)
        if not os.path.isfile(p):
            raise SpecError(f"{path}: {field} points to {p}, which does not exist. "
                            f"Check that the dataset cache / run directory is intact, or re-create the run.")
        return p

    classes = need(raw, "classes", "")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) and c for c in classes):
        raise SpecError(f"{path}: classes must be a non-empty list of class names")
    if len(set(classes)) != len(classes):
        raise SpecError(f"{path}: classes contains duplicates: {classes}")
    data = need(raw, "data", "")
    images = need(data, "images", "data.")
    shape = need(images, "shape", "data.images.")
    if not (isinstance(shape, list) and len(shape) == 4 and all(isinstance(s, int) and s > 0 for s in shape) and shape[3] == 3):
        raise SpecError(f"{path}: data.images.shape must be [N, H, W, 3] with positive integers, got {shape!r}")
    metadata = data.get("metadata")
    resume = raw.get("resume")
    resume_path = None
    if resume:
        resume_path = file_path(need(resume, "checkpoint", "resume."), "resume.checkpoint")
    run_dir = raw.get("run_dir") or base
    given_training = (need(raw, "config", "") or {}).get("training") or {}
    if given_training.get("progressive_unfreezing") is not None and "phases" not in given_training:
        raise SpecError(f"{path}: config.training.progressive_unfreezing is a shorthand that packages/config expands "
                        f"into training.phases; submit the config through the daemon, or write the phases out")
    config = resolve_config(need(raw, "config", ""))
    spec = RunSpec(
        path=path,
        run_id=str(raw.get("run_id") or os.path.basename(run_dir)),
        run_dir=os.path.abspath(run_dir),
        config=config,
        classes=list(classes),
        images_path=file_path(need(images, "path", "data.images."), "data.images.path"),
        images_shape=tuple(shape),
        rows_path=file_path(need(data, "rows", "data."), "data.rows"),
        targets_path=file_path(need(data, "targets", "data."), "data.targets"),
        metadata_path=file_path(metadata, "data.metadata") if metadata else None,
        split_path=file_path(need(data, "split", "data."), "data.split"),
        metadata_encoder=data.get("metadata_encoder"),
        resume=resume_path,
        boxes_path=file_path(data["boxes"], "data.boxes") if data.get("boxes") else None,
        geometry_path=file_path(data["geometry"], "data.geometry") if data.get("geometry") else None,
        views_path=file_path(data["views"], "data.views") if data.get("views") else None,
        survival_path=file_path(data["survival"], "data.survival") if data.get("survival") else None,
        oracle_path=file_path(data["oracle"], "data.oracle") if data.get("oracle") else None,
        view_names=list(raw["views"]) if raw.get("views") else None,
        init_from=file_path(need(raw["init_from"], "checkpoint", "init_from."), "init_from.checkpoint")
        if raw.get("init_from") else None,
        init_from_ref=(raw.get("init_from") or {}).get("ref"),
        min_free_bytes=int((raw.get("limits") or {}).get("min_free_bytes") or 0),
    )
    check_config(spec)
    return spec


def check_config(spec):
    """Checks the config values the trainer depends on; the model module checks backbone and stages."""
    c = spec.config
    where = f"{spec.path}: config"
    t = c["training"]

    def one_of(value, allowed, field):
        if value not in allowed:
            raise SpecError(f"{where}.{field} is {value!r}; expected one of {', '.join(map(str, allowed))}")

    one_of(t["task"], TASKS, "training.task")
    one_of(t["precision"], PRECISIONS, "training.precision")
    one_of(t["optimizer"]["name"], OPTIMIZERS, "training.optimizer.name")
    one_of(t["class_weights"], CLASS_WEIGHTS, "training.class_weights")
    one_of(t["decision_threshold"]["tune"], THRESHOLD_TUNINGS, "training.decision_threshold.tune")
    for key in BACKBONE_OPTIONS:
        if key in c["model"] and c["model"]["backbone"] != key:
            raise SpecError(f"{where}.model.{key} configures the {key} backbone but model.backbone is "
                            f"{c['model']['backbone']}; remove model.{key} or set model.backbone: {key}")
    one_of(c["model"]["arch"], TASK_FACTS[t["task"]]["archs"], "model.arch")
    one_of(c["model"]["risk"]["aggregation"], VIEW_AGGREGATIONS, "model.risk.aggregation")
    one_of(t["risk"]["missing_views"], MISSING_VIEWS, "training.risk.missing_views")
    if not isinstance(t["risk"]["max_followup"], int) or not 1 <= t["risk"]["max_followup"] <= 20:
        raise SpecError(f"{where}.training.risk.max_followup must be a whole number of years from 1 to 20, "
                        f"got {t['risk']['max_followup']!r}")
    for i, fmt in enumerate(t.get("export") or []):
        one_of(fmt, EXPORT_FORMATS, f"training.export[{i}]")
    one_of(t["early_stopping"]["mode"], MODES, "training.early_stopping.mode")
    one_of(t["checkpoint"]["mode"], MODES, "training.checkpoint.mode")
    if not isinstance(t["batch_size"], int) or t["batch_size"] < 1:
        raise SpecError(f"{where}.training.batch_size must be a positive integer, got {t['batch_size']!r}")
    if not isinstance(t["grad_accum_steps"], int) or t["grad_accum_steps"] < 1:
        raise SpecError(f"{where}.training.grad_accum_steps must be a positive integer")
    size = c["dataset"]["image_size"]
    if not isinstance(size, int) or size < 8:
        raise SpecError(f"{where}.dataset.image_size must be an integer >= 8, got {size!r}")
    phases = t["phases"]
    if not phases:
        raise SpecError(f"{where}.training.phases is empty; give at least one phase")
    for i, p in enumerate(phases):
        one_of(p["schedule"], SCHEDULES, f"training.phases[{i}].schedule")
        if not isinstance(p["epochs"], int) or p["epochs"] < 0:
            raise SpecError(f"{where}.training.phases[{i}].epochs must be an integer >= 0")
        if not isinstance(p["train"], list) or not p["train"]:
            raise SpecError(f"{where}.training.phases[{i}].train must be a non-empty list (heads, all, or stage names)")
        if not (p["lr"] > 0):
            raise SpecError(f"{where}.training.phases[{i}].lr must be > 0")
    if sum(p["epochs"] for p in phases) < 1:
        raise SpecError(f"{where}.training.phases: the phases add up to 0 epochs")
    for key in ("early_stopping", "checkpoint"):
        monitor = t[key]["monitor"]
        if not (isinstance(monitor, str) and monitor.startswith("val/")):
            raise SpecError(f"{where}.training.{key}.monitor must name a validation metric such as val/auc_macro, got {monitor!r}")

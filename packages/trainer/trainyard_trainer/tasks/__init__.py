"""The tasks the trainer knows, one module each, registered here by the names training.task takes.

A task is what differs between classification, detection and risk; the loop in train.py is the same for all. Each
task object provides:
  load(spec, data)                      read and check the spec arrays it needs beyond the common ones
  build_model(config, classes, metadata_dim, log, load_weights)
  stages(config, model), backbone_prefix(model)   what a phase's `train` list can name, and the backbone group
  prepare(r)                            what it needs decided once per run (the loss, class weights)
  train_step(r, net, images, targets, metadata, idx, n_drawn, take) -> (loss, {component: loss})
  eval_batch(r, net, images, targets, metadata, idx) -> (loss sum, payload)    per evaluation batch
  score(r, shards, n, indices, prefix) -> (values, curves, events)             the split's metrics
  exportable(state) / example_inputs(state) / export_signature(state) / export_example(r)   the export (export.py)
The facts shared with the daemon and the dashboard (targets, archs, default monitor) are declared once in
packages/protocol/src/tasks.ts and reach the trainer through config_defaults.json (spec.TASK_FACTS).
"""
from ..spec import SpecError, TASK_FACTS
from .classification import ClassificationTask
from .detection import DetectionTask
from .risk import RiskTask

FAMILIES = {"classification": ClassificationTask, "detection": DetectionTask, "risk": RiskTask}


def task_for(config):
    """The task object for config.training.task."""
    name = config["training"]["task"]
    facts = TASK_FACTS.get(name)
    if facts is None or facts["family"] not in FAMILIES:
        raise SpecError(f"config.training.task is {name!r}; this trainer implements {', '.join(TASK_FACTS)}")
    return FAMILIES[facts["family"]](name)


def task_of_checkpoint(state):
    """The task object a checkpoint was trained for (export, inspect)."""
    return task_for({"training": {"task": state["task"]}})

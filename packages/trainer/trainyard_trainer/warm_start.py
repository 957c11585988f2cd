"""Warm start (`model.init_from: RUN[:CHECKPOINT]`): a new run begins from a whole Trainyard model, backbone and
heads, instead of only a backbone state dict (`model.pretrained`).

Every tensor whose name and shape match is loaded; the rest keep their fresh initialisation (a classifier for
another number of classes, a metadata branch the old run did not have). The report says exactly which, so a
lab member sees at once whether the warm start took: a run that matches nothing is refused, since that is
always a mistake (another architecture or backbone).
"""
from .checkpoints import load
from .spec import SpecError

_PREFIXES = ("module.", "_orig_mod.")


def _strip(state):
    for prefix in _PREFIXES:
        if state and all(k.startswith(prefix) for k in state):
            state = {k[len(prefix):]: v for k, v in state.items()}
    return state


def warm_start(model, checkpoint_path, ref=None, log=lambda message: None):
    """Loads the matching tensors of a Trainyard checkpoint into `model`; returns the report (also logged)."""
    where = f"model.init_from {ref or checkpoint_path}"
    try:
        state = load(checkpoint_path)
    except Exception as e:  # noqa: BLE001 - any unpickling failure means the same thing to the user
        raise SpecError(f"{where}: cannot load {checkpoint_path} ({e}); name another run or checkpoint")
    if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
        raise SpecError(f"{where}: {checkpoint_path} is not a Trainyard checkpoint (no model state); "
                        f"use model.pretrained for a plain state dict")
    source = _strip(state["model"])
    target = model.state_dict()
    loaded, shape_mismatch, unexpected = {}, [], []
    for name, tensor in source.items():
        if name not in target:
            unexpected.append(name)
        elif tuple(target[name].shape) != tuple(tensor.shape):
            shape_mismatch.append(f"{name} {list(tensor.shape)} -> {list(target[name].shape)}")
        else:
            loaded[name] = tensor
    missing = [name for name in target if name not in source]
    if not loaded:
        raise SpecError(f"{where}: none of its {len(source)} tensors fits this model (its arch "
                        f"{state.get('arch')}/{state.get('backbone')}, task {state.get('task')}); warm-start from a "
                        f"run with the same model.arch and model.backbone")
    model.load_state_dict(loaded, strict=False)
    report = {
        "checkpoint": checkpoint_path, "from_run": state.get("run_id"), "from_epoch": state.get("epoch"),
        "loaded": len(loaded), "total": len(target), "shape_mismatch": shape_mismatch, "missing": missing,
        "unexpected": unexpected,
    }
    detail = "".join(
        f"; {label}: {', '.join(items[:6])}{' ...' if len(items) > 6 else ''}"
        for label, items in (("kept fresh (shape)", shape_mismatch), ("kept fresh (not in the checkpoint)", missing),
                             ("ignored (not in this model)", unexpected)) if items)
    log(f"warm start from {ref or checkpoint_path} (run {state.get('run_id')}, epoch {state.get('epoch')}): "
        f"{len(loaded)} of {len(target)} tensors loaded{detail}")
    return report

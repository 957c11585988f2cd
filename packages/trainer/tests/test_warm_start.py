"""model.init_from: a new run starts from a whole Trainyard model, with a report of what matched."""
import os

import pytest
import torch
import torch.nn as nn

from trainyard_trainer import checkpoints
from trainyard_trainer.spec import SpecError
from trainyard_trainer.warm_start import warm_start


def net(classes, metadata=False):
    torch.manual_seed(classes + 10 * metadata)
    layers = {"backbone": nn.Linear(4, 8), "classifier": nn.Linear(8, classes)}
    if metadata:
        layers["metadata_mlp"] = nn.Linear(2, 8)
    return nn.ModuleDict(layers)


def saved(tmp_path, model, prefix=""):
    state = {"format": checkpoints.FORMAT, "run_id": "old-run", "epoch": 7, "arch": "gen2a", "backbone": "x",
             "task": "multilabel", "model": {prefix + k: v for k, v in model.state_dict().items()}}
    directory = checkpoints.save(str(tmp_path), "best", state, {"epoch": 7})
    return os.path.join(directory, "checkpoint.pt")


def test_loads_what_matches_and_reports_the_rest(tmp_path):
    old = net(3)
    new = net(5, metadata=True)
    fresh_classifier = new["classifier"].weight.clone()
    messages = []
    report = warm_start(new, saved(tmp_path, old), ref="old-run:best", log=messages.append)
    assert torch.equal(new["backbone"].weight, old["backbone"].weight)
    assert torch.equal(new["backbone"].bias, old["backbone"].bias)
    assert torch.equal(new["classifier"].weight, fresh_classifier)  # 3 classes -> 5: kept fresh
    assert report["loaded"] == 2 and report["total"] == 6
    assert report["shape_mismatch"] == ["classifier.weight [3, 8] -> [5, 8]", "classifier.bias [3] -> [5]"]
    assert report["missing"] == ["metadata_mlp.weight", "metadata_mlp.bias"]
    assert report["from_run"] == "old-run" and report["from_epoch"] == 7
    assert messages == [
        "warm start from old-run:best (run old-run, epoch 7): 2 of 6 tensors loaded; kept fresh (shape): "
        "classifier.weight [3, 8] -> [5, 8], classifier.bias [3] -> [5]; kept fresh (not in the checkpoint): "
        "metadata_mlp.weight, metadata_mlp.bias"]


def test_ddp_and_compile_prefixes_are_stripped(tmp_path):
    old = net(3)
    new = net(3)
    report = warm_start(new, saved(tmp_path, old, prefix="module."))
    assert report["loaded"] == 4 and not report["unexpected"]
    assert torch.equal(new["classifier"].weight, old["classifier"].weight)


def test_a_checkpoint_that_fits_nothing_is_refused(tmp_path):
    other = nn.ModuleDict({"encoder": nn.Linear(3, 3)})
    with pytest.raises(SpecError, match=r"model.init_from r:best: none of its 2 tensors fits this model .*same model.arch"):
        warm_start(net(3), saved(tmp_path, other), ref="r:best")


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"w": torch.zeros(2)}, path)
    with pytest.raises(SpecError, match="not a Trainyard checkpoint"):
        warm_start(net(3), str(path))

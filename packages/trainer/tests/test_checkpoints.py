import json
import os
import random

import numpy as np
import torch

from trainyard_trainer import checkpoints


def test_round_trip_keeps_every_field(tmp_path):
    generator = torch.Generator().manual_seed(3)
    state = {
        "format": checkpoints.FORMAT, "model": {"w": torch.arange(6.0).view(2, 3)}, "epoch": 4, "step": 17,
        "config": {"name": "x", "nested": {"list": [1, 2.5, None, True]}}, "classes": ["a", "b"],
        "tracking": {"ranking": [{"epoch": 2, "step": 8, "value": 0.75}], "early_stopping": {"best": None}},
        "rng": checkpoints.rng_state(generator),
    }
    directory = checkpoints.save(str(tmp_path), "best", state, {"epoch": 4, "step": 17})
    assert sorted(os.listdir(directory)) == ["checkpoint.pt", "meta.json"]  # no temporary files left
    loaded = checkpoints.load(os.path.join(directory, "checkpoint.pt"))
    assert torch.equal(loaded["model"]["w"], state["model"]["w"])
    for key in ("epoch", "step", "config", "classes", "tracking"):
        assert loaded[key] == state[key]
    with open(os.path.join(directory, "meta.json")) as f:
        assert json.load(f) == {"epoch": 4, "step": 17}


def test_rng_state_restores_every_generator(tmp_path):
    generator = torch.Generator().manual_seed(1)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    saved = checkpoints.rng_state(generator)
    checkpoints.save(str(tmp_path), "last", {"format": checkpoints.FORMAT, "rng": saved}, {})
    expected = (random.random(), np.random.rand(), torch.rand(1).item(), torch.rand(1, generator=generator).item())
    loaded = checkpoints.load(str(tmp_path / "checkpoints/last/checkpoint.pt"))
    checkpoints.set_rng_state(loaded["rng"], generator)
    assert (random.random(), np.random.rand(), torch.rand(1).item(), torch.rand(1, generator=generator).item()) == expected


def test_overwrite_is_atomic_rename(tmp_path):
    checkpoints.save(str(tmp_path), "last", {"format": checkpoints.FORMAT, "epoch": 1}, {"epoch": 1})
    checkpoints.save(str(tmp_path), "last", {"format": checkpoints.FORMAT, "epoch": 2}, {"epoch": 2})
    assert checkpoints.load(str(tmp_path / "checkpoints/last/checkpoint.pt"))["epoch"] == 2
    assert sorted(os.listdir(tmp_path / "checkpoints/last")) == ["checkpoint.pt", "meta.json"]
    checkpoints.move(str(tmp_path), "last", "top-2")
    assert os.listdir(tmp_path / "checkpoints") == ["top-2"]


def test_non_trainyard_file_is_rejected(tmp_path):
    torch.save({"w": torch.zeros(1)}, tmp_path / "plain.pt")
    try:
        checkpoints.load(str(tmp_path / "plain.pt"))
    except ValueError as e:
        assert "not a Trainyard checkpoint" in str(e)
    else:
        raise AssertionError("expected ValueError")


def test_save_refuses_below_the_disk_floor_and_writes_nothing(tmp_path):
    import pytest
    import shutil as _shutil
    floor = _shutil.disk_usage(str(tmp_path)).free + 2**40  # more than the disk has
    with pytest.raises(checkpoints.DiskSpaceError, match="TRAINYARD_MIN_FREE_MB"):
        checkpoints.save(str(tmp_path), "best", {"format": checkpoints.FORMAT}, {}, min_free_bytes=floor)
    assert not (tmp_path / "checkpoints").exists()
    checkpoints.save(str(tmp_path), "best", {"format": checkpoints.FORMAT}, {}, min_free_bytes=1)
    assert (tmp_path / "checkpoints/best/checkpoint.pt").exists()

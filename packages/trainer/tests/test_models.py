import pytest
import torch
import torchvision

from trainyard_trainer.augment import DeviceAugment
from trainyard_trainer.models import build_model, find_imagenet_weights, model_stages
from trainyard_trainer.spec import SpecError, resolve_config


def config(backbone, pretrained="none", size=32, metadata=True):
    return resolve_config({"model": {"backbone": backbone, "pretrained": pretrained, "image_head": 16,
                                     "metadata": {"enabled": metadata, "hidden": 8}, "fusion": 8},
                           "dataset": {"image_size": size}})


@pytest.mark.parametrize("backbone", ["baseline_cnn", "resnet18", "efficientnet_b0", "convnext_tiny"])
def test_backbones_build_forward_and_stages_cover_all_parameters(backbone):
    c = config(backbone)
    model = build_model(c, 3, 5).eval()
    with torch.no_grad():
        assert model(torch.zeros(2, 3, 32, 32), torch.zeros(2, 5)).shape == (2, 3)
    prefixes = [p for ps in model_stages(c, model).values() for p in ps]
    for name, _ in model.backbone.named_parameters():
        assert any(name == p or name.startswith(p + ".") for p in prefixes), name


def test_image_only_when_metadata_disabled():
    model = build_model(config("baseline_cnn", metadata=False), 2, 5)
    assert model.metadata_mlp is None
    assert model(torch.zeros(2, 3, 32, 32)).shape == (2, 2)


def test_missing_imagenet_weights_names_file_and_directories(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAINYARD_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    with pytest.raises(SpecError) as e:
        build_model(config("resnet50", "imagenet"), 3, 0)
    message = str(e.value)
    assert "resnet50-11ad3fa6.pth" in message and str(tmp_path) in message and str(tmp_path / "hub" / "checkpoints") in message


def test_imagenet_weights_load_from_weights_dir(tmp_path, monkeypatch):
    reference = torchvision.models.resnet18(weights=None)
    torch.save(reference.state_dict(), tmp_path / "resnet18-f37072fd.pth")
    monkeypatch.setenv("TRAINYARD_WEIGHTS_DIR", str(tmp_path))
    assert find_imagenet_weights("resnet18") == str(tmp_path / "resnet18-f37072fd.pth")
    logs = []
    model = build_model(config("resnet18", "imagenet"), 3, 0, log=logs.append)
    assert torch.equal(model.backbone.conv1.weight, reference.conv1.weight)
    assert "ImageNet" in logs[0]


def test_state_dict_path_loads_non_strict_and_reports_counts(tmp_path):
    source = build_model(config("baseline_cnn"), 3, 0)
    state = {f"backbone.{k}": v for k, v in source.backbone.state_dict().items() if not k.startswith("block4")}
    state["backbone.extra.weight"] = torch.zeros(1)
    torch.save(state, tmp_path / "w.pt")
    logs = []
    model = build_model(config("baseline_cnn", str(tmp_path / "w.pt")), 3, 0, log=logs.append)
    assert torch.equal(model.backbone.block1[0].weight, source.backbone.block1[0].weight)
    assert "missing" in logs[0] and "1 unexpected" in logs[0]


def test_augment_is_deterministic_and_identity_without_augmentation():
    x = torch.randint(0, 256, (4, 3, 40, 40), dtype=torch.uint8)
    aug = DeviceAugment({"hflip": 0.5, "vflip": 0.5, "rotate": 20, "crop_scale": [0.7, 1.0], "color_jitter": 0.3}, 32)
    a = aug.train(x, torch.Generator().manual_seed(5))
    b = aug.train(x, torch.Generator().manual_seed(5))
    assert a.shape == (4, 3, 32, 32) and torch.equal(a, b)
    plain = DeviceAugment({"hflip": 0, "vflip": 0, "rotate": 0, "crop_scale": [1, 1], "color_jitter": 0}, 32)
    assert torch.allclose(plain.train(x, torch.Generator().manual_seed(0)), plain.eval(x), atol=1e-4)


def test_gamma_changes_intensities_and_sharded_draws_match_the_whole_batch():
    x = torch.randint(0, 256, (6, 3, 32, 32), dtype=torch.uint8)
    settings = {"hflip": 0.5, "vflip": 0.5, "rotate": 20, "crop_scale": [0.7, 1.0], "color_jitter": 0.3}
    without = DeviceAugment(settings, 32).train(x, torch.Generator().manual_seed(1))
    with_gamma = DeviceAugment({**settings, "gamma": 0.5}, 32)
    full = with_gamma.train(x, torch.Generator().manual_seed(1))
    assert not torch.allclose(full, without, atol=1e-3)
    # gamma is drawn after the other parameters, so everything else is unchanged: a gamma of 1 would match
    one = DeviceAugment({**settings, "gamma": 1e-9}, 32).train(x, torch.Generator().manual_seed(1))
    assert torch.allclose(one, without, atol=1e-4)
    # a DDP rank draws the whole global batch and keeps its rows: the same augmentation as in one process
    take = torch.tensor([1, 3, 5])
    part = with_gamma.train(x[take], torch.Generator().manual_seed(1), n_drawn=6, take=take)
    assert torch.allclose(part, full[take], atol=1e-6)

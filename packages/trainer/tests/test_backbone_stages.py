"""packages/config's stage lists (backbone-stages.ts, through config_defaults.json) match the trainer's models:
progressive unfreezing expands into phases that name them, so a drift would refuse a valid config at run time."""
import pytest

from trainyard_trainer.models import build_model, model_stages
from trainyard_trainer.spec import _DEFAULTS, resolve_config

STAGES = _DEFAULTS["backbone_stages"]


# one backbone per family (resnet18/34/50 and efficientnet_b0..b4 share their stage names)
@pytest.mark.parametrize("backbone", ["resnet18", "efficientnet_b0", "convnext_tiny", "mobilenet_v3_large",
                                      "vit_b_16", "baseline_cnn", "vit_conv_stem"])
def test_config_package_stage_lists_match_the_built_backbone(backbone):
    c = resolve_config({"model": {"backbone": backbone, "pretrained": "none"}, "dataset": {"image_size": 32}})
    model = build_model(c, 2, 0)
    assert list(model_stages(c, model)) == STAGES[backbone]


def test_every_backbone_has_a_stage_list():
    assert set(STAGES) == set(_DEFAULTS["enums"]["backbones"]) and all(STAGES.values())

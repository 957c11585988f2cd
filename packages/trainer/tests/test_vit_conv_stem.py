"""model.backbone vit_conv_stem (vit_conv_stem.py) and the options of baseline_cnn (model.baseline_cnn)."""
import pytest
import torch

from trainyard_trainer.models import build_model, model_stages
from trainyard_trainer.spec import SpecError, resolve_config
from trainyard_trainer.vit_conv_stem import ConvStemViT


def config(backbone, size=32, options=None, **training):
    model = {"backbone": backbone, "pretrained": "none", "image_head": 16, "metadata": {"enabled": False}, "fusion": 8}
    if options is not None:
        model[backbone] = options
    return resolve_config({"model": model, "dataset": {"image_size": size}, "training": training})


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_default_parameter_count_is_about_5m_at_224_px_and_documented():
    # 3137 tokens (56 x 56 + CLS) of 192: the figure docs/trainer.md and vit_conv_stem.py give
    assert count(ConvStemViT(224)) == 5_169_760
    assert count(ConvStemViT(64)) == 4_616_800
    net = ConvStemViT(224)
    assert net.pos_embedding.shape == (1, 56 * 56 + 1, 192) and len(net.encoder.layers) == 10


def test_stem_downsamples_4x_and_the_model_trains_with_stages_covering_every_parameter():
    c = config("vit_conv_stem", options={"dim": 32, "depth": 2, "heads": 4, "mlp_dim": 64})
    model = build_model(c, 3, 0)
    assert model.backbone.stem(torch.zeros(1, 3, 32, 32)).shape == (1, 128, 8, 8)
    out = model(torch.rand(2, 3, 32, 32))
    assert out.shape == (2, 3)
    out.sum().backward()
    stages = model_stages(c, model)
    assert list(stages) == ["stem", "embed", "encoder.layers.0", "encoder.layers.1", "norm"]
    prefixes = [p for ps in stages.values() for p in ps]
    for name, p in model.backbone.named_parameters():
        assert any(name == q or name.startswith(q + ".") for q in prefixes), name
        assert p.grad is not None, name


def test_gradient_checkpointing_gives_the_same_gradients():
    grads = []
    for on in (False, True):
        torch.manual_seed(0)
        c = config("vit_conv_stem", size=16, options={"dim": 32, "depth": 2, "heads": 2, "mlp_dim": 32, "dropout": 0.0},
                   gradient_checkpointing=on)
        model = build_model(c, 2, 0).train()
        assert model.backbone.encoder.gradient_checkpointing is on
        model(torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(1))).sum().backward()
        grads.append(model.backbone.encoder.layers[0].mlp[0].weight.grad.clone())
    assert torch.allclose(grads[0], grads[1], atol=1e-6)


def test_gradient_checkpointing_refused_for_a_cnn():
    with pytest.raises(SpecError, match="training.gradient_checkpointing.*resnet18 does not support it"):
        build_model(config("resnet18", gradient_checkpointing=True), 2, 0)


def test_bad_vit_options_and_sizes_are_refused_with_the_field():
    with pytest.raises(SpecError, match=r"model.vit_conv_stem.heads is 5, which does not divide dim 192"):
        build_model(config("vit_conv_stem", options={"heads": 5}), 2, 0)
    with pytest.raises(SpecError, match="image_size divisible by 4"):
        build_model(config("vit_conv_stem", size=30), 2, 0)


def test_baseline_cnn_options_shape_the_network():
    c = config("baseline_cnn", options={"conv_blocks": 3, "classifier_hidden": 24})
    assert c["model"]["baseline_cnn"]["channels"] == [32, 64, 128]  # filled as packages/config fills it
    model = build_model(c, 2, 0)
    assert list(model_stages(c, model)) == ["block1", "block2", "block3", "hidden"]
    assert model.backbone.out_features == 24 and model(torch.rand(2, 3, 32, 32)).shape == (2, 2)
    c = config("baseline_cnn", options={"channels": [8, 16]})
    assert count(build_model(c, 2, 0).backbone) == (3 * 9 * 8 + 16) + (8 * 9 * 16 + 32)
    with pytest.raises(SpecError, match="4 conv blocks.*image_size 8 is too small"):
        build_model(config("baseline_cnn", size=8), 2, 0)

"""Model definitions: torchvision backbones (or a small CPU-friendly CNN) fused with a metadata MLP (gen2a).

gen2a:  image -> backbone -> Dropout -> Linear(image_head) -> ReLU  ┐
        metadata -> Linear(hidden) -> ReLU -> Dropout -> Linear(hidden) -> ReLU ┴ concat
        -> Linear(fusion) -> ReLU -> Dropout -> Linear(num_classes)
Without metadata (model.metadata.enabled false, or the run has none) the metadata branch is absent.

Backbone stages (names usable in a phase's `train` list), see STAGES / backbone_stages():
  resnet*:          stem (conv1 + bn1), layer1, layer2, layer3, layer4
  efficientnet_b*:  features.0 .. features.8
  convnext_tiny:    features.0 .. features.7 (even = stem/downsampling, odd = stages), norm
  vit_b_16:         embed (conv_proj, class token, position embedding), encoder.layers.0 .. 11, encoder.ln
  mobilenet_v3_large: features.0 .. features.16
  baseline_cnn:     block1 .. block<conv_blocks> (model.baseline_cnn), and hidden when classifier_hidden is set
  vit_conv_stem:    stem, embed, encoder.layers.0 .. <depth-1>, norm (vit_conv_stem.py; model.vit_conv_stem)
Options of a backbone live under model.<backbone> (model.baseline_cnn, model.vit_conv_stem); packages/config
refuses them under another backbone and fills their defaults, generated into config_defaults.json.
Detectors (fcos, retinanet, faster_rcnn, ssdlite, faster_rcnn_mobilenet) live in detectors.py.
"""
import inspect
import os

import torch
import torch.nn as nn
import torchvision

from .spec import SpecError
from .vit_conv_stem import DOWNSAMPLING, ConvStemViT

# torchvision builder -> name of its weights enum; the standard file names come from the enum's URLs.
WEIGHTS_ENUMS = {
    "resnet18": "ResNet18_Weights", "resnet34": "ResNet34_Weights", "resnet50": "ResNet50_Weights",
    "efficientnet_b0": "EfficientNet_B0_Weights", "efficientnet_b1": "EfficientNet_B1_Weights",
    "efficientnet_b2": "EfficientNet_B2_Weights", "efficientnet_b3": "EfficientNet_B3_Weights",
    "efficientnet_b4": "EfficientNet_B4_Weights", "convnext_tiny": "ConvNeXt_Tiny_Weights",
    "vit_b_16": "ViT_B_16_Weights", "mobilenet_v3_large": "MobileNet_V3_Large_Weights",
}
BACKBONES = tuple(WEIGHTS_ENUMS) + ("baseline_cnn", "vit_conv_stem")
# Backbones whose layers can be recomputed in the backward pass (training.gradient_checkpointing): the
# transformers. A CNN's BatchNorm would update its running statistics a second time on every recompute.
GRADIENT_CHECKPOINTING = ("vit_conv_stem", "vit_b_16")


def _torch_version():
    return tuple(int("".join(ch for ch in part if ch.isdigit()) or 0) for part in torch.__version__.split(".")[:2])


# torch 1.13's weights_only unpickler cannot read Python floats (optimizer hyperparameters), so the safe
# loader is used from torch 2.1 on, where it reads everything a Trainyard checkpoint holds.
_SAFE_LOAD = "weights_only" in inspect.signature(torch.load).parameters and _torch_version() >= (2, 1)


def torch_load(path):
    """torch.load on the CPU, refusing pickled code where this torch version can (weights_only)."""
    if _SAFE_LOAD:
        return torch.load(path, map_location="cpu", weights_only=True)
    if "weights_only" in inspect.signature(torch.load).parameters:
        return torch.load(path, map_location="cpu", weights_only=False)
    return torch.load(path, map_location="cpu")


class BaselineCNN(nn.Module):
    """conv-BN-ReLU-maxpool blocks (one per width in `channels`), global average pooling, and optionally a hidden
    Linear-ReLU layer of `classifier_hidden` units: fast enough to train on a CPU."""

    def __init__(self, channels=(32, 64, 128, 256), classifier_hidden=None):
        super().__init__()
        c_in = 3
        self.blocks = len(channels)
        for i, c_out in enumerate(channels):
            block = nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            )
            setattr(self, f"block{i + 1}", block)
            c_in = c_out
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.hidden = None
        if classifier_hidden:
            self.hidden = nn.Sequential(nn.Linear(c_in, classifier_hidden), nn.ReLU(inplace=True))
            c_in = classifier_hidden
        self.out_features = c_in

    def forward(self, x):
        for i in range(self.blocks):
            x = getattr(self, f"block{i + 1}")(x)
        x = torch.flatten(self.pool(x), 1)
        return x if self.hidden is None else self.hidden(x)


def backbone_options(config):
    """The options of the configured backbone (model.<backbone>), or None for backbones that take none."""
    m = config["model"]
    return m.get(m["backbone"]) if m["backbone"] in ("baseline_cnn", "vit_conv_stem") else None


def build_backbone(name, image_size, options=None):
    """The full network, ImageNet classifier included so that standard weight files load exactly; `options` are
    the backbone's own (model.baseline_cnn, model.vit_conv_stem; backbone_options)."""
    o = options or {}
    if name == "baseline_cnn":
        channels = list(o.get("channels") or (32, 64, 128, 256))
        if 2 ** len(channels) > image_size:
            raise SpecError(f"config.model.baseline_cnn has {len(channels)} conv blocks, each halving the image: "
                            f"dataset.image_size {image_size} is too small; use at most "
                            f"{max(1, image_size.bit_length() - 1)} blocks or a larger image size")
        return BaselineCNN(channels, o.get("classifier_hidden"))
    if name == "vit_conv_stem":
        if image_size % DOWNSAMPLING:
            raise SpecError(f"vit_conv_stem needs dataset.image_size divisible by {DOWNSAMPLING} (its stem downsamples "
                            f"4x), got {image_size}")
        dim, heads = int(o.get("dim", 192)), int(o.get("heads", 3))
        if dim % heads:
            raise SpecError(f"config.model.vit_conv_stem.heads is {heads}, which does not divide dim {dim}; "
                            f"choose heads so that dim / heads is a whole number")
        return ConvStemViT(image_size, dim=dim, depth=int(o.get("depth", 10)), heads=heads,
                           mlp_dim=int(o.get("mlp_dim", 768)), dropout=float(o.get("dropout", 0.1)))
    if name not in WEIGHTS_ENUMS:
        raise SpecError(f"config.model.backbone is {name!r}; expected one of {', '.join(BACKBONES)}")
    builder = getattr(torchvision.models, name)
    if name == "vit_b_16":
        if image_size % 16:
            raise SpecError(f"vit_b_16 needs dataset.image_size divisible by 16 (and 224 for ImageNet weights), got {image_size}")
        return builder(weights=None, image_size=image_size)
    return builder(weights=None)


def strip_classifier(name, net):
    """Replaces the ImageNet classifier with Identity and returns the feature dimension."""
    if name in ("baseline_cnn", "vit_conv_stem"):
        return net.out_features
    if name.startswith("resnet"):
        dim, net.fc = net.fc.in_features, nn.Identity()
    elif name.startswith("efficientnet"):
        dim, net.classifier = net.classifier[1].in_features, nn.Identity()
    elif name.startswith("convnext"):
        dim, net.classifier[2] = net.classifier[2].in_features, nn.Identity()
    elif name == "vit_b_16":
        dim, net.heads = net.hidden_dim, nn.Identity()
    elif name.startswith("mobilenet"):
        dim, net.classifier = net.classifier[0].in_features, nn.Identity()
    else:
        raise SpecError(f"unknown backbone {name!r}")
    return dim


def backbone_stages(name, net):
    """Stage name -> parameter-name prefixes inside the backbone (a prefix covers 'prefix' and 'prefix.*')."""
    if name == "baseline_cnn":
        stages = {f"block{i}": [f"block{i}"] for i in range(1, net.blocks + 1)}
        if net.hidden is not None:
            stages["hidden"] = ["hidden"]
        return stages
    if name == "vit_conv_stem":
        return net.stages()
    if name.startswith("resnet"):
        return {"stem": ["conv1", "bn1"], **{f"layer{i}": [f"layer{i}"] for i in range(1, 5)}}
    if name.startswith("efficientnet") or name.startswith("convnext") or name.startswith("mobilenet"):
        stages = {f"features.{i}": [f"features.{i}"] for i in range(len(net.features))}
        if name.startswith("convnext"):
            stages["norm"] = ["classifier.0"]  # the LayerNorm before the (removed) ImageNet classifier
        return stages
    if name == "vit_b_16":
        stages = {"embed": ["conv_proj", "class_token", "encoder.pos_embedding"]}
        stages.update({f"encoder.layers.{i}": [f"encoder.layers.encoder_layer_{i}"] for i in range(len(net.encoder.layers))})
        stages["encoder.ln"] = ["encoder.ln"]
        return stages
    raise SpecError(f"unknown backbone {name!r}")


def weights_filenames(name):
    enum = getattr(torchvision.models, WEIGHTS_ENUMS[name])
    default = os.path.basename(enum.DEFAULT.url)
    return [default] + [os.path.basename(w.url) for w in enum if os.path.basename(w.url) != default]


def weights_dirs():
    dirs = []
    if os.environ.get("TRAINYARD_WEIGHTS_DIR"):
        dirs.append(os.environ["TRAINYARD_WEIGHTS_DIR"])
    dirs.append(os.path.join(torch.hub.get_dir(), "checkpoints"))
    return dirs


def find_imagenet_weights(name):
    if name not in WEIGHTS_ENUMS:
        raise SpecError(f"backbone {name} has no ImageNet weights; set model.pretrained to none or to a state-dict path")
    names, dirs = weights_filenames(name), weights_dirs()
    for d in dirs:
        for fname in names:
            if os.path.isfile(os.path.join(d, fname)):
                return os.path.join(d, fname)
    raise SpecError(
        f"ImageNet weights for {name} not found: expected {names[0]} in $TRAINYARD_WEIGHTS_DIR "
        f"({os.environ.get('TRAINYARD_WEIGHTS_DIR') or 'not set'}) or {dirs[-1]}. The trainer never downloads; "
        f"copy the torchvision file there, or set model.pretrained to none or to a state-dict path.")


def load_pretrained(name, net, pretrained, log):
    """Loads ImageNet weights (exact match) or a user state dict (strict=False) into the full backbone."""
    if pretrained in (None, "none", False):
        return
    if pretrained == "imagenet":
        path = find_imagenet_weights(name)
        net.load_state_dict(torch_load(path))
        log(f"loaded ImageNet weights for {name} from {path}")
        return
    path = os.path.expanduser(str(pretrained))
    if not os.path.isfile(path):
        raise SpecError(f"config.model.pretrained is {pretrained!r}: expected imagenet, none, or the path of a state dict; "
                        f"{path} does not exist")
    try:
        state = torch_load(path)
    except Exception as e:  # noqa: BLE001 - any unpickling failure means the same thing to the user
        raise SpecError(f"config.model.pretrained: cannot load {path} as a state dict ({e})")
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]  # a Trainyard checkpoint: take its backbone
    if not isinstance(state, dict):
        raise SpecError(f"config.model.pretrained: {path} does not hold a state dict")
    for prefix in ("module.", "_orig_mod.", "backbone."):
        if any(k.startswith(prefix) for k in state):
            state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    result = net.load_state_dict(state, strict=False)
    log(f"loaded backbone weights from {path}: {len(state) - len(result.unexpected_keys)} tensors used, "
        f"{len(result.missing_keys)} missing, {len(result.unexpected_keys)} unexpected")


class CheckpointedSequential(nn.Sequential):
    """nn.Sequential whose children are recomputed in the backward pass while training (same state-dict keys)."""

    def forward(self, x):
        from torch.utils.checkpoint import checkpoint
        for layer in self:
            x = checkpoint(layer, x, use_reentrant=False) if self.training and x.requires_grad else layer(x)
        return x


def enable_gradient_checkpointing(name, net):
    """training.gradient_checkpointing: trades a second forward pass of each transformer layer for its
    activations' memory. Refused for backbones without transformer layers (GRADIENT_CHECKPOINTING)."""
    if name not in GRADIENT_CHECKPOINTING:
        raise SpecError(f"config.training.gradient_checkpointing is on but backbone {name} does not support it; "
                        f"it applies to {', '.join(GRADIENT_CHECKPOINTING)}: turn it off or change model.backbone")
    if name == "vit_conv_stem":
        net.encoder.gradient_checkpointing = True
    else:  # torchvision's ViT: encoder.layers is an nn.Sequential of encoder_layer_<i>
        net.encoder.layers = CheckpointedSequential(net.encoder.layers._modules)


def metadata_branch(metadata_dim, hidden, dropout):
    """Gen2A's metadata MLP (two Linear-ReLU layers, dropout between), shared by the risk models' encoder; None
    without metadata. Its layer names are the checkpoints' (metadata_mlp.0, metadata_mlp.3)."""
    if metadata_dim <= 0:
        return None
    return nn.Sequential(nn.Linear(metadata_dim, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
                         nn.Linear(hidden, hidden), nn.ReLU(inplace=True))


class Gen2A(nn.Module):
    def __init__(self, backbone, feature_dim, num_classes, metadata_dim, image_head, metadata_hidden, fusion, dropout):
        super().__init__()
        self.backbone = backbone
        self.image_head = nn.Sequential(nn.Dropout(dropout), nn.Linear(feature_dim, image_head), nn.ReLU(inplace=True))
        self.metadata_mlp = metadata_branch(metadata_dim, metadata_hidden, dropout)
        fused = image_head + (metadata_hidden if self.metadata_mlp is not None else 0)
        self.fusion = nn.Sequential(nn.Linear(fused, fusion), nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.classifier = nn.Linear(fusion, num_classes)

    def forward(self, images, metadata=None):
        x = self.image_head(self.backbone(images))
        if self.metadata_mlp is not None:
            x = torch.cat([x, self.metadata_mlp(metadata)], dim=1)
        return self.classifier(self.fusion(x))


def build_model(config, num_classes, metadata_dim, log=lambda message: None, load_weights=True):
    """Builds the model a config describes; `load_weights=False` skips pretrained loading (checkpoint restore)."""
    m = config["model"]
    if m["arch"] != "gen2a":
        raise SpecError(f"config.model.arch is {m['arch']!r}; this trainer implements gen2a")
    name = m["backbone"]
    net = build_backbone(name, config["dataset"]["image_size"], backbone_options(config))
    if load_weights:
        load_pretrained(name, net, m["pretrained"], log)
    feature_dim = strip_classifier(name, net)
    if config["training"]["gradient_checkpointing"]:
        enable_gradient_checkpointing(name, net)
    if not m["metadata"]["enabled"]:
        metadata_dim = 0
    return Gen2A(net, feature_dim, num_classes, metadata_dim, m["image_head"], m["metadata"]["hidden"],
                 m["fusion"], m["dropout"])


def model_stages(config, model):
    return backbone_stages(config["model"]["backbone"], model.backbone)

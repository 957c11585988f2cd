"""Detection models: torchvision's detectors over the backbones Trainyard already has, built without any download.

  fcos                    FCOS over a ResNet FPN (P3-P7), model.detector.head_convs convolutions per branch
  retinanet               RetinaNet v2 (GroupNorm heads, P6/P7 from C5) over a ResNet FPN
  faster_rcnn             Faster R-CNN v2 (two-conv RPN head, four-conv box head with BatchNorm) over a ResNet FPN
  ssdlite                 SSDlite over MobileNetV3-Large (the CPU-friendly one)
  faster_rcnn_mobilenet   Faster R-CNN over a MobileNetV3-Large FPN

The backbone is built and loaded exactly as for classification (models.build_backbone / load_pretrained: an
ImageNet file from disk, a state dict, or nothing), then handed to torchvision's feature extractor; torchvision's
builders are never asked for weights. Images arrive at dataset.image_size already (the cache is letterboxed), so
the detectors' own transform only normalises: it never resizes (a resize to the same size still costs an
interpolation per image).

Class c of the run is label c + 1 inside the model (torchvision keeps 0 for the background in every detector);
`Detector.forward` hides that: targets and predictions carry the run's class indices.

Stages for phase `train` lists: ResNets `stem`, `layer1` .. `layer4`; MobileNetV3 `features.0` .. `features.16`;
`heads` is everything else (FPN, RPN, box and class heads).

model.detector: fpn_channels (256 as torchvision; FPN-based archs) and head_convs (4; fcos): a smaller FPN and head
are what makes a ResNet-18 FCOS train on a CPU in minutes.
"""
from functools import partial
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from torchvision.models.detection import FCOS, FasterRCNN, RetinaNet
from torchvision.models.detection.ssd import SSD
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection import ssdlite as tv_ssdlite
from torchvision.models.detection.anchor_utils import AnchorGenerator, DefaultBoxGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN, _mobilenet_extractor
from torchvision.models.detection.faster_rcnn import FastRCNNConvFCHead
from torchvision.models.detection.fcos import FCOSHead
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.models.detection.rpn import RPNHead
from torchvision.models.detection.transform import GeneralizedRCNNTransform
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

from .augment import IMAGENET_MEAN, IMAGENET_STD
from .models import build_backbone, load_pretrained
from .spec import SpecError

RESNETS = ("resnet18", "resnet34", "resnet50")
MOBILENETS = ("mobilenet_v3_large",)
ARCH_BACKBONES = {
    "fcos": RESNETS, "retinanet": RESNETS, "faster_rcnn": RESNETS,
    "ssdlite": MOBILENETS, "faster_rcnn_mobilenet": MOBILENETS,
}
# torchvision's loss names -> the components the dashboard charts (train/loss/<component>)
LOSS_COMPONENTS = {
    "classification": "class", "bbox_regression": "box", "bbox_ctrness": "centerness",
    "loss_classifier": "class", "loss_box_reg": "box", "loss_objectness": "objectness", "loss_rpn_box_reg": "rpn_box",
}
# every box with at least this score is kept (mAP needs the low-score tail; the gallery's slider filters)
KEEP_SCORE = 0.05


class FixedSizeTransform(GeneralizedRCNNTransform):
    """torchvision's detection transform without the resize: batches arrive at the model's input size."""

    def resize(self, image: torch.Tensor, target: Optional[Dict[str, torch.Tensor]] = None
               ) -> Tuple[torch.Tensor, Optional[Dict[str, torch.Tensor]]]:
        return image, target


def _fpn(net, channels, extra_blocks=None, returned_layers=(1, 2, 3, 4), norm_layer=None):
    """A ResNet FPN as torchvision's _resnet_fpn_extractor builds it, with `channels` outputs; nothing frozen
    (freezing is the phases' job: requires_grad per stage)."""
    return_layers = {f"layer{k}": str(v) for v, k in enumerate(returned_layers)}
    stage2 = net.inplanes // 8
    return BackboneWithFPN(net, return_layers, [stage2 * 2 ** (i - 1) for i in returned_layers], channels,
                           extra_blocks=extra_blocks, norm_layer=norm_layer)


def _c5_channels(net):
    return net.layer4[-1].conv3.out_channels if hasattr(net.layer4[-1], "conv3") else net.layer4[-1].conv2.out_channels


def build_fcos(num_classes, net, size, d, opts):
    ch = opts["fpn_channels"]
    backbone = _fpn(net, ch, extra_blocks=LastLevelP6P7(ch, ch), returned_layers=[2, 3, 4])
    anchors = AnchorGenerator(tuple((s,) for s in (8, 16, 32, 64, 128)), ((1.0,),) * 5)
    head = FCOSHead(ch, 1, num_classes, num_convs=opts["head_convs"])
    return FCOS(backbone, num_classes, anchor_generator=anchors, head=head, score_thresh=KEEP_SCORE,
                detections_per_img=d["max_detections"])


def build_retinanet(num_classes, net, size, d, opts):
    ch = opts["fpn_channels"]
    backbone = _fpn(net, ch, extra_blocks=LastLevelP6P7(_c5_channels(net), ch), returned_layers=[2, 3, 4])
    sizes = tuple((x, int(x * 2 ** (1.0 / 3)), int(x * 2 ** (2.0 / 3))) for x in (16, 32, 64, 128, 256))
    anchors = AnchorGenerator(sizes, ((0.5, 1.0, 2.0),) * len(sizes))
    head = RetinaNetHead(backbone.out_channels, anchors.num_anchors_per_location()[0], num_classes,
                         norm_layer=partial(nn.GroupNorm, min(32, ch // 4)))
    head.regression_head._loss_type = "giou"
    return RetinaNet(backbone, num_classes, anchor_generator=anchors, head=head, score_thresh=KEEP_SCORE,
                     detections_per_img=d["max_detections"])


def build_faster_rcnn(num_classes, net, size, d, opts):
    backbone = _fpn(net, opts["fpn_channels"], norm_layer=nn.BatchNorm2d)
    sizes = ((16,), (32,), (64,), (128,), (256,))
    anchors = AnchorGenerator(sizes, ((0.5, 1.0, 2.0),) * len(sizes))
    rpn_head = RPNHead(backbone.out_channels, anchors.num_anchors_per_location()[0], conv_depth=2)
    box_head = FastRCNNConvFCHead((backbone.out_channels, 7, 7), [256, 256, 256, 256], [1024], norm_layer=nn.BatchNorm2d)
    return FasterRCNN(backbone, num_classes, rpn_anchor_generator=anchors, rpn_head=rpn_head, box_head=box_head,
                      box_score_thresh=KEEP_SCORE, box_detections_per_img=d["max_detections"])


def build_faster_rcnn_mobilenet(num_classes, net, size, d, opts):
    backbone = _mobilenet_extractor(net, True, 6)
    sizes = ((16, 32, 64, 128, 256),) * 3
    anchors = AnchorGenerator(sizes, ((0.5, 1.0, 2.0),) * len(sizes))
    return FasterRCNN(backbone, num_classes, rpn_anchor_generator=anchors, box_score_thresh=KEEP_SCORE,
                      box_detections_per_img=d["max_detections"])


def build_ssdlite(num_classes, net, size, d, opts):
    norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.03)
    backbone = tv_ssdlite._mobilenet_extractor(net, 6, norm_layer)
    anchors = DefaultBoxGenerator([[2, 3] for _ in range(6)], min_ratio=0.2, max_ratio=0.95)
    out_channels = det_utils.retrieve_out_channels(backbone, (size, size))
    head = tv_ssdlite.SSDLiteHead(out_channels, anchors.num_anchors_per_location(), num_classes, norm_layer)
    return SSD(backbone, anchors, (size, size), num_classes, head=head, score_thresh=KEEP_SCORE, nms_thresh=0.55,
               detections_per_img=d["max_detections"], topk_candidates=300)


BUILDERS = {
    "fcos": build_fcos, "retinanet": build_retinanet, "faster_rcnn": build_faster_rcnn,
    "ssdlite": build_ssdlite, "faster_rcnn_mobilenet": build_faster_rcnn_mobilenet,
}


class Detector(nn.Module):
    """A torchvision detector that takes and returns the run's class indices, on fixed-size batches in [0, 1].

    forward(images [N, 3, S, S], targets) in training mode -> {component: loss}; in eval mode -> per image
    (boxes [K, 4] xyxy in input pixels, scores [K], labels [K]), at most max_detections, scores >= KEEP_SCORE.
    targets: per image (boxes float [G, 4] in input pixels, labels int64 [G]).
    """

    def __init__(self, arch, backbone_name, det):
        super().__init__()
        self.arch, self.backbone_name = arch, backbone_name
        self.det = det

    @property
    def backbone_prefix(self):
        return "det.backbone.body." if isinstance(self.det, (FCOS, RetinaNet, FasterRCNN)) else "det.backbone.features."

    def stages(self):
        """Stage name -> parameter-name prefixes relative to backbone_prefix."""
        if self.backbone_name in RESNETS:
            return {"stem": ["conv1", "bn1"], **{f"layer{i}": [f"layer{i}"] for i in range(1, 5)}}
        if isinstance(self.det, SSD):  # SSDlite splits the features in two sequences at C4
            return {f"features.{i}": [str(i)] for i in range(len(self.det.backbone.features))}
        return {f"features.{i}": [str(i)] for i in range(len(self.det.backbone.body))}

    def forward(self, images, targets=None):
        if self.training:
            if targets is None:
                raise ValueError("a detector in training mode needs targets")
            tv_targets = [{"boxes": b, "labels": lab + 1} for b, lab in targets]
            return self.det(list(images), tv_targets)
        out = self.det(list(images))
        return [(o["boxes"], o["scores"], o["labels"] - 1) for o in out]


def build_detector(config, num_classes, log=lambda message: None, load_weights=True):
    m = config["model"]
    arch, name = m["arch"], m["backbone"]
    if arch not in BUILDERS:
        raise SpecError(f"config.model.arch is {arch!r}; detectors are {', '.join(BUILDERS)}")
    if name not in ARCH_BACKBONES[arch]:
        raise SpecError(f"config.model.backbone {name} does not fit model.arch {arch}; use one of "
                        f"{', '.join(ARCH_BACKBONES[arch])}")
    size = int(config["dataset"]["image_size"])
    net = build_backbone(name, size)
    if load_weights:
        load_pretrained(name, net, m["pretrained"], log)
    det = BUILDERS[arch](num_classes + 1, net, size, config["training"]["detection"], m["detector"])
    # normalisation happens here, once; batches arrive in [0, 1] at the input size
    det.transform = FixedSizeTransform(size, size, list(IMAGENET_MEAN), list(IMAGENET_STD))
    return Detector(arch, name, det)


def loss_components(losses):
    """torchvision's loss dict -> (total loss, {component: loss tensor})."""
    parts = {LOSS_COMPONENTS.get(k, k): v for k, v in losses.items()}
    return sum(parts.values()), parts

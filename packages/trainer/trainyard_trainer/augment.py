"""Augmentation and normalisation of whole uint8 batches on the device (no per-sample PIL, no workers).

Random resized crop, flips and rotation are folded into one affine grid per sample and applied with a single
grid_sample; colour jitter is brightness/contrast/saturation; gamma raises [0, 1] intensities to a random power.
Random parameters are drawn on the CPU from a dedicated torch.Generator (saved in checkpoints), so augmentation is
reproducible on any device. Under DDP every rank draws the parameters of the whole global batch and keeps its own
rows (`take`), so the samples get the same augmentation as in a one-process run.
"""
import inspect
import math

import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_HAS_ANTIALIAS = "antialias" in inspect.signature(F.interpolate).parameters


def resize(x, size):
    """Resizes a float NCHW batch to size x size (antialiased when shrinking, as a cache may be larger)."""
    if x.shape[-2:] == (size, size):
        return x
    kwargs = {"antialias": True} if _HAS_ANTIALIAS and x.shape[-1] > size else {}
    return F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, **kwargs)


class DeviceAugment:
    """`normalize=False` leaves batches in [0, 1] (detectors normalise inside); `padding` is grid_sample's
    padding_mode for what the affine brings in from outside the image."""

    def __init__(self, augment, image_size, mean=IMAGENET_MEAN, std=IMAGENET_STD, normalize=True, padding="reflection"):
        self.hflip = float(augment.get("hflip", 0) or 0)
        self.vflip = float(augment.get("vflip", 0) or 0)
        self.rotate = float(augment.get("rotate", 0) or 0)
        self.crop_scale = tuple(augment.get("crop_scale") or (1.0, 1.0))
        self.color_jitter = float(augment.get("color_jitter", 0) or 0)
        self.gamma = float(augment.get("gamma", 0) or 0)
        self.image_size = image_size
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)
        self._mean_std = {}
        self.normalizes = normalize
        self.padding = padding

    def normalize(self, x):
        if not self.normalizes:
            return x
        key = (x.device, x.dtype)
        if key not in self._mean_std:  # one copy per device: no host-to-device transfer per batch
            self._mean_std[key] = (self.mean.to(x.device, x.dtype), self.std.to(x.device, x.dtype))
        mean, std = self._mean_std[key]
        return (x - mean) / std

    def eval(self, images):
        """uint8 NCHW -> normalised float at image_size (resize only)."""
        return self.normalize(resize(images.float() / 255.0, self.image_size))

    def draw(self, n, generator):
        """Random parameters for n samples, drawn on the CPU: (theta [n,2,3], jitter [3,n] or None, gamma [n] or None)."""
        theta = self._affine(n, generator)
        jitter = None
        if self.color_jitter > 0:
            j = self.color_jitter
            jitter = 1 - j + 2 * j * torch.rand(3, n, generator=generator)
        gamma = None
        if self.gamma > 0:
            g = self.gamma
            gamma = torch.exp(math.log(1 / (1 + g)) + 2 * math.log(1 + g) * torch.rand(n, generator=generator))
        return theta, jitter, gamma

    def train(self, images, generator, n_drawn=None, take=None):
        """uint8 NCHW -> augmented, normalised float at image_size.

        Draws parameters for `n_drawn` samples (default: the batch) and uses rows `take` of them (default: all).
        """
        return self._train(images, generator, n_drawn, take)[0]

    def train_with_boxes(self, images, generator, boxes, n_drawn=None, take=None, min_kept=0.3, min_side=2.0):
        """train() for detection: `boxes` per image as (xyxy [G, 4] in image_size pixels, labels [G]) go through
        the same affine as the pixels. A box becomes the enclosing box of its four transformed corners (exact for
        flips, crops and scaling; a rotation widens it), clipped to the image; it is dropped when less than
        `min_kept` of it stays inside or a side falls under `min_side` pixels. Returns (images, boxes)."""
        x, theta = self._train(images, generator, n_drawn, take)
        return x, [affine_boxes(theta[i], b, lab, self.image_size, min_kept, min_side) for i, (b, lab) in enumerate(boxes)]

    def _train(self, images, generator, n_drawn, take):
        x = resize(images.float() / 255.0, self.image_size)
        theta, jitter, gamma = self.draw(n_drawn or x.shape[0], generator)
        if take is not None:
            theta = theta[take]
            jitter = None if jitter is None else jitter[:, take]
            gamma = None if gamma is None else gamma[take]
        theta, jitter, gamma = (_to_device(p, x.device) for p in (theta, jitter, gamma))
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode=self.padding, align_corners=False)
        if jitter is not None:
            x = self._jitter(x, jitter)
        if gamma is not None:
            x = x.clamp_min(1e-6) ** gamma.view(-1, 1, 1, 1)
        return self.normalize(x), theta

    def _affine(self, n, g):
        # Output pixel (u, v) in [-1, 1]^2 samples input centre + R(angle) diag(w, h) diag(fx, fy) (u, v).
        lo, hi = self.crop_scale
        scale = lo + (hi - lo) * torch.rand(n, generator=g)
        log_ratio = math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * torch.rand(n, generator=g)
        ratio = torch.exp(log_ratio)
        w, h = torch.sqrt(scale * ratio), torch.sqrt(scale / ratio)
        # A side that overflows the image is clipped to it and the other side keeps the sampled area.
        w, h = torch.where(w > 1, torch.ones_like(w), torch.where(h > 1, scale, w)), \
            torch.where(h > 1, torch.ones_like(h), torch.where(w > 1, scale, h))
        cx = (1 - w) * (2 * torch.rand(n, generator=g) - 1)
        cy = (1 - h) * (2 * torch.rand(n, generator=g) - 1)
        fx = torch.where(torch.rand(n, generator=g) < self.hflip, -1.0, 1.0)
        fy = torch.where(torch.rand(n, generator=g) < self.vflip, -1.0, 1.0)
        angle = math.radians(self.rotate) * (2 * torch.rand(n, generator=g) - 1)
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.stack([
            torch.stack([cos * w * fx, -sin * h * fy, cx], dim=1),
            torch.stack([sin * w * fx, cos * h * fy, cy], dim=1),
        ], dim=1)
        return theta

    @staticmethod
    def _jitter(x, factors):
        brightness, contrast, saturation = factors.view(3, -1, 1, 1, 1)
        x = (x * brightness).clamp(0, 1)
        gray = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        x = ((x - gray.mean(dim=(2, 3), keepdim=True)) * contrast + gray.mean(dim=(2, 3), keepdim=True)).clamp(0, 1)
        gray = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        return ((x - gray) * saturation + gray).clamp(0, 1)


def affine_boxes(theta, boxes, labels, size, min_kept=0.3, min_side=2.0):
    """Maps boxes (xyxy pixels of a size x size image) through one sample's affine_grid theta.

    theta maps output coordinates to input ones in [-1, 1] (align_corners=False: pixel edges at -1 and 1), so a
    point of the input lands at A^-1 (p - t) in the output."""
    if boxes.shape[0] == 0:
        return boxes, labels
    theta = theta.to(boxes.device, torch.float32)
    a, t = theta[:, :2], theta[:, 2]
    inv = torch.linalg.inv(a) if hasattr(torch, "linalg") else torch.inverse(a)
    x0, y0, x1, y1 = boxes.unbind(1)
    corners = torch.stack([torch.stack([x0, y0], 1), torch.stack([x1, y0], 1), torch.stack([x0, y1], 1),
                           torch.stack([x1, y1], 1)], 1)  # [G, 4, 2]
    normalised = corners * (2.0 / size) - 1.0
    mapped = (normalised - t) @ inv.T
    pixels = (mapped + 1.0) * (size / 2.0)
    lo, hi = pixels.min(dim=1).values, pixels.max(dim=1).values
    full = (hi - lo).prod(dim=1)
    lo, hi = lo.clamp(0, size), hi.clamp(0, size)
    side = hi - lo
    keep = (side.min(dim=1).values >= min_side) & (side.prod(dim=1) >= min_kept * full.clamp_min(1e-9))
    return torch.cat([lo, hi], dim=1)[keep], labels[keep]


def _to_device(t, device):
    # Pinned + non_blocking: a pageable host-to-GPU copy would wait for every queued kernel each step.
    if t is None or device.type != "cuda":
        return t
    return t.pin_memory().to(device, non_blocking=True)

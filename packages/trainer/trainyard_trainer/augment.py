"""Augmentation and normalisation of whole uint8 batches on the device (no per-sample PIL, no workers).

Random resized crop, flips and rotation are folded into one affine grid per sample and applied with a single
grid_sample; colour jitter is brightness/contrast/saturation. Random parameters are drawn on the CPU from a
dedicated torch.Generator (saved in checkpoints), so augmentation is reproducible on any device.
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
    def __init__(self, augment, image_size, mean=IMAGENET_MEAN, std=IMAGENET_STD):
        self.hflip = float(augment.get("hflip", 0) or 0)
        self.vflip = float(augment.get("vflip", 0) or 0)
        self.rotate = float(augment.get("rotate", 0) or 0)
        self.crop_scale = tuple(augment.get("crop_scale") or (1.0, 1.0))
        self.color_jitter = float(augment.get("color_jitter", 0) or 0)
        self.image_size = image_size
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)

    def normalize(self, x):
        return (x - self.mean.to(x.device)) / self.std.to(x.device)

    def eval(self, images):
        """uint8 NCHW -> normalised float at image_size (resize only)."""
        return self.normalize(resize(images.float() / 255.0, self.image_size))

    def train(self, images, generator):
        """uint8 NCHW -> augmented, normalised float at image_size."""
        x = resize(images.float() / 255.0, self.image_size)
        n = x.shape[0]
        theta = self._affine(n, generator).to(x.device)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
        if self.color_jitter > 0:
            x = self._jitter(x, generator)
        return self.normalize(x)

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

    def _jitter(self, x, g):
        n, j = x.shape[0], self.color_jitter
        factors = (1 - j + 2 * j * torch.rand(3, n, generator=g)).to(x.device).view(3, n, 1, 1, 1)
        brightness, contrast, saturation = factors
        x = (x * brightness).clamp(0, 1)
        gray = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        x = ((x - gray.mean(dim=(2, 3), keepdim=True)) * contrast + gray.mean(dim=(2, 3), keepdim=True)).clamp(0, 1)
        gray = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        return ((x - gray) * saturation + gray).clamp(0, 1)

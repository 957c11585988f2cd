"""The reference: a training loop written the way the seed systems wrote theirs, done competently.

A torch Dataset opens each JPEG with PIL and applies torchvision transforms per sample on the CPU; a DataLoader
with one worker per core, persistent workers, pinned memory on a GPU, non_blocking copies; fp32. Same model
(Gen2A from trainyard_trainer.models), optimizer, loss and batch size as the trainer. Prints one JSON line.

Usage: python reference_trainer.py --job job.json   (written by train_speed.py)
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "trainer"))
from trainyard_trainer.models import build_model  # noqa: E402
from trainyard_trainer.spec import resolve_config  # noqa: E402


class JpegDataset(torch.utils.data.Dataset):
    def __init__(self, paths, targets, metadata, transform):
        self.paths, self.targets, self.metadata, self.transform = paths, targets, metadata, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with Image.open(self.paths[i]) as im:
            image = self.transform(im.convert("RGB"))
        return image, torch.from_numpy(self.targets[i]), torch.from_numpy(self.metadata[i])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--job", required=True)
    job = json.load(open(parser.parse_args().job))
    torch.manual_seed(0)
    config = resolve_config(job["config"])
    a, size = config["augment"], config["dataset"]["image_size"]
    transform = transforms.Compose([
        transforms.RandomResizedCrop(size, scale=tuple(a["crop_scale"])),
        transforms.RandomHorizontalFlip(a["hflip"]),
        transforms.RandomVerticalFlip(a["vflip"]),
        transforms.RandomRotation(a["rotate"]),
        transforms.ColorJitter(a["color_jitter"], a["color_jitter"], a["color_jitter"]),
        transforms.ToTensor(),
        transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ])
    targets = np.load(job["targets"]).astype(np.float32)
    metadata = np.load(job["metadata"]).astype(np.float32)
    dataset = JpegDataset(job["paths"], targets, metadata, transform)
    device = torch.device(job["device"])
    cuda = device.type == "cuda"
    workers = job["workers"]
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=job["batch_size"], shuffle=True, drop_last=True, num_workers=workers,
        persistent_workers=workers > 0, pin_memory=cuda, generator=torch.Generator().manual_seed(0))
    model = build_model(config, targets.shape[1], metadata.shape[1]).to(device)
    model.train()
    lr = config["training"]["phases"][0]["lr"]
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=config["training"]["optimizer"]["weight_decay"])
    warmup, steps = job["warmup_steps"], job["steps"]
    step, start = 0, None
    while step < warmup + steps:
        for images, y, m in loader:
            if step == warmup:
                if cuda:
                    torch.cuda.synchronize()
                start = time.perf_counter()
            images = images.to(device, non_blocking=True)
            y, m = y.to(device, non_blocking=True), m.to(device, non_blocking=True)
            loss = F.binary_cross_entropy_with_logits(model(images, m), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            if step == warmup + steps:
                break
    if cuda:
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    print(json.dumps({"images_per_s": steps * job["batch_size"] / elapsed, "seconds": elapsed, "steps": steps,
                      "loss": float(loss), "workers": workers}), flush=True)


if __name__ == "__main__":
    main()

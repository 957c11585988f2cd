"""The detection reference: a training loop written the way torchvision's references/detection does it.

A Dataset opens each JPEG with PIL, scales it to the model size keeping its aspect (letterbox, the same geometry
as the trainer's cache), converts it with ToTensor and flips it with its boxes (references/detection/transforms.py
RandomHorizontalFlip), per sample on the CPU; a DataLoader with one worker per core and a list collate
(utils.collate_fn); the same detector (trainyard_trainer.detectors), optimizer and batch size as the trainer; fp32.
Prints one JSON line: images per second over the timed steps.

Usage: python detection_reference.py --job job.json   (written by detection_train_speed.py)
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import functional as TF

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "trainer"))
from trainyard_trainer.detectors import build_detector  # noqa: E402
from trainyard_trainer.spec import resolve_config  # noqa: E402


class DetectionJpegs(torch.utils.data.Dataset):
    def __init__(self, paths, boxes, labels, size):
        self.paths, self.boxes, self.labels, self.size = paths, boxes, labels, size

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        with Image.open(self.paths[i]) as im:
            im = im.convert("RGB")
            w, h = im.size
            s = self.size / max(w, h)
            nw, nh = round(w * s), round(h * s)
            canvas = Image.new("RGB", (self.size, self.size))
            px, py = (self.size - nw) // 2, (self.size - nh) // 2
            canvas.paste(im.resize((nw, nh), Image.BILINEAR), (px, py))
        image = TF.to_tensor(canvas)
        boxes = torch.tensor(self.boxes[i], dtype=torch.float32).reshape(-1, 4)
        boxes = boxes * torch.tensor([nw / w, nh / h, nw / w, nh / h]) + torch.tensor([px, py, px, py])
        if torch.rand(1).item() < 0.5:  # references/detection RandomHorizontalFlip
            image = image.flip(-1)
            boxes = boxes[:, [2, 1, 0, 3]] * torch.tensor([-1, 1, -1, 1]) + torch.tensor([self.size, 0, self.size, 0])
        return image, (boxes, torch.tensor(self.labels[i], dtype=torch.int64))


def collate(batch):
    return tuple(zip(*batch))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--job", required=True)
    job = json.load(open(p.parse_args().job))
    config = resolve_config(job["config"])
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = build_detector(config, len(job["classes"]), load_weights=False).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    data = DetectionJpegs(job["paths"], job["boxes"], job["labels"], config["dataset"]["image_size"])
    loader = torch.utils.data.DataLoader(data, batch_size=job["batch_size"], shuffle=True, num_workers=job["workers"],
                                         collate_fn=collate, persistent_workers=job["workers"] > 0, drop_last=True)
    steps, warmup, start, done = job["steps"], job["warmup_steps"], None, 0
    while done < warmup + steps:
        for images, targets in loader:
            losses = model(torch.stack(images), list(targets))
            loss = sum(losses.values())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            done += 1
            if done == warmup:
                start = time.time()
            if done == warmup + steps:
                break
    seconds = time.time() - start
    print(json.dumps({"images_per_s": steps * job["batch_size"] / seconds, "seconds": seconds}))


if __name__ == "__main__":
    main()

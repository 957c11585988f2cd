"""The PyTorch side of a prediction, as the trainer computes it: a checkpoint's export module (normalisation, the
network, the output activation: tasks/*.py exportable) on an image exactly as training and evaluation read it
(a uint8 row of the run's image cache, then augment.resize of x / 255) and the run's encoded metadata row.

  check: prints the outputs as JSON (daemon/test/predict.test.ts compares the daemon's answer with them)
  time:  also times the forward pass per image, in ms (bench/predict/predict-latency.ts)

usage: python torch_reference.py CHECKPOINT CACHE.u8 CACHE_SIZE CACHE_ROW [METADATA.npy METADATA_ROW]
                                 [--time N] [--threads T]
"""
import json
import sys
import time

import numpy as np
import torch

from trainyard_trainer.augment import resize
from trainyard_trainer.checkpoints import load
from trainyard_trainer.export import exportable


def _option(argv, name, default):
    """Removes `name VALUE` from argv; returns VALUE (or the default)."""
    if name not in argv:
        return default
    i = argv.index(name)
    value = argv[i + 1]
    del argv[i:i + 2]
    return value


def main(argv):
    repeat = int(_option(argv, "--time", 0))
    threads = int(_option(argv, "--threads", 0))
    if threads:
        torch.set_num_threads(threads)
    checkpoint, cache, size, row = argv[0], argv[1], int(argv[2]), int(argv[3])
    state = load(checkpoint)
    module = exportable(state)
    pixels = np.array(np.memmap(cache, dtype=np.uint8, mode="r").reshape(-1, size, size, 3)[row])
    image = resize(torch.from_numpy(np.ascontiguousarray(pixels)).permute(2, 0, 1)[None].float() / 255.0, int(state["image_size"]))
    inputs = (image,)
    if len(argv) > 4:
        metadata = np.load(argv[4])[int(argv[5])]
        inputs += (torch.from_numpy(np.ascontiguousarray(metadata, dtype=np.float32))[None],)
    with torch.no_grad():
        out = module(*inputs)
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            module(*inputs)
            times.append((time.perf_counter() - t) * 1000)
    outputs = [o.tolist() for o in (out if isinstance(out, (tuple, list)) else [out])]
    print(json.dumps({"outputs": outputs, "ms": times, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main(sys.argv[1:])

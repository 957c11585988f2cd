"""Reference image-cache build, the usual Python way: PIL open + EXIF transpose + RGB + resize (shorter
side to SIZE, centre crop) + write into a numpy memmap, one process per core (multiprocessing.Pool).

    python3 bench/data/cache_build_reference.py LIST_FILE OUT_FILE SIZE [RESAMPLE]
LIST_FILE holds one absolute image path per line. Prints the images/s as JSON. RESAMPLE (a PIL filter
name, BILINEAR by default) is for the benchmark's quality check only: the timed reference is BILINEAR.
"""
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image, ImageOps

LIST, OUT, SIZE = sys.argv[1], sys.argv[2], int(sys.argv[3])
RESAMPLE = getattr(Image, sys.argv[4] if len(sys.argv) > 4 else "BILINEAR")


def work(args):
    i, path = args
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    w, h = img.size
    s = SIZE / min(w, h)
    img = img.resize((max(SIZE, round(w * s)), max(SIZE, round(h * s))), RESAMPLE)
    w, h = img.size
    left, top = (w - SIZE) // 2, (h - SIZE) // 2
    arr = np.asarray(img.crop((left, top, left + SIZE, top + SIZE)), dtype=np.uint8)
    out = np.memmap(OUT, dtype=np.uint8, mode="r+", shape=(N, SIZE, SIZE, 3))
    out[i] = arr
    del out
    return i


paths = [p for p in open(LIST).read().split("\n") if p]
N = len(paths)

if __name__ == "__main__":
    np.memmap(OUT, dtype=np.uint8, mode="w+", shape=(N, SIZE, SIZE, 3)).flush()
    t = time.perf_counter()
    with Pool(os.cpu_count()) as pool:
        for _ in pool.imap_unordered(work, enumerate(paths), chunksize=32):
            pass
    dt = time.perf_counter() - t
    print(json.dumps({"images": N, "seconds": dt, "images_per_s": N / dt, "processes": os.cpu_count()}))

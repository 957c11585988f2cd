"""Starts one trainer process per rank on this machine (what `torchrun --standalone` does), forwards SIGTERM /
SIGINT to them, and returns rank 0's exit code (or the first failure). Used by `train` when a run has several
GPUs, and with `--processes N` on the CPU (gloo). The trainer also runs under a real torchrun: it only reads
WORLD_SIZE / RANK / LOCAL_RANK / MASTER_ADDR / MASTER_PORT. (torch 1.13's torchrun cannot start on Python 3.11:
its Std flag parsing returns None, hence this launcher.)
"""
import os
import signal
import socket
import subprocess
import sys
import time

GRACE_S = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(spec_path, nproc):
    port = str(free_port())
    children = []
    for rank in range(nproc):
        env = dict(os.environ, WORLD_SIZE=str(nproc), RANK=str(rank), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(nproc),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // nproc)))
        children.append(subprocess.Popen([sys.executable, "-m", "trainyard_trainer", "train", "--spec", spec_path],
                                         env=env))

    def forward(signum, frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        failed_at = None
        while any(c.poll() is None for c in children):
            time.sleep(0.2)
            failures = [c for c in children if c.poll() not in (None, 0)]
            if failures and failed_at is None:
                failed_at = time.time()  # the others would wait for it in a collective forever
                forward(signal.SIGTERM, None)
            if failed_at is not None and time.time() - failed_at > GRACE_S:
                for c in children:
                    if c.poll() is None:
                        c.kill()
        codes = [c.returncode for c in children]
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if codes[0] != 0:
        return codes[0]
    return next((c for c in codes if c != 0), 0)

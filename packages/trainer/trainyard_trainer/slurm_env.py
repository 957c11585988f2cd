"""A Slurm task's environment → torch's env:// rendezvous (WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE,
GROUP_RANK, MASTER_ADDR, MASTER_PORT), so that `srun --nodes=N --ntasks-per-node=G python -m trainyard_trainer
train` runs N×G DDP processes with no launcher: the trainer reads the same variables as under torchrun.

Only a job step's tasks count (SLURM_STEP_ID set): a batch script also has SLURM_PROCID=0 and SLURM_NTASKS=N×G,
and a trainer started there directly must stay one process, not wait for ranks that never come. Variables
torchrun (or the user) already set win, so torchrun's env:// path is unchanged.

The master is the first node of the step, its address what `scontrol show hostnames` gives, or the node's
NodeAddr when that name does not resolve (node names are not always host names: a single-host test cluster
names its nodes n1, n2 on 127.0.0.1). The port comes from the job and step ids, so concurrent jobs sharing a
node do not collide, and stays out of Linux's ephemeral range (32768-60999).
"""
import os
import re
import socket
import subprocess

PORT_BASE = 20000
PORT_SPAN = 12000


class SlurmEnvError(RuntimeError):
    pass


def is_slurm_step(env):
    return bool(env.get("SLURM_STEP_ID", env.get("SLURM_STEPID"))) and "SLURM_PROCID" in env


def tasks_per_node(spec):
    """Slurm's compressed counts, e.g. "2(x3),1" → [2, 2, 2, 1]."""
    out = []
    for part in spec.split(","):
        m = re.fullmatch(r"\s*(\d+)(?:\(x(\d+)\))?\s*", part)
        if not m:
            raise SlurmEnvError(f"cannot read SLURM_STEP_TASKS_PER_NODE={spec!r} (expected e.g. '2(x3),1')")
        out += [int(m.group(1))] * int(m.group(2) or 1)
    return out


def master_port(job_id, step_id):
    return PORT_BASE + (job_id * 10 + step_id) % PORT_SPAN


def rendezvous(env, hostnames=None, node_addr=None):
    """The env:// variables for this Slurm task, or {} when it is not a task of a multi-task step.

    `hostnames(nodelist)` expands a node list and `node_addr(name)` gives a node's address; both default to
    scontrol (injectable for tests)."""
    if not is_slurm_step(env):
        return {}
    def num(name, *fallbacks):
        for key in (name, *fallbacks):
            if env.get(key, "") != "":
                try:
                    return int(env[key])
                except ValueError:
                    raise SlurmEnvError(f"{key}={env[key]!r} is not a number") from None
        raise SlurmEnvError(f"{name} is not set in this Slurm task's environment")

    world = num("SLURM_STEP_NUM_TASKS", "SLURM_NTASKS")
    if world < 2:
        return {}
    rank = num("SLURM_PROCID")
    node = num("SLURM_NODEID")
    per_node = env.get("SLURM_STEP_TASKS_PER_NODE") or env.get("SLURM_TASKS_PER_NODE")
    counts = tasks_per_node(per_node) if per_node else None
    local_world = counts[node] if counts and node < len(counts) else world
    out = {"WORLD_SIZE": str(world), "RANK": str(rank), "LOCAL_RANK": str(num("SLURM_LOCALID")),
           "LOCAL_WORLD_SIZE": str(local_world), "GROUP_RANK": str(node)}
    if not env.get("MASTER_ADDR"):
        nodelist = env.get("SLURM_STEP_NODELIST") or env.get("SLURM_JOB_NODELIST") or env.get("SLURM_NODELIST")
        if not nodelist:
            raise SlurmEnvError("neither SLURM_STEP_NODELIST nor SLURM_JOB_NODELIST is set: cannot find the master node")
        first = (hostnames or scontrol_hostnames)(nodelist)[0]
        out["MASTER_ADDR"] = first if resolves(first) else (node_addr or scontrol_node_addr)(first)
    if not env.get("MASTER_PORT"):
        out["MASTER_PORT"] = str(master_port(num("SLURM_JOB_ID", "SLURM_JOBID"), num("SLURM_STEP_ID", "SLURM_STEPID")))
    return out


def apply(environ=os.environ):
    """Sets the rendezvous variables in `environ` when this process is a Slurm task (and torchrun's are not
    already there); returns what it set."""
    if environ.get("WORLD_SIZE"):
        return {}
    found = rendezvous(environ)
    environ.update(found)
    return found


def resolves(name):
    try:
        socket.getaddrinfo(name, None)
        return True
    except OSError:
        return False


def scontrol(*args):
    try:
        res = subprocess.run(["scontrol", *args], capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise SlurmEnvError("scontrol is not on PATH in this Slurm task: the trainer needs it to find the master "
                            "node (or set MASTER_ADDR in the job script)") from None
    if res.returncode != 0:
        raise SlurmEnvError(f"scontrol {' '.join(args)} failed: {res.stderr.strip() or res.stdout.strip()}")
    return res.stdout


def scontrol_hostnames(nodelist):
    names = scontrol("show", "hostnames", nodelist).split()
    if not names:
        raise SlurmEnvError(f"scontrol show hostnames {nodelist} gave no host")
    return names


def scontrol_node_addr(name):
    m = re.search(r"\bNodeAddr=(\S+)", scontrol("show", "node", "-o", name))
    if not m:
        raise SlurmEnvError(f"node {name} does not resolve and scontrol shows no NodeAddr for it")
    return m.group(1)

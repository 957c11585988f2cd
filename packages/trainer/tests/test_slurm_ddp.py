"""DDP across two Slurm nodes: the tiny run of test_distributed.py as a 2-node sbatch job (one, then two tasks per node,
srun, gloo) on a real single-host cluster that scripts/local-slurm.sh starts for this module (its own state
folder and ports), against the same run in one process; and the script's own contract (idempotent start,
status, bad settings)."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from fixtures import PACKAGE_ROOT, make_run, of_type, run_inprocess, val_metrics
from test_distributed import CONFIG

REPO = os.path.dirname(os.path.dirname(PACKAGE_ROOT))
SCRIPT = os.path.join(REPO, "scripts", "local-slurm.sh")
# the daemons live in /usr/sbin, which a non-login PATH may lack (local-slurm.sh adds it)
MISSING = [c for c in ("sbatch", "srun", "scontrol", "slurmctld", "slurmd", "munged", "mungekey")
           if not shutil.which(c, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")]


def free_port_base(count):
    """A base port with `count` free ports after it, below the trainer's master ports (20000+) and Linux's
    ephemeral range."""
    for base in range(14000 + os.getpid() % 2000, 19000, 7):
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no free ports for the test cluster in 14000..19000")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if MISSING:
        why = (f"no Slurm here ({', '.join(MISSING)} not found): install Debian's slurm-wlm and munge "
               "(setup.sh --install-only does)")
        # CI installs them (.ci/run → setup.sh), so there a missing Slurm is a broken setup, not a skip
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    state = tmp_path_factory.mktemp("slurm")
    env = dict(os.environ, TRAINYARD_SLURM_DIR=str(state), TRAINYARD_SLURM_PORT=str(free_port_base(3)),
               TRAINYARD_SLURM_NODES="2")
    start = subprocess.run(["bash", SCRIPT, "start"], env=env, capture_output=True, text=True, timeout=120)
    try:
        assert start.returncode == 0, f"local-slurm.sh start failed:\n{start.stderr[-4000:]}"
        assert start.stdout.strip() == f"export SLURM_CONF={state}/etc/slurm.conf"
        yield dict(env, SLURM_CONF=f"{state}/etc/slurm.conf")
    finally:
        subprocess.run(["bash", SCRIPT, "stop"], env=env, capture_output=True, text=True, timeout=120)


def script(env, *args):
    return subprocess.run(["bash", SCRIPT, *args], env=env, capture_output=True, text=True, timeout=120)


def test_start_again_starts_nothing_and_status_shows_the_idle_nodes(cluster):
    state = cluster["TRAINYARD_SLURM_DIR"]
    pids = {f: open(os.path.join(state, "run", f)).read() for f in sorted(os.listdir(os.path.join(state, "run")))}
    assert sorted(pids) == ["slurmctld.pid", "slurmd-n1.pid", "slurmd-n2.pid"]
    again = script(cluster, "start")
    assert again.returncode == 0 and again.stdout == f"export SLURM_CONF={cluster['SLURM_CONF']}\n", again.stderr
    assert {f: open(os.path.join(state, "run", f)).read() for f in pids} == pids
    status = script(cluster, "status").stdout.split("\n")
    assert "n1 debug* idle" in " ".join(status) and "n2 debug* idle" in " ".join(status), status


def test_bad_settings_are_refused_before_anything_starts(tmp_path):
    env = dict(os.environ, TRAINYARD_SLURM_DIR=str(tmp_path / "s"))
    bad = script(dict(env, TRAINYARD_SLURM_NODES="0"), "start")
    assert bad.returncode == 1 and "TRAINYARD_SLURM_NODES must be at least 1" in bad.stderr
    bad = script(dict(env, TRAINYARD_SLURM_PORT="80"), "start")
    assert bad.returncode == 1 and "must lie in 1024..65535" in bad.stderr
    assert script(env, "restart").stderr.startswith("local-slurm: usage: scripts/local-slurm.sh start|stop|status|env")
    assert not (tmp_path / "s").exists()


ENDED = ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL",
         "DEADLINE")


def sbatch(cluster, run_dir, spec, nodes=2, tasks_per_node=1, srun_env="", timeout=300):
    """Submits the run as a batch job and follows it with scontrol until it ends (sbatch --wait polls at up to
    32 s intervals, which would triple this test's time); returns (events, `scontrol show job` line, trainer.log)."""
    script = os.path.join(run_dir, "job.sh")
    with open(script, "w") as f:
        # what a Slurm executor submits: rank 0's events on the job's stdout, every rank's logs on stderr
        f.write("#!/bin/bash\n"
                f"{srun_env} {shutil.which('srun')} --kill-on-bad-exit=1 {sys.executable} -m trainyard_trainer train --spec {spec}\n")
    env = dict(cluster, PYTHONPATH=PACKAGE_ROOT, OMP_NUM_THREADS="1")
    proc = subprocess.run(["sbatch", "--parsable", "-p", "debug", f"--nodes={nodes}",
                           f"--ntasks-per-node={tasks_per_node}", "--job-name=trainyard-test",
                           f"--output={run_dir}/events.jsonl", f"--error={run_dir}/trainer.log", script],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"sbatch refused the job: {proc.stderr}"
    job = proc.stdout.strip().split(";")[0]
    deadline = time.time() + timeout
    while True:
        shown = subprocess.run(["scontrol", "show", "job", "-o", job], env=env, capture_output=True, text=True).stdout
        state = re.search(r"JobState=(\S+)", shown)
        if state and state.group(1) in ENDED:
            break
        assert time.time() < deadline, f"job {job} has not ended after {timeout} s: {shown}"
        time.sleep(0.25)
    path = os.path.join(run_dir, "trainer.log")
    log = open(path).read() if os.path.exists(path) else ""
    with open(os.path.join(run_dir, "events.jsonl")) as f:
        return [json.loads(line) for line in f], shown, log


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    code, events = run_inprocess(make_run(tmp_path_factory.mktemp("single"), n=200, config=CONFIG))
    assert code == 0
    return events


@pytest.mark.parametrize("tasks_per_node", [1, 2])
def test_a_two_node_slurm_job_reports_once_and_matches_one_process(cluster, single, tmp_path, tasks_per_node):
    spec = make_run(tmp_path / "slurm", n=200, config=CONFIG)
    run_dir = os.path.dirname(spec)
    events, job, log = sbatch(cluster, run_dir, spec, tasks_per_node=tasks_per_node)
    # Slurm placed the tasks on both nodes, and they found each other through SLURM_* alone
    world = 2 * tasks_per_node
    assert "JobState=COMPLETED" in job and "NodeList=n[1-2]" in job and "NumNodes=2" in job, f"{job}\n{log[-3000:]}"
    assert any(e["message"].startswith(f"DDP: {world} processes (gloo) on 2 nodes")
               for e in of_type(events, "log")), log[-3000:]
    # rank 0 alone wrote the job's stdout: one done, the one-process event plan
    assert [e["type"] for e in events].count("done") == 1 and events[-1]["state"] == "completed"
    assert [(e["step"], e["epoch"]) for e in of_type(events, "status")] == \
        [(e["step"], e["epoch"]) for e in of_type(single, "status")]
    assert sorted(val_metrics(events)) == [1, 2, 3] and len(val_metrics(events, "test/")) == 1
    # the tolerance of test_distributed.py: same draws and steps, only BatchNorm sees smaller batches
    final, reference = val_metrics(events)[3], val_metrics(single)[3]
    assert 0.6 < final["val/auc_macro"] <= 1
    assert abs(final["val/loss"] - reference["val/loss"]) < 0.2
    assert sorted(os.listdir(os.path.join(run_dir, "checkpoints"))) == ["best", "last"]


def test_a_task_without_scontrol_fails_with_the_reason_on_the_event_stream(cluster, tmp_path):
    """The tasks cannot expand the node list (no scontrol on their PATH): the job fails at once, not hangs
    waiting for a master, and the first task says why where the daemon reads events."""
    spec = make_run(tmp_path / "bad", n=40, config=CONFIG)
    run_dir = os.path.dirname(spec)
    events, job, log = sbatch(cluster, run_dir, spec, srun_env="PATH=/nonexistent")
    assert "JobState=FAILED" in job, job
    assert [e["type"] for e in events] == ["done"] and events[0]["state"] == "failed"
    assert events[0]["error"].startswith("cannot join the other Slurm tasks: scontrol is not on PATH"), events

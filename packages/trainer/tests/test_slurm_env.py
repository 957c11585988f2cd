"""Slurm task environment → env:// rendezvous, on environments as srun gives them (captured on a 2-node
cluster: `srun -N2 --ntasks-per-node=2 env`)."""
import pytest

from trainyard_trainer.slurm_env import SlurmEnvError, apply, master_port, rendezvous, tasks_per_node


def task(**over):
    """Task 3 of a 2-node × 2-task step (job 41, step 0) on nodes gpu07, gpu08."""
    env = {"SLURM_JOB_ID": "41", "SLURM_JOBID": "41", "SLURM_STEP_ID": "0", "SLURM_STEPID": "0",
           "SLURM_PROCID": "3", "SLURM_LOCALID": "1", "SLURM_NODEID": "1", "SLURM_NTASKS": "4",
           "SLURM_STEP_NUM_TASKS": "4", "SLURM_STEP_NUM_NODES": "2", "SLURM_STEP_TASKS_PER_NODE": "2(x2)",
           "SLURM_JOB_NODELIST": "gpu[07-08]", "SLURM_STEP_NODELIST": "gpu[07-08]"}
    env.update(over)
    return {k: v for k, v in env.items() if v is not None}


def expand(nodelist):
    assert nodelist == "gpu[07-08]"
    return ["gpu07", "gpu08"]


def test_a_task_of_a_two_node_step_gets_rank_world_node_and_the_first_node_as_master(monkeypatch):
    monkeypatch.setattr("trainyard_trainer.slurm_env.resolves", lambda name: name == "gpu07")
    out = rendezvous(task(), hostnames=expand)
    assert out == {"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "2", "GROUP_RANK": "1",
                   "MASTER_ADDR": "gpu07", "MASTER_PORT": str(master_port(41, 0))}


def test_a_node_name_that_does_not_resolve_is_reached_by_its_node_addr(monkeypatch):
    monkeypatch.setattr("trainyard_trainer.slurm_env.resolves", lambda name: False)
    asked = []
    out = rendezvous(task(), hostnames=expand, node_addr=lambda name: asked.append(name) or "10.1.0.7")
    assert out["MASTER_ADDR"] == "10.1.0.7" and asked == ["gpu07"]


def test_uneven_tasks_per_node_give_each_node_its_own_local_world():
    assert tasks_per_node("2(x3),1") == [2, 2, 2, 1]
    assert tasks_per_node("4") == [4]
    env = task(SLURM_STEP_NUM_TASKS="7", SLURM_STEP_TASKS_PER_NODE="2(x3),1", SLURM_NODEID="3", SLURM_PROCID="6",
               SLURM_LOCALID="0", MASTER_ADDR="gpu07")
    out = rendezvous(env)
    assert (out["WORLD_SIZE"], out["LOCAL_WORLD_SIZE"], out["GROUP_RANK"], out["RANK"]) == ("7", "1", "3", "6")


def test_the_port_follows_job_and_step_and_stays_below_the_ephemeral_range():
    ports = {master_port(job, step) for job in range(1000, 1100) for step in range(3)}
    assert len(ports) == 300 and all(20000 <= p < 32768 for p in ports)
    assert rendezvous(task(SLURM_STEP_ID="1", MASTER_ADDR="x"))["MASTER_PORT"] != \
        rendezvous(task(MASTER_ADDR="x"))["MASTER_PORT"]


def test_master_address_and_port_set_by_the_job_script_win():
    out = rendezvous(task(MASTER_ADDR="10.0.0.1", MASTER_PORT="29400"), hostnames=pytest.fail)
    assert "MASTER_ADDR" not in out and "MASTER_PORT" not in out


def test_a_batch_script_or_a_one_task_step_is_no_rendezvous():
    # the batch script has SLURM_PROCID=0 and SLURM_NTASKS=4 but is no step: starting 1 process there must not wait
    assert rendezvous(task(SLURM_STEP_ID=None, SLURM_STEPID=None, SLURM_STEP_NUM_TASKS=None)) == {}
    assert rendezvous(task(SLURM_STEP_NUM_TASKS="1", SLURM_NTASKS="1", SLURM_PROCID="0")) == {}
    assert rendezvous({"PATH": "/usr/bin"}) == {}


def test_torchrun_variables_already_set_are_left_alone():
    env = dict(task(), WORLD_SIZE="8", RANK="5")
    assert apply(env) == {} and env["WORLD_SIZE"] == "8" and "LOCAL_WORLD_SIZE" not in env


def test_apply_sets_the_variables_in_the_environment(monkeypatch):
    monkeypatch.setattr("trainyard_trainer.slurm_env.scontrol_hostnames", expand)
    monkeypatch.setattr("trainyard_trainer.slurm_env.resolves", lambda name: True)
    env = task()
    assert apply(env)["RANK"] == "3"
    assert (env["WORLD_SIZE"], env["MASTER_ADDR"]) == ("4", "gpu07")


def test_a_broken_slurm_environment_says_which_variable():
    with pytest.raises(SlurmEnvError, match="SLURM_PROCID='x' is not a number"):
        rendezvous(task(SLURM_PROCID="x", MASTER_ADDR="h"))
    with pytest.raises(SlurmEnvError, match="SLURM_STEP_TASKS_PER_NODE='2\\(y2\\)'"):
        rendezvous(task(SLURM_STEP_TASKS_PER_NODE="2(y2)", MASTER_ADDR="h"))
    with pytest.raises(SlurmEnvError, match="cannot find the master node"):
        rendezvous(task(SLURM_JOB_NODELIST=None, SLURM_STEP_NODELIST=None))


def test_scontrol_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SlurmEnvError, match="scontrol is not on PATH"):
        rendezvous(task())


def test_a_slurm_run_uses_gpus_per_node_and_a_local_run_gpus():
    from trainyard_trainer.distributed import requested_gpus
    assert requested_gpus({"gpus": 1, "nodes": 2, "gpus_per_node": 4}) == 4
    assert requested_gpus({"gpus": 1, "executor": "slurm", "nodes": 1, "gpus_per_node": 0}) == 0
    assert requested_gpus({"gpus": 2, "executor": "local", "nodes": 1, "gpus_per_node": 1}) == 2
    assert requested_gpus({"gpus": 0}) == 0

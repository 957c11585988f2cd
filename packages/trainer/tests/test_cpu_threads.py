from trainyard_trainer.cpu_threads import cpu_threads


def test_daemon_setting_wins_then_omp_then_affinity(monkeypatch):
    monkeypatch.setenv("TRAINYARD_CPU_THREADS", "3")
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    assert cpu_threads() == 3
    monkeypatch.delenv("TRAINYARD_CPU_THREADS")
    assert cpu_threads() == 5
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6})
    assert cpu_threads() == 7
    monkeypatch.setenv("OMP_NUM_THREADS", "zero")  # not a number: ignored
    assert cpu_threads() == 7

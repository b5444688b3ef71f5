"""Sweeps through real Ray Tune: a local instance (num_cpus=2, shared by the session) and a separately started head.

Every cell must equal a plain Trainer run of that cell's config, bit for bit on the CPU.
"""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.common import free_port, stop_by_pid
from playground.config import RunConfig
from playground.sweep_cli import grid_tables
from playground.sweeps import cell
from playground.sweeps.config import SweepConfig
from playground.sweeps.tune_run import SweepRun

ROOT = Path(__file__).resolve().parents[1]
SCFG = SweepConfig(x="lr", x_values="0.003,0.03,0.3", y="batch_size", y_values="8,32,0", trial_epochs=12)
BASE = RunConfig(n_points=60, patience=4)  # patience 4: some cells stop early, so epochs differ too
CLI = ["lr=0.003,0.03,0.3", "batch_size=8,32,0", "epochs=12", "n_points=60", "patience=4"]


def same(a, b) -> bool:
    """Bit-identical numbers (NaN equals NaN: a target never reached in both)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def plain_results() -> list[dict]:
    """Every trial of the 3 x 3 sweep trained in this process, one after another."""
    from playground.sweeps.config import plan

    return [cell.run(t.cfg, SCFG.target) for t in plan(SCFG, BASE)]


@pytest.fixture(scope="module")
def reference(ray_local):
    return plain_results()


def test_a_3x3_sweep_on_ray_tune_equals_plain_trainer_runs(ray_local, reference):
    run = SweepRun(SCFG, BASE, cpus=2).run()
    assert run.error is None and run.done and not run.cancelled
    got = run.finished()
    assert sorted(got) == list(range(9)) and run.progress()[:2] == (9, 9)
    for t in run.trials:
        want = reference[t.index]
        for key in (*cell.METRIC_KEYS, "epochs", "status"):
            assert same(got[t.index][key], want[key]), (t.cfg.lr, t.cfg.batch_size, key, got[t.index][key], want[key])
    assert {r["pid"] for r in got.values()}.isdisjoint({os.getpid()})  # trained in Ray's workers
    assert len({r["epochs"] for r in got.values()}) > 1  # early stopping really differed between cells
    # Results stream back as trials finish: with 2 at a time, the first result came before the last start.
    events = run.events
    first_done = events.index(next(e for e in events if e[0] == "done"))
    last_start = max(k for k, e in enumerate(events) if e[0] == "start")
    assert first_done < last_start, events
    (heading, table), = grid_tables(run)  # what the command line prints
    assert heading == "Adam: final validation loss" and table.shape == (3, 3)
    assert list(table.columns) == ["0.003", "0.03", "0.3"] and list(table.index) == ["8", "32", "full"]
    assert table.iloc[0, 0] == f"{reference[0]['val_loss']:.3g}"


def test_a_cancelled_sweep_stops_its_trials(ray_local):
    slow = SweepConfig(x="lr", x_values="0.01,0.02,0.03", y="batch_size", y_values="1,2,3", trial_epochs=1000)
    run = SweepRun(slow, RunConfig(n_points=300, patience=0), cpus=2).start()
    deadline = time.monotonic() + 120
    while not any(kind == "start" for kind, _ in run.events) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run.events, "no trial started"
    run.cancel()  # each trial has ~200,000 steps ahead of it
    run.join(timeout=120)
    assert run.done, "the cancelled sweep did not end"
    assert run.error is None and len(run.finished()) < 9


def test_asha_runs_on_the_same_trials(ray_local):
    scfg = SweepConfig(x="lr", x_values="0.003,0.3", y="batch_size", y_values="8,0", trial_epochs=16, asha=True)
    run = SweepRun(scfg, RunConfig(n_points=60, patience=0), cpus=2).run()
    assert run.error is None and sorted(run.finished()) == [0, 1, 2, 3]
    statuses = {r["status"] for r in run.finished().values()}
    assert statuses <= {"finished", "diverged", "stalled"} | {f"stopped by ASHA at epoch {e}" for e in range(17)}


def test_a_random_search_on_ray_tune_equals_plain_trainer_runs_of_the_drawn_configs(ray_local):
    scfg = SweepConfig(x="lr", x_values="1e-3:0.3:log", y="batch_size", y_values="8,32,0", search="random",
                       samples=4, trial_epochs=8)
    run = SweepRun(scfg, BASE, cpus=2).run()
    assert run.error is None and sorted(run.finished()) == [0, 1, 2, 3]
    for t in run.trials:  # each drawn pair is a config of its own, trained exactly as a plain run of it
        want = cell.run(t.cfg, scfg.target)
        for key in (*cell.METRIC_KEYS, "epochs", "status"):
            assert same(run.finished()[t.index][key], want[key]), (t.cfg.lr, t.cfg.batch_size, key)
    (heading, table), = grid_tables(run)  # the command line prints the samples, best first
    assert "4 random samples, best first" in heading and list(table.columns) == ["lr", "batch_size", "val_loss"]
    assert len(table) == 4


TWO_SWEEPS = """
from playground.config import RunConfig
from playground.sweeps.config import SweepConfig
from playground.sweeps.tune_run import SweepRun
scfg = SweepConfig(x="lr", x_values="0.01,0.1", y="batch_size", y_values="0,16", trial_epochs=3)
for k in range(2):  # each on a thread of its own, as the page starts them; the first one starts Ray
    run = SweepRun(scfg, RunConfig(n_points=40), cpus=2).start()
    run.join(timeout=240)
    print("sweep", k, run.done, run.error, len(run.finished()), flush=True)
"""


@pytest.mark.slow
def test_a_second_sweep_after_the_thread_that_started_ray_has_ended_still_runs():
    """Ray's local processes die with the thread that started them (PR_SET_PDEATHSIG): once the first sweep's
    thread ended, they were killed and Ray terminated the whole process, i.e. the server, at the next sweep."""
    done = subprocess.run([sys.executable, "-c", TWO_SWEEPS], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stdout[-500:] + done.stderr[-1500:]
    ends = [line for line in done.stdout.splitlines() if line.startswith("sweep ")]  # Tune prints its tables too
    assert ends == ["sweep 0 True None 4", "sweep 1 True None 4"], done.stdout[-800:]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until the head's GCS accepts connections on its port (a busy machine starts it slowly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"ray start exited with {proc.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"the Ray head did not listen on port {port} within {timeout:.0f} s")


@pytest.mark.slow
def test_the_same_sweep_runs_on_a_separately_started_ray_head(tmp_path, reference):
    port = free_port()
    # Its own session folder, so no other process joins this head by accident; short, since a Unix
    # socket's path inside it may not exceed 107 bytes.
    temp = tempfile.mkdtemp(prefix="rayh-", dir="/tmp")
    head = subprocess.Popen(["ray", "start", "--head", "--block", "--node-ip-address=127.0.0.1", f"--port={port}",
                             "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
                             f"--temp-dir={temp}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out = tmp_path / "sweep.csv"
        env = {**os.environ, "RAY_ADDRESS": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT)}
        wait_listening(port, head)
        done = subprocess.run([sys.executable, "-m", "playground", "sweep", *CLI, "--csv", str(out)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "9/9 trials" in done.stdout and "Adam: final validation loss" in done.stdout
        frame = pd.read_csv(out)
        assert len(frame) == 9
        for k, row in frame.iterrows():
            want = reference[k]
            assert (row["lr"], row["batch_size"]) == (SCFG.values("x")[k % 3], SCFG.values("y")[k // 3])
            for key in cell.METRIC_KEYS:
                assert same(float(row[key]), want[key]), (k, key, row[key], want[key])
            assert row["status"] == want["status"] and row["epochs"] == want["epochs"]
    finally:
        stop_by_pid(head)
        shutil.rmtree(temp, ignore_errors=True)
    assert head.returncode is not None


WORKER_CODE = """
import pickle, sys
from playground.sweeps import cell, tune_run  # what a sweep's Ray worker imports to run its trials
cfg, dataset, target = pickle.loads(sys.stdin.buffer.read())
result = cell.run(cfg, target, dataset=dataset)
print(pickle.dumps((result, sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))).hex())
"""


def test_a_trial_on_the_data_the_sweep_made_imports_no_sklearn_and_equals_a_plain_run():
    """A worker's start-up skips sklearn (0.6 s): the sweep hands each trial its data, made in the driver."""
    import pickle

    from playground.engine.data import load_dataset
    from playground.sweeps.config import plan

    trial = plan(SCFG, BASE)[4]
    done = subprocess.run([sys.executable, "-c", WORKER_CODE], cwd=ROOT, capture_output=True, timeout=300, check=True,
                          input=pickle.dumps((trial.cfg, load_dataset(trial.cfg), SCFG.target)))
    result, sklearn_modules = pickle.loads(bytes.fromhex(done.stdout.decode().split()[-1]))
    assert sklearn_modules == []
    want = cell.run(trial.cfg, SCFG.target)
    assert set(result) == set(want) and all(same(result[k], want[k]) for k in want)

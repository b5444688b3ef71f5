"""B7, sweep speed-up: a 4 x 4 grid of 100-epoch trials on Ray Tune with 2 workers, against the same 16
trials one after another in this process; and Ray's start-up cost, measured apart in a fresh process.

The sweep's wall time counts everything after Ray is up: Tune's bookkeeping and the two workers
importing torch. Every trial's metrics are checked equal to the sequential run's (bit for bit), so
the two sides did the same work. Trials train their whole 100 epochs (patience 0).

The row also gives the bound this grid sets: the trials' own times from the sequential run, handed out in
Tune's grid order to whichever of the 2 workers is free first, with no start-up at all (`ideal_makespan`).
Batch size 1 trains 240 steps an epoch, so three trials hold ~80 % of the work and two of them must share
a worker: the speed-up cannot pass that bound however cheap Ray's workers are. What the sweep took beyond
it is Ray's own cost (worker processes, their imports of ray.tune, torch and sklearn, Tune's loop).
"""

from __future__ import annotations

import heapq
import math
import os
import subprocess
import sys
import time

from benchmarks.common import ROOT, Row
from playground.config import RunConfig
from playground.engine.devices import use_one_thread
from playground.sweeps import cell, tune_run
from playground.sweeps.config import SweepConfig, plan

GOAL = 1.6
WORKERS = 2
FULL = SweepConfig(x="lr", x_values="1e-3:1:log:4", y="batch_size", y_values="1,8,32,0", trial_epochs=100)
TINY = SweepConfig(x="lr", x_values="0.01,0.1", y="batch_size", y_values="8,0", trial_epochs=3)
STARTUP_CODE = ("import time; t = time.perf_counter(); import ray; "
                f"ray.init(address='local', num_cpus={WORKERS}, include_dashboard=False, log_to_driver=False, "
                "object_store_memory=100 * 2**20); print(time.perf_counter() - t); ray.shutdown()")


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def ideal_makespan(durations: list[float], workers: int) -> float:
    """Seconds the trials take on `workers` with no start-up, each going in order to the first free worker."""
    free = [0.0] * max(1, workers)
    for d in durations:
        heapq.heappush(free, heapq.heappop(free) + d)
    return max(free)


def startup_seconds() -> float:
    """`import ray` plus `ray.init()` of a new local instance, in a fresh Python process."""
    done = subprocess.run([sys.executable, "-c", STARTUP_CODE], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}, timeout=300, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def measure(scfg: SweepConfig, base: RunConfig, workers: int = WORKERS) -> dict:
    """Wall seconds: the trials in sequence here, then as one sweep on Ray (started here unless already up)."""
    use_one_thread()
    trials = plan(scfg, base)
    sequential, durations = [], []
    for t in trials:
        start = time.perf_counter()
        sequential.append(cell.run(t.cfg, scfg.target))
        durations.append(time.perf_counter() - start)
    seq_s = sum(durations)
    started = tune_run.connect(tune_run.LOCAL, cpus=workers) > 0
    try:
        start = time.perf_counter()
        sweep = tune_run.SweepRun(scfg, base, cpus=workers).run()
        sweep_s = time.perf_counter() - start
    finally:
        if started:  # a Ray someone else started (a test session) stays up
            tune_run.shutdown()
    got = sweep.finished()
    equal = sweep.error is None and len(got) == len(trials) and all(
        _same(got[t.index][k], sequential[t.index][k]) for t in trials for k in cell.METRIC_KEYS)
    return {"sequential_s": seq_s, "sweep_s": sweep_s, "trials": len(trials), "equal": equal, "error": sweep.error,
            "ideal_s": ideal_makespan(durations, workers), "longest_s": max(durations)}


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    """The speed-up row (goal ≥ 1.6x) and the start-up row (informational)."""
    scfg = TINY if tiny else FULL
    base = RunConfig(n_points=40 if tiny else 300, patience=0)
    m = measure(scfg, base)
    nx, ny = len(scfg.values("x")), len(scfg.values("y"))
    check = "same metrics ✓" if m["equal"] else f"metrics DIFFER ✗ {m['error'] or ''}".strip()
    rows = [Row("B7", f"sweep {nx}x{ny}x{scfg.trial_epochs} epochs, Ray Tune {WORKERS} workers / one process",
                m["sequential_s"] / m["sweep_s"], "x", (">=", GOAL), digits=2, failed=not m["equal"],
                detail=f"{m['sequential_s']:.1f} s in sequence vs {m['sweep_s']:.1f} s on Ray; {check}; "
                       f"this grid's bound with no start-up {m['sequential_s'] / m['ideal_s']:.2f} x "
                       f"({m['ideal_s']:.1f} s; longest trial {m['longest_s']:.1f} s), "
                       f"Ray's cost beyond it {m['sweep_s'] - m['ideal_s']:.1f} s")]
    rows.append(Row("B7", f"Ray start-up: import ray + ray.init(), local, {WORKERS} CPUs", startup_seconds(), "s",
                    digits=1, detail="a fresh process"))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table(run()))

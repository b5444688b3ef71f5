"""A sweep on Ray Tune: one `tune.Tuner` trial per (cell, seed, optimizer), results collected as trials finish.

`connect()` starts Ray once per process: a new local instance limited to the cores given (the
default), or the cluster named by `--address` / RAY_ADDRESS. Ray Tune schedules the trials (at most
`cpus` at once, one core each); this module writes no scheduler, it only watches and can cancel.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

import ray
from ray import tune
from ray.tune.schedulers import ASHAScheduler

import playground
from playground.catalog import SWEEP_METRICS
from playground.config import RunConfig
from playground.engine.data import Dataset, load_dataset
from playground.fields import clip
from playground.sweeps import cell
from playground.sweeps.config import SweepConfig, Trial, plan

LOCAL = "local"  # ray.init's word for a new instance on this machine, even when another one runs here
OBJECT_STORE_BYTES = 100 * 2**20  # trials send back a few numbers; Ray's default takes 30 % of the RAM
ASHA_RUNGS = 8  # with ASHA a trial reports every trial_epochs / 8 epochs, where ASHA may stop it
_LOCK = threading.Lock()
_RUNS: dict[str, SweepRun] = {}  # by id: Tune pickles its callbacks, so they hold an id, not the run
_KEEPER_STOP = threading.Event()  # set by shutdown(): the thread that started Ray may end


def address(explicit: str | None = None) -> str:
    """Where sweeps run: --address, else RAY_ADDRESS (e.g. ray://host:10001 or auto), else a local instance."""
    return (explicit or os.environ.get("RAY_ADDRESS") or LOCAL).strip()


def connect(explicit: str | None = None, *, cpus: int) -> float:
    """Start or join Ray once per process; returns the seconds that took (0.0 when it was already up)."""
    with _LOCK:
        if ray.is_initialized():
            return 0.0
        where = address(explicit)
        os.environ.setdefault("TUNE_DISABLE_AUTO_CALLBACK_LOGGERS", "1")  # no CSV/JSON/TensorBoard files per trial
        # ...so fit()'s ResultGrid logs, per trial, that it found no result files: results come from _Collect.
        logging.getLogger("ray.tune.analysis.experiment_analysis").setLevel(logging.ERROR)
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        kwargs: dict = {"log_to_driver": False, "logging_level": logging.WARNING}
        if where == LOCAL:
            kwargs.update(num_cpus=cpus, include_dashboard=False, object_store_memory=OBJECT_STORE_BYTES)
        else:  # another machine has no copy of this package: Ray ships it with the job
            kwargs["runtime_env"] = {"py_modules": [str(Path(playground.__file__).parent)]}
        start = time.perf_counter()
        _init_on_keeper(where, kwargs)
        return time.perf_counter() - start


def _init_on_keeper(where: str, kwargs: dict) -> None:
    """ray.init on a thread that lives until shutdown(), raising what ray.init raised.

    A local instance's processes (GCS, raylet) are started with PR_SET_PDEATHSIG, which Linux fires when
    the *thread* that started them ends. Started from a sweep's own thread (or a Streamlit script run),
    they were killed as soon as that sweep ended, and Ray then terminated the whole server process.
    """
    ready, failed = threading.Event(), []

    def keep() -> None:
        try:
            ray.init(address=where, **kwargs)
        except BaseException as exc:  # handed to the caller, who reports it like any other sweep failure
            failed.append(exc)
        finally:
            ready.set()
        if not failed:
            _KEEPER_STOP.wait()

    _KEEPER_STOP.clear()
    threading.Thread(target=keep, name="ray-keeper", daemon=True).start()
    ready.wait()
    if failed:
        raise failed[0]


def shutdown() -> None:
    """Stop this process's Ray (a local instance ends with it; a cluster keeps running)."""
    with _LOCK:
        if ray.is_initialized():
            ray.shutdown()
        _KEEPER_STOP.set()


def reason(exc: BaseException) -> str:
    """One line for the page: the error's kind and the first line of its message, never a traceback."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {clip(lines[0], 160)}" if lines else type(exc).__name__


def _trainable(config: dict, queries: list[dict], datasets: list[Dataset], target: float, every: int | None) -> None:
    """Runs inside a Ray worker: the trial's RunConfig rebuilt from its URL form, trained by a plain Trainer on
    the data the sweep made for it."""
    from playground.engine.devices import use_one_thread

    use_one_thread()  # as the app and the CLI run: one thread per tiny network
    index = config["trial"]
    cfg, _ = RunConfig.from_query(queries[index])
    result = cell.run(cfg, target, dataset=datasets[index], every=every,
                      report=lambda m: tune.report({**m, "trial": index}))
    tune.report({**result, "trial": index, "final": 1})


class _Collect(tune.Callback):
    """Hands each trial's results to its SweepRun as Tune receives them (on the thread running fit)."""

    def __init__(self, run_id: str):
        self.run_id = run_id

    def on_trial_start(self, iteration, trials, trial, **info) -> None:
        run = _RUNS.get(self.run_id)
        if run is not None:
            run.events.append(("start", int(trial.config["trial"])))

    def on_trial_result(self, iteration, trials, trial, result, **info) -> None:
        run = _RUNS.get(self.run_id)
        if run is not None:
            run.record(int(result["trial"]), result, final=bool(result.get("final")))

    def on_trial_complete(self, iteration, trials, trial, **info) -> None:
        run = _RUNS.get(self.run_id)
        if run is not None and trial.last_result:
            run.record(int(trial.config["trial"]), trial.last_result, final=True)

    def on_trial_error(self, iteration, trials, trial, **info) -> None:
        run = _RUNS.get(self.run_id)
        if run is not None:
            run.record(int(trial.config["trial"]), {"status": "failed", "message": "the trial's worker failed"},
                       final=True)


class _Cancelled(tune.Stopper):
    """Tune asks every step whether to stop everything: yes, once the run was cancelled."""

    def __init__(self, run_id: str):
        self.run_id = run_id

    def __call__(self, trial_id, result) -> bool:
        return False

    def stop_all(self) -> bool:
        run = _RUNS.get(self.run_id)
        return run is not None and run.cancelled


class SweepRun:
    """One sweep: its trials, the results that came back, progress, and cancel()."""

    def __init__(self, scfg: SweepConfig, base: RunConfig, *, cpus: int, where: str | None = None):
        self.scfg, self.base, self.cpus, self.where = scfg, base, max(1, int(cpus)), where
        self.trials: list[Trial] = plan(scfg, base)
        self.id = uuid.uuid4().hex
        self.results: dict[int, dict] = {}  # trial index -> its finished metrics
        self.partial: dict[int, dict] = {}  # trial index -> its latest report (ASHA's rungs)
        self.events: list[tuple[str, int]] = []  # ("start" | "done", trial index) in the order Tune saw them
        self.error: str | None = None
        self.startup_s = 0.0
        self.ready = False  # Ray is up and Tune has the trials
        self.started_at = self.ended_at = None
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called."""
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        """True once Tune returned (finished, cancelled or failed)."""
        return self.ended_at is not None

    def cancel(self) -> None:
        """Ask Tune to stop every trial; returns at once (the run ends within a Tune step)."""
        self._cancel.set()

    def start(self) -> SweepRun:
        """Run the sweep on a background thread (the page polls it)."""
        self._thread = threading.Thread(target=self.run, name=f"sweep-{self.id[:8]}", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        """Wait for a started sweep to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> SweepRun:
        """Run every trial through Ray Tune, blocking; a failure is kept as a message, never raised."""
        self.started_at = time.monotonic()
        storage = tempfile.mkdtemp(prefix="playground-sweep-")
        _RUNS[self.id] = self
        try:
            self.startup_s = connect(self.where, cpus=self.cpus)
            self.ready = True
            if not self.cancelled:
                self._collect_all(self._tuner(storage).fit())
        except Exception as exc:  # Ray unreachable, a cluster without torch: say so on the page
            self.error = f"the sweep stopped ({address(self.where)}): {reason(exc)}"
        finally:
            _RUNS.pop(self.id, None)
            shutil.rmtree(storage, ignore_errors=True)
            self.ended_at = time.monotonic()
        return self

    def _tuner(self, storage: str) -> tune.Tuner:
        every = max(1, self.scfg.trial_epochs // ASHA_RUNGS) if self.scfg.asha else None
        queries = [t.cfg.to_query() for t in self.trials]
        # Each trial's data is made here, once, and reaches the workers through Ray's object store: a worker
        # then never imports sklearn (0.6 s of its start-up) and a trial trains on exactly what it would make.
        datasets = [load_dataset(t.cfg) for t in self.trials]
        trainable = tune.with_parameters(_trainable, queries=queries, datasets=datasets, target=self.scfg.target,
                                         every=every)
        scheduler = None
        if self.scfg.asha:
            low = self.scfg.metric != "val_accuracy"
            scheduler = ASHAScheduler(time_attr="epochs", metric=self.scfg.metric if not low else "val_loss",
                                      mode="min" if low else "max", max_t=self.scfg.trial_epochs,
                                      grace_period=every, reduction_factor=2)
        # A name of its own: Tune registers trainables by name, cluster-wide, and two visitors' sweeps
        # (each with its own trials) must never pick up each other's.
        name = f"playground_sweep_{self.id}"
        tune.register_trainable(name, tune.with_resources(trainable, {"cpu": 1}))
        return tune.Tuner(
            name,
            param_space={"trial": tune.grid_search([t.index for t in self.trials])},
            tune_config=tune.TuneConfig(max_concurrent_trials=self.cpus, reuse_actors=True, scheduler=scheduler,
                                        trial_dirname_creator=lambda trial: f"trial_{trial.trial_id}"),
            run_config=tune.RunConfig(name=f"sweep-{self.id[:8]}", storage_path=storage, verbose=0,
                                      stop=_Cancelled(self.id), callbacks=[_Collect(self.id)],
                                      failure_config=tune.FailureConfig(max_failures=0)))

    def _collect_all(self, grid) -> None:
        """Tune's final results, for any trial whose callback never reached this process (a ray:// client
        runs Tune's loop on the cluster's head, so its callbacks run there)."""
        for result in grid:
            index = (result.config or {}).get("trial")
            if index is None or index in self.results:
                continue
            if result.error is not None:
                self.record(int(index), {"status": "failed", "message": reason(result.error)}, final=True)
            elif result.metrics:
                self.record(int(index), result.metrics, final=True)

    def record(self, index: int, result: dict, *, final: bool) -> None:
        """Keep a trial's result (Tune's bookkeeping keys dropped); a final one counts the trial as done."""
        kept = {k: result[k] for k in (*cell.METRIC_KEYS, "epochs", "status", "message", "pid") if k in result}
        with self._lock:
            if not final:
                self.partial[index] = kept
            elif result.get("final") or index not in self.results:
                if index not in self.results:
                    self.events.append(("done", index))
                if not result.get("final") and kept.get("status") != "failed":  # ended before its last epoch
                    by = "cancelled" if self.cancelled else "stopped by ASHA"
                    kept["status"] = f"{by} at epoch {kept.get('epochs', 0)}"
                self.results[index] = kept

    def finished(self) -> dict[int, dict]:
        """A snapshot of the finished trials' results by trial index."""
        with self._lock:
            return dict(self.results)

    def progress(self) -> tuple[int, int, float, float | None]:
        """(trials done, total, seconds elapsed, estimated seconds remaining or None)."""
        done, total = len(self.results), len(self.trials)
        if self.started_at is None:
            return done, total, 0.0, None
        elapsed = (self.ended_at or time.monotonic()) - self.started_at
        working = elapsed - self.startup_s
        remaining = working / done * (total - done) if done and not self.done else (0.0 if self.done else None)
        return done, total, elapsed, remaining

    @property
    def metric(self):
        """The metric the heatmaps show."""
        return SWEEP_METRICS[self.scfg.metric]

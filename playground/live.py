"""The live loop's engine side: apply config changes to a running trainer, and advance it
by a time budget while collecting one boundary frame per epoch for smooth playback."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields

import pandas as pd

from playground.boundary import Boundary
from playground.config import RunConfig
from playground.metrics import generalization_gap, metrics_table
from playground.train import FINISHED, READY, Trainer

# Changing these on a running trainer is applied in place (as the TF Playground does);
# every other field changes the data, model or optimizer, so the run restarts.
LIVE_FIELDS = ("lr", "momentum", "weight_decay")
STOPPING_FIELDS = ("epochs", "patience", "min_delta", "restore_best")
RESET_FIELDS = tuple(f.name for f in fields(RunConfig) if f.name not in LIVE_FIELDS + STOPPING_FIELDS)


def reset_reasons(old: RunConfig, new: RunConfig) -> list[str]:
    """Fields whose change means a new run (data, model, optimizer or seeds)."""
    return [name for name in RESET_FIELDS if getattr(old, name) != getattr(new, name)]


def apply_live(trainer: Trainer, new: RunConfig) -> list[str]:
    """Apply live hyperparameters and stopping settings in place; returns what changed."""
    changed = [f"{k} {old:g} → {new_v:g}" for k, (old, new_v) in
               trainer.set_hparams(**{k: getattr(new, k) for k in LIVE_FIELDS}).items()]
    stopping = {k: getattr(new, k) for k in STOPPING_FIELDS if getattr(trainer.cfg, k) != getattr(new, k)}
    if stopping:
        trainer.cfg = trainer.cfg.replace(**stopping)
        changed += [f"{k} → {v}" for k, v in stopping.items()]
        if trainer.status == FINISHED and trainer.current_epoch < trainer.cfg.epochs:
            trainer.status = READY  # a raised epoch limit lets a finished run go on
    # Settings the optimizer does not use are still remembered, so the URL stays in sync.
    trainer.cfg = trainer.cfg.replace(**{k: getattr(new, k) for k in LIVE_FIELDS})
    return changed


@dataclass
class Tick:
    """What one live tick produced: per lane, per-epoch boundary frames; and how much was trained."""

    lanes: list[list[dict]] = field(default_factory=list)
    epochs: int = 0
    seconds: float = 0.0

    @property
    def frames(self) -> list[dict]:
        """The first (or only) lane's frames."""
        return self.lanes[0] if self.lanes else []


def frame(trainer: Trainer, boundary: Boundary) -> dict:
    """The boundary at the trainer's current weights, as a frame for the live chart."""
    title = f"epoch {trainer.current_epoch}"
    val = trainer.history.last("val_loss")
    if val == val:  # not NaN
        title += f" · val loss {val:.3f}"
    if boundary.label:
        title += f" · {boundary.label}"  # "PCA projection (xx% of variance)" stays visible
    return {"epoch": trainer.current_epoch, "title": title,
            "patches": [boundary.patch(boundary.values(trainer), trace=0)]}


def advance(runner, boundary: Boundary | None, *, budget_s: float, max_epochs: int,
            max_frames: int = 40, lanes: list[Trainer] | None = None, keep_going=None) -> Tick:
    """Train whole epochs until the time budget, epoch quota or run ends, collecting frames.

    `runner` is a Trainer or a Race (anything with epoch() and done); `lanes` are the trainers
    whose boundaries are drawn (default: the runner itself). Every epoch gets a frame while
    epochs are slower than budget/max_frames; faster epochs are sampled evenly in time, so
    playback stays smooth and the last epoch is always drawn. `keep_going()` (e.g. "still
    playing?") is checked before every epoch, so a Pause stops the tick at once.
    """
    lanes = lanes if lanes is not None else [runner]
    # The whole tick under the run's lock: a Pause arriving meanwhile waits for it, then sees
    # (and shows) the true epoch, and no epoch of this tick trains after the Pause.
    with runner.lock:
        tick, start = Tick(lanes=[[] for _ in lanes]), time.perf_counter()
        # A frame per epoch when the quota allows it; otherwise frames spaced evenly in time.
        gap, last_frame = (0.0 if max_epochs <= max_frames else budget_s / max_frames), -1.0
        while tick.epochs < max_epochs and not runner.done and (keep_going is None or keep_going()):
            runner.epoch()
            tick.epochs += 1
            now = time.perf_counter() - start
            last = runner.done or tick.epochs >= max_epochs or now >= budget_s
            if boundary is not None and (last or now - last_frame >= gap):
                for out, lane in zip(tick.lanes, lanes, strict=True):
                    out.append(frame(lane, boundary))
                last_frame = now
            if last:
                break
    tick.seconds = time.perf_counter() - start
    return tick


def metrics_report(trainer: Trainer) -> tuple[pd.DataFrame, float, str | None]:
    """The metrics table (train, validation, best epoch; loss row included), the gap and its warning."""
    result = trainer.evaluate()
    best = trainer.best_metrics()
    table = metrics_table(result["train"], result.get("val"), best)
    h = trainer.history
    table.loc["loss", "train"] = h.last("train_loss")
    if "val" in result:
        table.loc["loss", "validation"] = h.last("val_loss")
    if best:
        table.loc["loss", "best epoch"] = trainer.best_loss
        table = table.rename(columns={"best epoch": f"best (epoch {trainer.best_epoch})"})
    gap, warning = generalization_gap(h.column("train_loss"), h.column("val_loss"))
    return table, gap, warning

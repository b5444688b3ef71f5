"""One sweep trial: a plain Trainer built from the cell's RunConfig, trained, and measured."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from playground.catalog import SWEEP_METRICS
from playground.config import RunConfig
from playground.engine.data import Dataset
from playground.engine.train import Trainer

METRIC_KEYS = tuple(SWEEP_METRICS)  # measure() returns each of them


def measure(trainer: Trainer, target: float) -> dict:
    """Every sweep metric of a trainer as it stands (validation split, else the training rows)."""
    h = trainer.history
    col = "val_loss" if trainer.data.has_val else "train_loss"
    losses, epochs = h.column(col), h.column("epoch")
    reached = np.flatnonzero(losses <= target)  # NaN (diverged) never counts as reached
    classify = trainer.data.task != "regression"
    return {
        "val_loss": h.last(col),
        "best_val_loss": float(np.nanmin(losses)) if len(losses) and np.isfinite(losses).any() else math.nan,
        "val_accuracy": h.last("val_score") if classify and trainer.data.has_val else
        (float(trainer.evaluate()["train"]["accuracy"]) if classify and len(h) else math.nan),
        "epochs_to_target": float(epochs[reached[0]]) if len(reached) else math.nan,
        "epochs": trainer.current_epoch,
        "status": str(trainer.status),
        "message": trainer.message,
    }


def run(cfg: RunConfig, target: float, *, dataset: Dataset | None = None, every: int | None = None,
        report: Callable[[dict], None] | None = None) -> dict:
    """Train cfg (on dataset, else its own) to its end and return its metrics; report(metrics) every `every`
    epochs too (ASHA)."""
    trainer = Trainer(cfg, dataset)
    chunk = every or cfg.epochs
    while not trainer.done and trainer.current_epoch < cfg.epochs:
        trainer.run(epochs=chunk)
        if report is not None and not trainer.done and trainer.current_epoch < cfg.epochs:
            report(measure(trainer, target))
    return measure(trainer, target)

"""A sweep's results as tables: one row per trial (the CSV), and per heatmap the cells' mean, spread and notes.

Torch-free and Ray-free, so the page, the command line and the tests share one reading of the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from playground.catalog import OPTIMIZERS, Status
from playground.sweeps.cell import METRIC_KEYS
from playground.sweeps.config import SweepConfig, Trial, finite, label

GONE = {str(Status.DIVERGED), str(Status.FAILED)}  # no number to show


@dataclass
class Grid:
    """One heatmap: per cell (row = y value, column = x value) the mean and spread over its seeds."""

    optimizer: str
    mean: np.ndarray  # NaN where nothing finished yet, or nothing was measured
    spread: np.ndarray  # standard deviation over the seeds (0 with one seed)
    done: np.ndarray  # trials finished per cell
    notes: list[list[str]]  # per cell: "" or why some seeds have no number (diverged, not reached)


def table(trials: list[Trial], results: dict[int, dict], scfg: SweepConfig) -> pd.DataFrame:
    """One row per finished trial: optimizer, the two swept values, seed, every metric, epochs, status."""
    rows = []
    for t in trials:
        r = results.get(t.index)
        if r is None:
            continue
        row = {"optimizer": t.optimizer, scfg.x: getattr(t.cfg, scfg.x), scfg.y: getattr(t.cfg, scfg.y),
               "init_seed": t.cfg.init_seed}
        row.update({k: r.get(k, np.nan) for k in METRIC_KEYS})
        row.update(epochs=r.get("epochs", 0), status=r.get("status", ""))
        rows.append(row)
    columns = ["optimizer", scfg.x, scfg.y, "init_seed", *METRIC_KEYS, "epochs", "status"]
    return pd.DataFrame(rows, columns=columns)


def grid(trials: list[Trial], results: dict[int, dict], scfg: SweepConfig, optimizer: str) -> Grid:
    """The heatmap of one optimizer: mean of the metric over the seeds that measured it, its spread, notes."""
    mine = [t for t in trials if t.optimizer == optimizer]
    ny, nx = max(t.iy for t in mine) + 1, max(t.ix for t in mine) + 1
    values: dict[tuple[int, int], list[float]] = {}
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for t in mine:
        r = results.get(t.index)
        if r is None:
            continue
        n = counts.setdefault((t.iy, t.ix), {"done": 0, "diverged": 0, "stalled": 0, "measured": 0})
        status, value = r.get("status"), r.get(scfg.metric)
        n["done"] += 1
        n["diverged"] += status in GONE
        n["stalled"] += status == str(Status.STALLED)
        # A diverged run's last loss is NaN or huge, never a result; the epoch it reached the target before is.
        if finite(value) and (status not in GONE or scfg.metric == "epochs_to_target"):
            values.setdefault((t.iy, t.ix), []).append(float(value))
            n["measured"] += 1
    mean, spread = np.full((ny, nx), np.nan), np.full((ny, nx), np.nan)
    for (iy, ix), vs in values.items():
        mean[iy, ix], spread[iy, ix] = float(np.mean(vs)), float(np.std(vs))
    done = np.zeros((ny, nx), dtype=int)
    for (iy, ix), n in counts.items():
        done[iy, ix] = n["done"]
    notes = [[_note(counts.get((iy, ix)), scfg) for ix in range(nx)] for iy in range(ny)]
    return Grid(optimizer, mean, spread, done, notes)


def samples(trials: list[Trial], optimizer: str) -> list[Trial]:
    """A random search's samples for one optimizer, in order: the first seed's trial of each (sample k is [k])."""
    return [t for t in trials if t.optimizer == optimizer and t.seed == 0]


def _note(n: dict[str, int] | None, scfg: SweepConfig) -> str:
    """What a finished cell's number leaves out: 'diverged', '1/3 stalled', 'not reached'."""
    if not n:
        return ""
    done, parts = n["done"], []
    for word in ("diverged", "stalled"):
        if n[word]:
            parts.append(word if n[word] == done else f"{n[word]}/{done} {word}")
    gone = 0 if scfg.metric == "epochs_to_target" else n["diverged"]
    missing = done - n["measured"] - gone
    if missing > 0:
        word = "not reached" if scfg.metric == "epochs_to_target" else "not measured"
        parts.append(word if missing == done else f"{missing}/{done} {word}")
    return ", ".join(parts)


def cell_text(mean: float, spread: float, note: str, seeds: int, epochs: bool) -> str:
    """A cell's label: '0.123', '0.12 ± 0.03' over several seeds, '57' epochs, or the note alone."""
    if not np.isfinite(mean):
        return note
    number = f"{mean:.0f}" if epochs else f"{mean:.3g}"
    if seeds > 1 and np.isfinite(spread):
        number += f" ± {spread:.0f}" if epochs else f" ± {spread:.2g}"
    return f"{number} ({note})" if note else number


def heatmap_title(scfg: SweepConfig, optimizer: str) -> str:
    """The optimizer and the metric, e.g. 'Adam: final validation loss'."""
    from playground.catalog import SWEEP_METRICS

    name = SWEEP_METRICS[scfg.metric].label
    if scfg.metric == "epochs_to_target":
        name += f" {label(scfg.target)}"
    return f"{OPTIMIZERS[optimizer].label}: {name}"

"""Compact per-epoch history: one float64 column per quantity, grown by doubling."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# Columns every run records, in display order; metric columns are added as they appear.
BASE_COLUMNS = ("epoch", "steps", "lr", "momentum", "weight_decay", "train_loss", "val_loss",
                "val_score", "grad_norm", "time")
WEIGHT_NORM_PREFIX = "weight_norm_"  # weight_norm_1 is the first Linear layer's, up to the output layer's
GRAD_NORM_PREFIX = "grad_norm_"  # per Linear layer, like the weight norms (grad_norm is the whole model's)
UPDATE_RATIO_PREFIX = "update_ratio_"
STEP_COLUMNS = ("step_p10", "step_p50", "step_p90")  # adaptive step-size quantiles over all parameters


def weight_norm_column(layer: int) -> str:
    """The column holding Linear layer `layer`'s (1-based) weight norm."""
    return f"{WEIGHT_NORM_PREFIX}{layer}"


def grad_norm_column(layer: int) -> str:
    """The column holding Linear layer `layer`'s (1-based) weight-gradient norm."""
    return f"{GRAD_NORM_PREFIX}{layer}"


def update_ratio_column(layer: int) -> str:
    """The column holding Linear layer `layer`'s (1-based) update/weight ratio over the epoch."""
    return f"{UPDATE_RATIO_PREFIX}{layer}"


class History:
    """Columnar record of a run: 10,000 epochs of ~20 columns take about 1.6 MB."""

    def __init__(self, max_rows: int | None = None):
        self._cols: dict[str, np.ndarray] = {}
        self._n = 0
        self.max_rows = max_rows  # past this, every other row is dropped (keeps the shape)
        self.events: list[tuple[int, str]] = []  # (epoch, what happened), e.g. an lr change
        for name in BASE_COLUMNS:
            self._cols[name] = np.full(64, np.nan)

    def __len__(self) -> int:
        return self._n

    @property
    def columns(self) -> tuple[str, ...]:
        """Names of the recorded columns."""
        return tuple(self._cols)

    def append(self, row: dict[str, float]) -> None:
        """Add one epoch's values; unknown names become new NaN-filled columns."""
        if self._n == len(self._cols["epoch"]):
            self._grow()
        for name, value in row.items():
            if name not in self._cols:
                self._cols[name] = np.full(len(self._cols["epoch"]), np.nan)
            self._cols[name][self._n] = value
        self._n += 1
        if self.max_rows and self._n > self.max_rows:
            self._decimate()

    def _grow(self) -> None:
        for name, col in self._cols.items():
            self._cols[name] = np.concatenate([col, np.full(len(col), np.nan)])

    def _decimate(self) -> None:
        # Keep every other old row and the newest one, so long runs stay bounded in memory.
        keep = np.r_[np.arange(0, self._n - 1, 2), self._n - 1]
        for _name, col in self._cols.items():
            kept = col[keep]
            col[:] = np.nan
            col[: len(kept)] = kept
        self._n = len(keep)

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one column (NaN where not recorded)."""
        view = self._cols[name][: self._n] if name in self._cols else np.full(self._n, np.nan)
        view = view.view()
        view.flags.writeable = False
        return view

    @property
    def weight_norm_columns(self) -> tuple[str, ...]:
        """The per-layer weight-norm columns, first layer first."""
        return self.layer_columns(WEIGHT_NORM_PREFIX)

    def layer_columns(self, prefix: str) -> tuple[str, ...]:
        """The per-layer columns named prefix + layer, first layer first."""
        return tuple(c for c in self._cols if c.startswith(prefix) and c[len(prefix):].isdigit())

    def tail(self, names: tuple[str, ...] | list[str], rows: int) -> dict[str, np.ndarray]:
        """Copies of the last `rows` rows of these columns, all cut at one row count.

        Safe while the training thread appends: rows are read up to a count taken once.
        """
        n = self._n
        lo = max(0, n - max(rows, 0))
        return {name: self._cols[name][lo:n].copy() if name in self._cols else np.full(n - lo, np.nan)
                for name in names}

    def last(self, name: str, default: float = math.nan) -> float:
        """Most recent value of a column."""
        return float(self._cols[name][self._n - 1]) if self._n and name in self._cols else default

    def to_frame(self) -> pd.DataFrame:
        """The history as a DataFrame (epoch and steps as integers)."""
        frame = pd.DataFrame({name: col[: self._n] for name, col in self._cols.items()})
        for name in ("epoch", "steps"):
            frame[name] = frame[name].astype("int64")
        return frame.dropna(axis=1, how="all") if self._n else frame  # before epoch 1: the header only

    def nbytes(self) -> int:
        """Bytes held by the columns."""
        return sum(col.nbytes for col in self._cols.values())

"""The race leaderboard as a table that marks each column's best value among the healthy lanes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from playground.catalog import Status

# Leaderboard columns where a smaller number wins.
LOWER_IS_BETTER = ("train loss", "val loss", "val RMSE", "ms / epoch")
HIGHER_IS_BETTER = ("val accuracy",)
BEST_STYLE = "background-color: #d8f0d2; font-weight: 600"
BROKEN_STYLE = "background-color: #f8d7da; color: #842029; font-weight: 600"


def broken_lanes(board: pd.DataFrame) -> pd.Series:
    """True for lanes that diverged, stalled or failed: their numbers are never anyone's best."""
    return board["status"].map(lambda s: s in {status.value for status in Status if status.broken})


def best_cells(board: pd.DataFrame) -> pd.DataFrame:
    """True where a healthy lane holds its column's best value (ties all count).

    A diverged or stalled lane can sit at the lowest val loss (a constant guess) or the fastest
    epoch (it stopped computing much); it is left out, and with fewer than two values to
    compare nobody wins.
    """
    best = pd.DataFrame(False, index=board.index, columns=board.columns)
    healthy = ~broken_lanes(board)
    for col in board.columns:
        values = pd.to_numeric(board[col], errors="coerce").where(healthy)
        if values.nunique() <= 1:
            continue  # all equal (e.g. lanes sharing one batched pass), or one healthy lane: nobody wins
        if col in LOWER_IS_BETTER:
            best[col] = values == values.min()
        elif col in HIGHER_IS_BETTER:
            best[col] = values == values.max()
    return best


def cell_styles(board: pd.DataFrame) -> np.ndarray:
    """Per-cell CSS: best values green, a broken lane's status red (and nothing else of it marked)."""
    styles = np.where(best_cells(board), BEST_STYLE, "").astype(object)
    styles[broken_lanes(board).to_numpy(), list(board.columns).index("status")] = BROKEN_STYLE
    return styles


def styled_leaderboard(board: pd.DataFrame):
    """The leaderboard as a pandas Styler with cell_styles applied."""
    styles = cell_styles(board)
    numbers = {c: "{:.4f}" for c in board.columns if c not in ("epoch", "best epoch", "status")}
    numbers["ms / epoch"] = "{:.2f}"
    return board.style.format(numbers, na_rep="–").apply(lambda _: styles, axis=None)

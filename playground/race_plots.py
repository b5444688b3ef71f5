"""Race views without Streamlit: overlaid loss curves and a leaderboard that marks the best value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from playground.boundary import float_list
from playground.plots import _loss_values, _white_template, downsample

LANE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
# Leaderboard columns where a smaller number wins.
LOWER_IS_BETTER = ("train loss", "val loss", "val RMSE", "ms / epoch")
HIGHER_IS_BETTER = ("val accuracy",)


def race_loss_spec(trainers, labels: list[str], *, log_y: bool = False) -> dict:
    """One colour per lane, train loss solid, validation dashed: a JSON-safe figure dict (no go.Figure)."""
    data = []
    for k, (t, label) in enumerate(zip(trainers, labels, strict=True)):
        h = t.history
        idx = downsample(len(h), [h.column("train_loss"), h.column("val_loss")], max_points=800)
        epochs = np.asarray(h.column("epoch"))[idx].astype(np.int32).tolist()
        color = LANE_COLORS[k % len(LANE_COLORS)]
        data.append({"type": "scatter", "x": epochs, "y": float_list(_loss_values(h, "train_loss", idx, log_y)),
                     "mode": "lines", "name": f"{label} · train", "legendgroup": label,
                     "line": {"color": color, "width": 2}})
        val = _loss_values(h, "val_loss", idx, log_y)
        if np.isfinite(val).any():
            data.append({"type": "scatter", "x": epochs, "y": float_list(val), "mode": "lines",
                         "name": f"{label} · val", "legendgroup": label,
                         "line": {"color": color, "width": 2, "dash": "dash"}})
    layout = {"title": {"text": "train (solid) and validation (dashed) loss", "x": 0.01, "xanchor": "left",
                        "font": {"size": 14}},
              "height": 380, "uirevision": "race-loss", "template": _white_template(),
              "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
              "margin": {"l": 50, "r": 10, "t": 36, "b": 40},
              "xaxis": {"title": {"text": "epoch"}, "rangemode": "tozero"},
              "yaxis": {"title": {"text": "loss (log)" if log_y else "loss"}, "type": "log" if log_y else "linear"}}
    return {"data": data, "layout": layout}


def best_cells(board: pd.DataFrame) -> pd.DataFrame:
    """True where a cell holds its column's best value (ties all count)."""
    best = pd.DataFrame(False, index=board.index, columns=board.columns)
    for col in board.columns:
        values = pd.to_numeric(board[col], errors="coerce")
        if values.nunique() <= 1:
            continue  # all equal (e.g. lanes sharing one batched pass): nobody wins
        if col in LOWER_IS_BETTER and values.notna().any():
            best[col] = values == values.min()
        elif col in HIGHER_IS_BETTER and values.notna().any():
            best[col] = values == values.max()
    return best


def styled_leaderboard(board: pd.DataFrame):
    """The leaderboard as a pandas Styler with each column's best value highlighted."""
    mask = best_cells(board)
    numbers = {c: "{:.4f}" for c in board.columns if c not in ("epoch", "best epoch", "status")}
    numbers["ms / epoch"] = "{:.2f}"
    return (board.style.format(numbers, na_rep="–")
            .apply(lambda _: np.where(mask, "background-color: #d8f0d2; font-weight: 600", ""), axis=None))

"""Optimizer internals: per-layer gradient norms, update ratios, weight norms and adaptive step sizes per epoch.

One subplot per quantity, stacked on one epoch axis, one line per Linear layer; built as a JSON-safe dict
(no go.Figure) so a tick can send it, and `internals_points` gives the rows the live chart appends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.engine.history import GRAD_NORM_PREFIX, STEP_COLUMNS, UPDATE_RATIO_PREFIX, WEIGHT_NORM_PREFIX, History
from playground.figures.codec import float_list
from playground.figures.loss import downsample
from playground.figures.palette import PALETTE
from playground.figures.style import title, white_template

MAX_INTERNAL_POINTS = 600  # per line: layers x quantities of them
MAX_TAIL_ROWS = 2000  # at most this many epochs per tick (the worker keeps as many loss points)
TAIL_ROWS = 64  # rows sent when the caller does not say since which epoch
PANEL_PX, FRAME_PX = 150, 90  # each subplot's height, and the margins and legend around them
GAP = 0.06  # between subplots, as a fraction of the plot area


@dataclass(frozen=True)
class Quantity:
    """One subplot: its history columns (a prefix per layer, or fixed names), its axis and its help."""

    label: str
    axis: str  # the y axis title
    log: bool
    prefix: str | None = None  # per-layer columns prefix + k; None: `columns`
    columns: tuple[str, ...] = ()


QUANTITIES: dict[str, Quantity] = {
    "grad": Quantity("gradient norm", "‖∇W‖", True, GRAD_NORM_PREFIX),
    "ratio": Quantity("update / weight", "‖ΔW‖ / ‖W‖", True, UPDATE_RATIO_PREFIX),
    "weight": Quantity("weight norm", "‖W‖", False, WEIGHT_NORM_PREFIX),
    "step": Quantity("step size", "lr / (√v̂ + ε)", True, columns=STEP_COLUMNS),
}
STEP_NAMES = ("p10", "median", "p90")  # the step quantiles' line names, in STEP_COLUMNS order


def layer_labels(shapes: list[tuple[int, int]]) -> list[str]:
    """'layer 1 (2→16)' per Linear layer, from its (in, out) features: k as in the columns' names."""
    return [f"layer {k} ({i}→{o})" for k, (i, o) in enumerate(shapes, start=1)]


def trace_columns(quantities: list[str], n_layers: int) -> list[tuple[str, str, int]]:
    """(quantity, history column, layer or quantile index) per trace, in the figure's trace order."""
    out = []
    for key in quantities:
        q = QUANTITIES[key]
        names = [f"{q.prefix}{k}" for k in range(1, n_layers + 1)] if q.prefix else list(q.columns)
        out += [(key, name, j) for j, name in enumerate(names)]
    return out


def _values(cols: dict[str, np.ndarray], name: str, log: bool) -> list:
    y = np.asarray(cols[name], dtype=np.float64)
    bad = ~np.isfinite(y) | ((y <= 0) if log else False)  # gaps, not errors, on a log axis
    return float_list(np.where(bad, np.nan, y).astype(np.float32))


def _trace(key: str, j: int, labels: list[str], x: list, y: list, axis: int, first: bool) -> dict:
    if key == "step":  # one band over all parameters: p10 to p90 filled (each fill reaches the line before)
        return {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": f"step {STEP_NAMES[j]}",
                "xaxis": "x", "yaxis": f"y{axis}", "legendgroup": "step",
                "line": {"color": "#7f7f7f", "width": 2.5 if j == 1 else 1, "dash": "solid" if j == 1 else "dot"},
                **({"fill": "tonexty", "fillcolor": "rgba(127,127,127,0.15)"} if j else {})}
    return {"type": "scatter", "x": x, "y": y, "mode": "lines", "name": labels[j], "legendgroup": labels[j],
            "showlegend": first, "xaxis": "x", "yaxis": f"y{axis}",
            "line": {"color": PALETTE[j % len(PALETTE)], "width": 1.8}}


def internals_height(quantities: list[str]) -> int:
    """The chart's height in pixels for this many subplots."""
    return FRAME_PX + PANEL_PX * max(len(quantities), 1)


def internals_spec(history: History, quantities: list[str], shapes: list[tuple[int, int]]) -> dict:
    """The figure dict: a subplot per quantity (top to bottom in the given order), a line per layer."""
    labels, n = layer_labels(shapes), len(shapes)
    traces = trace_columns(quantities, n)
    names = [name for _, name, _ in traces]
    cols = {name: history.column(name) for name in ["epoch", *names]}
    idx = downsample(len(cols["epoch"]), [cols[c] for c in names], MAX_INTERNAL_POINTS)
    epochs = np.asarray(cols["epoch"])[idx].astype(np.int32).tolist()
    cols = {c: np.asarray(v)[idx] for c, v in cols.items()}
    axis_of = {key: k for k, key in enumerate(quantities, start=1)}
    data = [_trace(key, j, labels, epochs, _values(cols, name, QUANTITIES[key].log), axis_of[key],
                   first=key == next((q for q in quantities if q != "step"), None))
            for key, name, j in traces]
    rows = max(len(quantities), 1)
    span = (1 - GAP * (rows - 1)) / rows
    layout = {"title": title(""), "height": internals_height(quantities), "template": white_template(),
              "margin": {"l": 60, "r": 10, "t": 30, "b": 40}, "uirevision": "internals",
              "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
              "xaxis": {"title": {"text": "epoch"}, "rangemode": "tozero", "anchor": f"y{rows}"}}
    notes = []
    for key, k in axis_of.items():
        q, top = QUANTITIES[key], 1 - (k - 1) * (span + GAP)
        layout["yaxis" if k == 1 else f"yaxis{k}"] = {
            "domain": [max(top - span, 0.0), top], "anchor": "x", "type": "log" if q.log else "linear",
            "title": {"text": q.axis, "font": {"size": 11}}, **({} if q.log else {"rangemode": "tozero"})}
        notes.append({"text": q.label, "xref": "paper", "yref": "paper", "x": 1, "y": top, "xanchor": "right",
                      "yanchor": "top", "showarrow": False, "font": {"size": 11, "color": "#555"}})
    layout["annotations"] = notes
    return {"data": data, "layout": layout}


def internals_points(history: History, quantities: list[str], n_layers: int, *,
                     since_epoch: int | None = None) -> dict | None:
    """The newest rows as traces to extend: {"traces", "x", "y"}, in internals_spec's trace order.

    since_epoch: the first epoch this tick brought (every row from it on); None: the last TAIL_ROWS rows.
    The browser drops epochs it already has, so overlapping ticks cost only bytes.
    """
    traces = trace_columns(quantities, n_layers)
    if not traces or not len(history):
        return None
    rows = TAIL_ROWS
    if since_epoch is not None:
        rows = min(max(int(history.last("epoch")) - int(since_epoch) + 1, 1), MAX_TAIL_ROWS)
    cols = history.tail(["epoch", *(name for _, name, _ in traces)], rows)
    keep = np.isfinite(cols["epoch"])
    if since_epoch is not None:
        keep &= cols["epoch"] >= since_epoch
    if not keep.any():
        return None
    x = cols["epoch"][keep].astype(np.int64).tolist()
    ys = [_values({name: cols[name][keep]}, name, QUANTITIES[key].log) for key, name, _ in traces]
    return {"traces": list(range(len(traces))), "x": [x] * len(traces), "y": ys}

"""Weight norms: each Linear layer's ‖W‖ per epoch and lane, as a panel beside a race's loss curves."""

from __future__ import annotations

import numpy as np

from playground.figures.codec import float_list
from playground.figures.loss import LANE_COLORS, downsample

DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")  # one per layer, in order
# Side by side, so the race's charts fit one screen: the loss curves on the left, the norms on the right.
LOSS_DOMAIN = (0.0, 0.55)
NORM_DOMAIN = (0.66, 1.0)
MAX_NORM_POINTS = 400  # per line: a race draws lanes x layers of them


def layer_name(k: int, n_layers: int) -> str:
    """'layer 2', or 'output' for the last Linear layer."""
    return "output" if k == n_layers else f"layer {k}"


def weight_norm_traces(trainers, labels: list[str]) -> list[dict]:
    """One line per lane and layer on the second y axis: the lane's colour, a dash per layer."""
    data = []
    for lane, (t, label) in enumerate(zip(trainers, labels, strict=True)):
        history, color = t.history, LANE_COLORS[lane % len(LANE_COLORS)]
        columns = history.weight_norm_columns
        idx = downsample(len(history), [history.column(c) for c in columns], MAX_NORM_POINTS)
        epochs = np.asarray(history.column("epoch"))[idx].astype(np.int32).tolist()
        for k, name in enumerate(columns, start=1):
            values = np.asarray(history.column(name), dtype=np.float32)[idx]
            data.append({"type": "scatter", "x": epochs, "y": float_list(values), "mode": "lines",
                         "name": f"{label} · {layer_name(k, len(columns))} ‖W‖", "legendgroup": label,
                         "showlegend": False, "xaxis": "x2", "yaxis": "y2",
                         "line": {"color": color, "width": 1.5, "dash": DASHES[(k - 1) % len(DASHES)]}})
    return data


def dash_key(n_layers: int) -> str:
    """Which line style is which layer, e.g. 'solid layer 1, dash layer 2, dot output'."""
    return ", ".join(f"{DASHES[(k - 1) % len(DASHES)]} {layer_name(k, n_layers)}" for k in range(1, n_layers + 1))


def with_weight_norms(spec: dict, trainers, labels: list[str], *, height: int) -> dict:
    """A race loss figure dict with each lane's per-layer weight norms in a panel beside it."""
    n_layers = max((len(t.history.weight_norm_columns) for t in trainers), default=0)
    layout = dict(spec["layout"], height=height)
    layout["xaxis"] = {**layout["xaxis"], "domain": list(LOSS_DOMAIN)}
    layout["xaxis2"] = {"domain": list(NORM_DOMAIN), "anchor": "y2", "title": {"text": "epoch"}}
    layout["yaxis2"] = {"anchor": "x2", "rangemode": "tozero", "title": {"text": "weight norm ‖W‖"}}
    layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"}
    layout["margin"] = {**layout.get("margin", {}), "r": 10, "b": 70}
    # The key on its own line: on one it ran past the panel's edge at 1280 px; before training there is none.
    key = f"<br>{dash_key(n_layers)}" if n_layers else ""
    note = {"text": f"each layer's weight norm{key}", "xref": "paper", "yref": "paper", "align": "left",
            "x": NORM_DOMAIN[0], "y": 1.0, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 11}}
    layout["annotations"] = [*layout.get("annotations", ()), note]
    return {"data": spec["data"] + weight_norm_traces(trainers, labels), "layout": layout}

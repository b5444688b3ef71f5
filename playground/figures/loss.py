"""Loss curves: one run's train and validation loss with event markers, and a race's overlay."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go

from playground.figures.codec import float_list
from playground.figures.style import HEIGHT, LEGEND, MARGIN, TRAIN_COLOR, VAL_COLOR, title, white_template
from playground.markup import plotly

MAX_LOSS_POINTS = 2000  # a browser line of 10,000 epochs looks the same at 2,000 and ships 5x less
MAX_EVENT_MARKERS = 30  # more vertical lines than this is noise; the newest are kept
LANE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def downsample(n: int, columns: Iterable[np.ndarray], max_points: int = MAX_LOSS_POINTS) -> np.ndarray:
    """Row indices to draw: the first, the last, and each bucket's min and max of every column.

    Keeping extremes (not every k-th row) preserves the loss spikes of a too-large learning rate.
    """
    columns = [np.asarray(c, dtype=np.float64) for c in columns]
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, (max_points - 2) // (2 * max(len(columns), 1)))
    size = math.ceil(n / buckets)
    offsets = np.arange(buckets) * size
    keep = [np.array([0, n - 1])]
    for col in columns:
        blocks = np.full(buckets * size, np.nan)
        blocks[:n] = col[:n]
        blocks = blocks.reshape(buckets, size)
        finite = np.isfinite(blocks)
        keep.append(offsets + np.where(finite, blocks, np.inf).argmin(axis=1))
        keep.append(offsets + np.where(finite, blocks, -np.inf).argmax(axis=1))
    idx = np.unique(np.concatenate(keep))
    return idx[idx < n]


def _loss_values(history, name: str, idx: np.ndarray, log_y: bool) -> np.ndarray:
    y = np.asarray(history.column(name), dtype=np.float64)[idx]
    # Non-finite (diverged) and, on a log axis, non-positive losses become gaps instead of errors.
    bad = ~np.isfinite(y) | ((y <= 0) if log_y else False)
    return np.where(bad, np.nan, y).astype(np.float32)


def _markers(lines: list[tuple[float, str, str]]) -> dict:
    """Dotted vertical lines with labels written up along them, as layout shapes and annotations.

    Set in one layout update: fig.add_shape/add_annotation re-validate every earlier one (quadratic).
    """
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
               "line": {"dash": "dot", "width": 1.2, "color": color}} for x, _, color in lines]
    notes = [{"x": x, "xref": "x", "y": 1, "yref": "paper", "text": label, "showarrow": False,
              "textangle": -90, "xanchor": "right", "yanchor": "top", "font": {"size": 10, "color": color}}
             for x, label, color in lines]
    return {"shapes": shapes, "annotations": notes}


def _event_labels(events: Iterable[tuple[int, str]], stop_epoch: int | None) -> dict[int, str]:
    """One short label per epoch; 'stopped early' is dropped when the stop marker shows it anyway."""
    labels: dict[int, list[str]] = {}
    for epoch, text in events:
        if stop_epoch is not None and text == "stopped early":
            continue
        labels.setdefault(int(epoch), []).append(text if len(text) <= 18 else text[:17] + "…")
    newest = sorted(labels)[-MAX_EVENT_MARKERS:]
    return {e: ", ".join(labels[e]) for e in newest}


def loss_figure(history, *, log_y: bool = False, best_epoch: int | None = None,
                stop_epoch: int | None = None, events: Iterable[tuple[int, str]] = ()) -> go.Figure:
    """Train loss (solid) and validation loss (dashed) per epoch, with event/best/stop markers."""
    return go.Figure(loss_spec(history, log_y=log_y, best_epoch=best_epoch, stop_epoch=stop_epoch, events=events))


def _curves(history, log_y: bool, *, max_points: int, names: tuple[str, str], colors: tuple[str, str],
            group: str | None = None, validation: bool | None = None, val_legend: bool = True) -> list[dict]:
    """Train (solid) and validation (dashed) loss traces of one history, downsampled.

    validation=True keeps the validation trace even while it is empty, so live points can extend it;
    val_legend=False leaves the validation trace out of the legend (its dash says what it is).
    """
    idx = downsample(len(history), [history.column("train_loss"), history.column("val_loss")], max_points)
    epochs = np.asarray(history.column("epoch"))[idx].astype(np.int32).tolist()
    extra = {"legendgroup": group} if group else {}
    data = [{"type": "scatter", "x": epochs, "y": float_list(_loss_values(history, "train_loss", idx, log_y)),
             "mode": "lines", "name": names[0], "line": {"color": colors[0], "width": 2}, **extra}]
    val = _loss_values(history, "val_loss", idx, log_y)
    if validation or (validation is None and np.isfinite(val).any()):
        data.append({"type": "scatter", "x": epochs, "y": float_list(val), "mode": "lines", "name": names[1],
                     "line": {"color": colors[1], "width": 2, "dash": "dash"}, **extra,
                     **({} if val_legend else {"showlegend": False})})
    return data


def _layout(log_y: bool, uirevision: str, **extra) -> dict:
    """The loss chart's layout: epoch against (log) loss on the white template."""
    return {"title": title(""), "height": HEIGHT, "margin": MARGIN, "uirevision": uirevision,
            "template": white_template(), "legend": LEGEND,
            "xaxis": {"title": {"text": "epoch"}, "rangemode": "tozero"},
            "yaxis": {"title": {"text": "loss (log)" if log_y else "loss"}, "type": "log" if log_y else "linear"},
            **extra}


def loss_markers(history, *, best_epoch: int | None = None, stop_epoch: int | None = None,
                 events: Iterable[tuple[int, str]] = ()) -> dict:
    """The loss chart's event, lowest-val, best and stop lines, as a layout update (shapes and annotations)."""
    lines = [(e, text, "#d62728" if text.startswith(("diverged", "stalled")) else "#7f7f7f")
             for e, text in _event_labels(events, stop_epoch).items()]
    low = lowest_val_epoch(history)
    lines += [(e, text, color) for e, text, color in ((low, "lowest val loss", "#2ca02c"),
                                                      (best_epoch if best_epoch != low else None, "best", "#2ca02c"),
                                                      (stop_epoch, "stopped", "#9467bd")) if e]
    return _markers(lines)


def loss_spec(history, *, log_y: bool = False, best_epoch: int | None = None,
              stop_epoch: int | None = None, events: Iterable[tuple[int, str]] = (),
              validation: bool | None = None) -> dict:
    """loss_figure as a JSON-safe dict, built directly: go.Figure's validation costs ~20 ms a tick."""
    data = _curves(history, log_y, max_points=MAX_LOSS_POINTS, names=("train", "validation"),
                   colors=(TRAIN_COLOR, VAL_COLOR), validation=validation)
    markers = loss_markers(history, best_epoch=best_epoch, stop_epoch=stop_epoch, events=events)
    # The legend on top, right of the plot's title: under the axis it crowded the "epoch" title in a short chart.
    top = {"legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
           "margin": {**MARGIN, "t": 40, "b": 44}}
    return {"data": data, "layout": _layout(log_y, "loss", **top, **markers)}


def lowest_val_epoch(history) -> int | None:
    """The epoch where validation loss bottomed out (None without a validation split)."""
    val = np.asarray(history.column("val_loss"), dtype=np.float64)
    if not np.isfinite(val).any():
        return None
    return int(history.column("epoch")[np.nanargmin(val)])


def race_loss_spec(trainers, labels: list[str], *, log_y: bool = False, height: int = 380,
                   validation: bool | None = None) -> dict:
    """One colour per lane, train loss solid, validation dashed: a JSON-safe figure dict (no go.Figure)."""
    data = []
    for k, (t, label) in enumerate(zip(trainers, labels, strict=True)):
        color, label = LANE_COLORS[k % len(LANE_COLORS)], plotly(label)
        data += _curves(t.history, log_y, max_points=800, names=(f"{label} · train", f"{label} · val"),
                        colors=(color, color), group=label, validation=validation, val_legend=False)
    return {"data": data, "layout": _layout(
        log_y, "race-loss", title=title("train (solid) and validation (dashed) loss"), height=height,
        legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        margin={"l": 50, "r": 10, "t": 36, "b": 40})}

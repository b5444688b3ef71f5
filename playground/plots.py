"""Plotly figures for the app: decision boundary, loss curves and evaluation plots. Pure: no Streamlit."""

from __future__ import annotations

import base64
import functools
import json
import math
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from playground.boundary import Boundary, class_colors, float_list
from playground.data import Dataset

HEIGHT = 420
MARGIN = {"l": 50, "r": 10, "t": 36, "b": 70}  # the legend sits under the x axis
MAX_LOSS_POINTS = 2000  # a browser line of 10,000 epochs looks the same at 2,000 and ships 5x less
MAX_EVENT_MARKERS = 30  # more vertical lines than this is noise; the newest are kept
# Lighter than the markers' colours so class-0 / class-1 points stay visible on top.
PROB_SCALE = [[0.0, "#ef8a62"], [0.5, "#f7f7f7"], [1.0, "#67a9cf"]]
VALUE_SCALE = "Viridis"
LEGEND = {"orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.16, "yanchor": "top"}


def _base_layout(fig: go.Figure, title: str | None, uirevision: str) -> None:
    fig.update_layout(title={"text": title or "", "x": 0.01, "xanchor": "left", "font": {"size": 14}},
                      height=HEIGHT, margin=MARGIN, uirevision=uirevision, template="plotly_white",
                      legend=LEGEND)


# ---- decision boundary -------------------------------------------------------------------------

def _display(z: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Round background values to ~1/1000 of their range: invisible on screen, a third of the JSON."""
    decimals = 3 - math.floor(math.log10(hi - lo)) if hi > lo else 3
    return np.round(np.asarray(z, dtype=np.float64), decimals).astype(np.float32)


def _background(boundary: Boundary, data: Dataset, values: np.ndarray | None) -> go.BaseTraceType:
    """Trace 0: the model's output over the plane (heatmap, class image or fitted curve)."""
    res = boundary.resolution
    if boundary.kind == "curve":
        y = np.full(len(boundary.xs), np.nan) if values is None else values
        return go.Scatter(x=boundary.xs, y=np.asarray(y, dtype=np.float32), mode="lines", name="model",
                          line={"color": "#222", "width": 2.5})
    if boundary.kind == "classes":
        probs = np.full((res, res, boundary.n_classes), np.nan) if values is None else values
        step = float(boundary.xs[1] - boundary.xs[0]), float(boundary.ys[1] - boundary.ys[0])
        # Row 0 of the PNG is the lowest y: y0 is the bottom row's centre, dy > 0, y axis not reversed.
        return go.Image(source=boundary.patch(probs)["source"], x0=float(boundary.xs[0]),
                        y0=float(boundary.ys[0]), dx=step[0], dy=step[1], zsmooth="fast",
                        hoverinfo="skip", name="model")
    lo, hi = boundary.zrange
    z = np.full((res, res), np.nan) if values is None else values
    common = {"x": boundary.xs, "y": boundary.ys, "z": _display(z, lo, hi), "zsmooth": "fast",
              "name": "model", "hovertemplate": "%{z:.3g}<extra></extra>"}
    if boundary.task == "regression":
        return go.Heatmap(**common, coloraxis="coloraxis")
    return go.Heatmap(**common, colorscale=PROB_SCALE, zmin=0, zmax=1,
                      colorbar={"title": {"text": _prob_title(data)}, "thickness": 12})


def _prob_title(data: Dataset) -> str:
    name = data.class_names[1] if len(data.class_names) > 1 else "1"
    return "P(class 1)" if name == "1" else f"P(class 1)<br>{name}"


def _point_traces(boundary: Boundary, data: Dataset) -> list[go.Scatter]:
    """Training points filled, validation points hollow; targets in original units for regression."""
    traces = []
    on_scale = data.task == "regression" and boundary.kind != "curve"
    for name, x, y in (("train", data.x_train, data.y_train), ("validation", data.x_val, data.y_val)):
        if not len(y):
            continue
        target = (y * data.y_std + data.y_mean if data.task == "regression" else y).astype(np.float32)
        px, py = (x[:, 0], target) if boundary.kind == "curve" else boundary.project(x).T
        if data.task != "regression":
            color = np.asarray(class_colors(data.n_classes))[y]
        else:
            color = target if on_scale else "#444"
        traces.append(go.Scatter(x=px, y=py, mode="markers", name=name,
                                 marker=_marker(color, name == "validation", on_scale),
                                 hovertemplate=f"{name}<br>%{{x:.2f}}, %{{y:.2f}}<extra></extra>"))
    return traces


def _marker(color, validation: bool, on_scale: bool) -> dict:
    """Training points filled; validation points hollow (white) with a ring in the point's colour."""
    # On the heatmap's own scale a point that blends into its background is predicted well.
    scale = {"coloraxis": "coloraxis"} if on_scale else {}
    if validation:
        ring = {"width": 2, "color": color, **scale}
        return {"color": "white", "size": 7, "symbol": "circle", "line": ring}
    edge = "#333" if on_scale else "white"
    return {"color": color, "size": 6, "symbol": "circle", "line": {"width": 0.6, "color": edge}, **scale}


def _class_legend(data: Dataset) -> list[go.Scatter]:
    """Legend-only entries naming each class colour (they draw nothing)."""
    if data.task == "regression":
        return []
    colors = class_colors(data.n_classes)
    names = data.class_names or tuple(str(i) for i in range(data.n_classes))
    names = [f"class {n}" if str(n).isdigit() else str(n) for n in names]
    return [go.Scatter(x=[None], y=[None], mode="markers", name=n,
                       marker={"color": c, "size": 8, "symbol": "square"}, hoverinfo="skip")
            for n, c in zip(names, colors, strict=False)]


def _boundary_axes(fig: go.Figure, boundary: Boundary, data: Dataset) -> None:
    if boundary.kind == "curve":
        fig.update_xaxes(title=f"{data.feature_names[0]} (standardized)")
        fig.update_yaxes(title="target" if data.task == "regression" else "class", zeroline=False)
        return
    if boundary.projected:
        e1, e2 = boundary.explained
        titles = (f"PC1 ({e1:.0%} var)", f"PC2 ({e2:.0%} var)")
    else:
        titles = tuple(f"{n} (standardized)" for n in data.feature_names[:2])
    # Explicit ranges: the plane fills the plot, and the y axis is never auto-reversed for images.
    fig.update_xaxes(title=titles[0], range=_edges(boundary.xs), showgrid=False, zeroline=False,
                     constrain="domain")
    # Equal scales keep geometry honest: circles stay round, and PC1's larger spread shows as width.
    fig.update_yaxes(title=titles[1], range=_edges(boundary.ys), showgrid=False, zeroline=False,
                     constrain="domain", scaleanchor="x", scaleratio=1)


def _edges(axis: np.ndarray) -> list[float]:
    """Outer edges of the first and last grid cells."""
    half = float(axis[1] - axis[0]) / 2
    return [float(axis[0]) - half, float(axis[-1]) + half]


def boundary_figure(boundary: Boundary, data: Dataset, values: np.ndarray | None, *,
                    title: str | None = None) -> go.Figure:
    """Model output over the plane (trace 0) with training and validation points on top."""
    traces = [_background(boundary, data, values), *_point_traces(boundary, data), *_class_legend(data)]
    fig = go.Figure(traces)
    if boundary.label:
        title = f"{title} · {boundary.label}" if title else boundary.label
    _base_layout(fig, title, "boundary")
    _boundary_axes(fig, boundary, data)
    if data.task == "regression" and boundary.kind == "heatmap":
        lo, hi = boundary.zrange
        fig.update_layout(coloraxis={"colorscale": VALUE_SCALE, "cmin": lo, "cmax": hi,
                                     "colorbar": {"title": {"text": "prediction"}, "thickness": 12}})
    return fig


# ---- loss curves -------------------------------------------------------------------------------

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


def loss_spec(history, *, log_y: bool = False, best_epoch: int | None = None,
              stop_epoch: int | None = None, events: Iterable[tuple[int, str]] = ()) -> dict:
    """loss_figure as a JSON-safe dict, built directly: go.Figure's validation costs ~20 ms a tick."""
    n = len(history)
    idx = downsample(n, [history.column("train_loss"), history.column("val_loss")])
    epochs = np.asarray(history.column("epoch"))[idx].astype(np.int32).tolist()
    data = [{"type": "scatter", "x": epochs, "y": float_list(_loss_values(history, "train_loss", idx, log_y)),
             "mode": "lines", "name": "train", "line": {"color": "#1f77b4", "width": 2}}]
    val = _loss_values(history, "val_loss", idx, log_y)
    if np.isfinite(val).any():
        data.append({"type": "scatter", "x": epochs, "y": float_list(val), "mode": "lines", "name": "validation",
                     "line": {"color": "#ff7f0e", "width": 2, "dash": "dash"}})
    lines = [(e, text, "#d62728" if text.startswith("diverged") else "#7f7f7f")
             for e, text in _event_labels(events, stop_epoch).items()]
    lines += [(e, text, color) for e, text, color in ((best_epoch, "best", "#2ca02c"),
                                                      (stop_epoch, "stopped", "#9467bd")) if e]
    layout = {"title": {"text": "", "x": 0.01, "xanchor": "left", "font": {"size": 14}}, "height": HEIGHT,
              "margin": MARGIN, "uirevision": "loss", "template": _white_template(), "legend": LEGEND,
              "xaxis": {"title": {"text": "epoch"}, "rangemode": "tozero"},
              "yaxis": {"title": {"text": "loss (log)" if log_y else "loss"}, "type": "log" if log_y else "linear"},
              **_markers(lines)}
    return {"data": data, "layout": layout}


@functools.cache
def _white_template() -> dict:
    return _plain(pio.templates["plotly_white"].to_plotly_json())


# ---- evaluation --------------------------------------------------------------------------------

def confusion_figure(cm: np.ndarray, class_names) -> go.Figure:
    """Annotated confusion matrix: rows are the true class, columns the predicted class."""
    cm = np.asarray(cm)
    names = [str(c) for c in class_names] or [str(i) for i in range(len(cm))]
    fig = go.Figure(go.Heatmap(z=cm.astype(np.int32), x=names, y=names, colorscale="Blues", showscale=False,
                               texttemplate="%{z}",
                               hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"))
    _base_layout(fig, "confusion matrix", "confusion")
    fig.update_layout(legend=None)
    fig.update_xaxes(title="predicted class", type="category", side="bottom")
    # Matrix convention: the first true class is the top row.
    fig.update_yaxes(title="true class", type="category", autorange="reversed", scaleanchor="x")
    return fig


def roc_figure(fpr: np.ndarray, tpr: np.ndarray, auc: float) -> go.Figure:
    """ROC curve with the chance diagonal (a classifier that guesses)."""
    auc_text = f"{auc:.3f}" if auc is not None and math.isfinite(auc) else "n/a"
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line={"dash": "dash", "color": "#999"}),
        go.Scatter(x=np.asarray(fpr, dtype=np.float32), y=np.asarray(tpr, dtype=np.float32), mode="lines",
                   name=f"model (AUC {auc_text})", line={"color": "#1f77b4", "width": 2.5}),
    ])
    _base_layout(fig, f"ROC curve · AUC {auc_text}", "roc")
    fig.update_xaxes(title="false positive rate", range=[0, 1], constrain="domain")
    fig.update_yaxes(title="true positive rate", range=[0, 1.01], scaleanchor="x", constrain="domain")
    return fig


def pred_actual_figure(y_true: np.ndarray, y_pred: np.ndarray) -> go.Figure:
    """Predicted vs actual targets; points on the y = x line are perfect predictions."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    ok = np.isfinite(y_true) & np.isfinite(y_pred)
    both = np.concatenate([y_true[ok], y_pred[ok]])
    lo, hi = (float(both.min()), float(both.max())) if len(both) else (0.0, 1.0)
    fig = go.Figure([
        go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x",
                   line={"dash": "dash", "color": "#999"}),
        go.Scatter(x=y_true[ok].astype(np.float32), y=y_pred[ok].astype(np.float32), mode="markers",
                   name="points", marker={"size": 6, "color": "#1f77b4", "opacity": 0.7}),
    ])
    _base_layout(fig, "predicted vs actual", "pred_actual")
    fig.update_xaxes(title="actual")
    fig.update_yaxes(title="predicted", scaleanchor="x")
    return fig


# ---- payloads ----------------------------------------------------------------------------------

def _typed(spec: dict) -> np.ndarray:
    """Decode plotly's base64 typed-array form {"dtype", "bdata", "shape"?} back to numpy."""
    arr = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    shape = spec.get("shape")
    if shape:
        arr = arr.reshape([int(s) for s in str(shape).split(",")])
    return arr


def _plain(obj):
    """Recursively turn numpy arrays/scalars and typed arrays into lists and JSON-safe numbers."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            return _plain(_typed(obj))
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            return float_list(obj)
        return obj.tolist() if obj.dtype.kind in "iub" else [_plain(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


def figure_dict(fig: go.Figure, *, template: bool = True) -> dict:
    """A JSON-safe plain dict of the figure (lists, float32 precision, NaN as None) for the live chart.

    template=False drops plotly.py's ~7 kB layout template; plotly.js then uses its own defaults.
    """
    out = _plain(fig.to_plotly_json())
    if not template:
        out.get("layout", {}).pop("template", None)
    return out


def payload_bytes(obj) -> int:
    """Size in bytes of obj as compact JSON (obj must already be JSON-safe, e.g. from figure_dict)."""
    return len(json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8"))

"""The decision-boundary figure: the model's output over the plane with the data points on top."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from playground.engine.data import Dataset
from playground.figures.grid import Boundary
from playground.figures.palette import class_colors
from playground.figures.style import PROB_SCALE, VALUE_SCALE, base_layout
from playground.markup import plotly


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
                      colorbar=COLORBAR | {"title": {"text": _prob_title(data)}})


def _prob_title(data: Dataset) -> str:
    name = data.class_names[1] if len(data.class_names) > 1 else "1"
    return "P(class 1)" if name == "1" else f"P(class 1)<br>{plotly(name)}"


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
    names = [f"class {n}" if str(n).isdigit() else plotly(n) for n in names]
    return [go.Scatter(x=[None], y=[None], mode="markers", name=n,
                       marker={"color": c, "size": 8, "symbol": "square"}, hoverinfo="skip")
            for n, c in zip(names, colors, strict=False)]


def _boundary_axes(fig: go.Figure, boundary: Boundary, data: Dataset) -> None:
    scale = " (standardized)" if data.scaled else ""
    if boundary.kind == "curve":
        fig.update_xaxes(title=f"{plotly(data.feature_names[0])}{scale}")
        fig.update_yaxes(title="target" if data.task == "regression" else "class", zeroline=False)
        return
    if boundary.projected:
        e1, e2 = boundary.explained
        titles = (f"PC1 ({e1:.0%} var)", f"PC2 ({e2:.0%} var)")
    else:
        titles = tuple(f"{plotly(n)}{scale}" for n in data.feature_names[:2])
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


# The colour bar keeps the top half of the right side and the legend the bottom half, so the square
# plane is as tall as the chart allows.
COLORBAR = {"thickness": 12, "len": 0.55, "y": 1.0, "yanchor": "top"}
SIDE_LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "yref": "paper", "y": 0.0, "yanchor": "bottom"}


def boundary_figure(boundary: Boundary, data: Dataset, values: np.ndarray | None, *,
                    title: str | None = None) -> go.Figure:
    """Model output over the plane (trace 0) with training and validation points on top."""
    traces = [_background(boundary, data, values), *_point_traces(boundary, data), *_class_legend(data)]
    fig = go.Figure(traces)
    title = plotly(title) if title else title
    if boundary.label:
        title = f"{title} · {boundary.label}" if title else boundary.label
    base_layout(fig, title, "boundary")
    _boundary_axes(fig, boundary, data)
    if data.task == "regression" and boundary.kind == "heatmap":
        lo, hi = boundary.zrange
        fig.update_layout(coloraxis={"colorscale": VALUE_SCALE, "cmin": lo, "cmax": hi,
                                     "colorbar": COLORBAR | {"title": {"text": "prediction"}}})
    if boundary.kind != "curve":  # the plane is square: its legend goes right, under the colour bar
        fig.update_layout(legend=SIDE_LEGEND, margin={"b": 45})
    return fig


def _bands(colors: list[str]) -> list[list]:
    """A colour scale of flat bands: plotly draws a hard edge where a position repeats."""
    n = len(colors)
    return [[pos / n, c] for i, c in enumerate(colors) for pos in (i, i + 1)]


# Discretized output, as the TF Playground's toggle: each side of 0.5 in one colour, and regression in 8 bands.
DISCRETE_PROB = _bands([PROB_SCALE[0][1], PROB_SCALE[-1][1]])
DISCRETE_VALUE = _bands(sample_colorscale(VALUE_SCALE, 8))


def shown(spec: dict, *, validation: bool = True, discrete: bool = False) -> dict:
    """A boundary figure (as a dict) the way the visitor asked to see it; the cached original stays as it is."""
    if validation and not discrete:
        return spec
    data = [dict(trace) for trace in spec["data"]]
    for trace in data:
        if not validation and trace.get("name") == "validation":
            trace["visible"] = False
        if discrete and trace.get("type") == "heatmap" and "colorscale" in trace:
            trace["colorscale"] = DISCRETE_PROB
    layout = spec.get("layout", {})
    if discrete and "coloraxis" in layout:
        layout = {**layout, "coloraxis": {**layout["coloraxis"], "colorscale": DISCRETE_VALUE}}
    return {**spec, "data": data, "layout": layout}


def small_multiple(fig: go.Figure) -> go.Figure:
    """A boundary figure as one of a row (a race's lanes): no colour bar, legend or axis titles, small margins.

    Every lane shares the colour scale and the axes, which the page's other charts name.
    """
    fig.update_traces(showscale=False, selector={"type": "heatmap"})
    fig.update_layout(showlegend=False, margin={"l": 24, "r": 8, "t": 28, "b": 22}, title={"font": {"size": 12}})
    fig.update_xaxes(title=None)
    fig.update_yaxes(title=None)
    return fig

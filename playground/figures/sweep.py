"""A sweep's heatmap (one cell per pair of values) or, for a random search, its scatter of drawn samples, coloured by
the metric and labelled with its number or note."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.catalog import SweepMetric
from playground.figures.payload import figure_dict
from playground.figures.style import VALUE_SCALE, title
from playground.markup import plotly as plotly_text
from playground.sweeps.axes import Space
from playground.sweeps.config import axis_label, label

PENDING = "#f2f2f2"  # a cell whose trials have not finished: the plot's background shows through
NOTE_COLOR = "#b2182b"
DARK_HALF = 0.45  # Viridis runs from dark purple to yellow: below this share of its range, white text reads


def colour_values(grids: list[np.ndarray], metric: SweepMetric) -> tuple[list[np.ndarray], tuple[float, float]]:
    """The numbers the colours follow (log10 for a loss, which spans decades) and one range for every
    heatmap, so the same colour means the same value side by side."""
    out = []
    for z in grids:
        z = np.array(z, dtype=float)
        if metric.loss:
            z = np.where(z > 0, np.log10(np.where(z > 0, z, 1.0)), np.nan)
        out.append(z)
    finite = np.concatenate([z[np.isfinite(z)] for z in out]) if out else np.array([])
    if not finite.size:
        return out, (0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    return out, (lo, hi if hi > lo else lo + 1e-9)


def heatmap_spec(z: np.ndarray, texts: list[list[str]], *, x_ticks: list[str], y_ticks: list[str], x_name: str,
                 y_name: str, heading: str, metric: SweepMetric, zrange: tuple[float, float], height: int) -> dict:
    """The figure as a plain dict for the live chart: cells at integer positions, ticks naming the values."""
    ny, nx = z.shape
    lo, hi = zrange
    ticks = np.linspace(lo, hi, 5)
    bar = {"title": {"text": ("log scale" if metric.loss else ""), "side": "right"}, "tickvals": ticks.tolist(),
           "ticktext": [f"{10 ** t:.3g}" if metric.loss else f"{t:.3g}" for t in ticks], "thickness": 14}
    cells = go.Heatmap(z=np.where(np.isfinite(z), z, np.nan), x=list(range(nx)), y=list(range(ny)),
                       zmin=lo, zmax=hi, colorscale=VALUE_SCALE, reversescale=metric.low, colorbar=bar,
                       xgap=2, ygap=2, hoverongaps=True, customdata=texts,
                       hovertemplate=f"{plotly_text(x_name)} %{{x}} · {plotly_text(y_name)} %{{y}}<br>"
                                     "%{customdata}<extra>click: open this run</extra>")
    fig = go.Figure(cells)
    for iy in range(ny):
        for ix in range(nx):
            if texts[iy][ix]:
                fig.add_annotation(x=ix, y=iy, text=plotly_text(texts[iy][ix]), showarrow=False,
                                   font={"size": 11, "color": _ink(z[iy, ix], zrange, metric.low)})
    axis = {"showgrid": False, "zeroline": False}
    fig.update_layout(
        title=title(heading), height=height, margin={"l": 90, "r": 10, "t": 40, "b": 60}, template="plotly_white",
        plot_bgcolor=PENDING, uirevision="sweep",
        xaxis={**axis, "title": {"text": plotly_text(x_name)}, "tickvals": list(range(nx)),
               "ticktext": [plotly_text(t) for t in x_ticks], "range": [-0.5, nx - 0.5]},
        yaxis={**axis, "title": {"text": plotly_text(y_name)}, "tickvals": list(range(ny)),
               "ticktext": [plotly_text(t) for t in y_ticks], "range": [-0.5, ny - 0.5]})
    return figure_dict(fig, template=False)


def _ink(value: float, zrange: tuple[float, float], reversed_scale: bool) -> str:
    """Text that reads on its cell: white on Viridis' dark half, dark on its light half, red on no colour."""
    if not np.isfinite(value):
        return NOTE_COLOR
    lo, hi = zrange
    t = (value - lo) / (hi - lo)
    return "white" if (1 - t if reversed_scale else t) < DARK_HALF else "#222"


def cell_at(click, shape: tuple[int, int]) -> tuple[int, int] | None:
    """The (row, column) a live-chart click {x, y} landed in, or None outside the grid."""
    if not isinstance(click, dict) or "x" not in click or "y" not in click:
        return None
    try:
        ix, iy = round(float(click["x"])), round(float(click["y"]))
    except (TypeError, ValueError, OverflowError):
        return None
    ny, nx = shape
    return (iy, ix) if 0 <= ix < nx and 0 <= iy < ny else None


def scatter_spec(x: np.ndarray, y: np.ndarray, z: np.ndarray, done: np.ndarray, texts: list[str], *, x_axis: dict,
                 y_axis: dict,
                 heading: str, metric: SweepMetric, zrange: tuple[float, float], height: int) -> dict:
    """A random search's samples at their drawn (x, y) positions: grey rings until they finish, then
    coloured by the metric (one scale for every chart), red crosses where a run gave no number."""
    lo, hi = zrange
    ticks = np.linspace(lo, hi, 5)
    bar = {"title": {"text": ("log scale" if metric.loss else ""), "side": "right"}, "tickvals": ticks.tolist(),
           "ticktext": [f"{10 ** t:.3g}" if metric.loss else f"{t:.3g}" for t in ticks], "thickness": 14}
    done = np.asarray(done, dtype=bool)
    measured, hover = np.isfinite(z), "%{customdata}<extra>click: open this run</extra>"
    fig = go.Figure()
    for name, keep, marker in (
            ("running or queued", ~done, {"color": "#999", "symbol": "circle-open", "size": 11}),
            ("no number", done & ~measured, {"color": NOTE_COLOR, "symbol": "x", "size": 10}),
            ("finished", measured, {"color": np.where(measured, z, lo)[measured].tolist(), "colorscale": VALUE_SCALE,
                                    "cmin": lo, "cmax": hi, "reversescale": metric.low, "colorbar": bar, "size": 13,
                                    "line": {"width": 1, "color": "white"}})):
        fig.add_trace(go.Scatter(x=x[keep].tolist(), y=y[keep].tolist(), mode="markers", name=name, marker=marker,
                                 customdata=[plotly_text(t) for t in np.array(texts, dtype=object)[keep]],
                                 hovertemplate=hover, showlegend=False))
    fig.update_layout(title=title(heading), height=height, margin={"l": 90, "r": 10, "t": 40, "b": 60},
                      template="plotly_white", uirevision="sweep", hovermode="closest",
                      xaxis={"zeroline": False, **x_axis}, yaxis={"zeroline": False, **y_axis})
    return figure_dict(fig, template=False)


def sample_at(click, x: np.ndarray, y: np.ndarray, x_span: tuple[float, float], y_span: tuple[float, float],
              near: float = 0.06) -> int | None:
    """The sample a live-chart click {x, y} landed on: the nearest within `near` of the plot's size, else None."""
    if not isinstance(click, dict) or not len(x):
        return None
    try:
        cx, cy = float(click["x"]), float(click["y"])
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    dx = (x - cx) / max(x_span[1] - x_span[0], 1e-12)
    dy = (y - cy) / max(y_span[1] - y_span[0], 1e-12)
    dist = np.hypot(dx, dy)
    k = int(np.nanargmin(dist)) if np.isfinite(dist).any() else -1
    return k if k >= 0 and dist[k] <= near else None


def sample_axis(space: Space, values: list) -> tuple[np.ndarray, dict, tuple[float, float]]:
    """Where a random search's drawn values sit on the chart, the axis that labels them, and its span: a list's
    values at 0, 1, 2… (named), a log range in decades (log10, ticks at powers of ten), a range as it is."""
    name = {"title": {"text": plotly_text(space.name)}, "showgrid": True}
    if space.values:
        n = len(space.values)
        at = np.array([space.values.index(v) for v in values], dtype=float)
        return at, {**name, "tickvals": list(range(n)), "showgrid": False,
                    "ticktext": [plotly_text(axis_label(space.name, v)) for v in space.values]}, (-0.5, n - 0.5)
    lo, hi = (np.log10(space.lo), np.log10(space.hi)) if space.log else (float(space.lo), float(space.hi))
    pad = 0.04 * (hi - lo)
    span = (lo - pad, hi + pad)
    at = np.array([np.log10(v) if space.log else float(v) for v in values], dtype=float)
    axis = {**name, "range": list(span)}
    if space.log:
        decades = list(range(int(np.ceil(lo - 1e-9)), int(np.floor(hi + 1e-9)) + 1))
        axis.update(tickvals=decades, ticktext=[label(10.0 ** k) for k in decades])
    return at, axis, span

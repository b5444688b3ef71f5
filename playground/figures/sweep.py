"""A sweep's heatmap: one cell per pair of values, coloured by the metric, labelled with its number or note."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.catalog import SweepMetric
from playground.figures.payload import figure_dict
from playground.figures.style import VALUE_SCALE, title
from playground.markup import plotly as plotly_text

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

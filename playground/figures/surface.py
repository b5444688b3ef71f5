"""Loss-surface figures: the contour with one path per optimizer, its live frames, and f per step."""

from __future__ import annotations

import numpy as np

from playground.figures.codec import float_list
from playground.figures.loss import downsample
from playground.figures.style import MARGIN, title, white_template

PATH_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")
CONTOUR_SCALE = [[0.0, "#fdfdfd"], [0.5, "#d9d9d9"], [1.0, "#7f7f7f"]]  # light, so the paths stand out
MAX_PATH_POINTS = 300  # points per path sent each frame: a longer path is drawn through evenly spaced steps
MAX_VALUE_POINTS = 800


def path_color(k: int) -> str:
    """Path k's colour, shared by its line, its rule and its curve."""
    return PATH_COLORS[k % len(PATH_COLORS)]


def display_values(z: np.ndarray, floor: float, log: bool) -> np.ndarray:
    """What the contour shows: log₁₀(f − floor + a hair) where f has a minimum, else f itself."""
    z = np.asarray(z, dtype=np.float64)
    if not log:
        return z
    span = float(np.nanmax(z) - floor) or 1.0
    return np.log10(np.maximum(z - floor, 0.0) + 1e-4 * span)


def surface_spec(xs, ys, z, *, floor: float, log: bool, labels: list[str], start: tuple[float, float],
                 minima=(), saddles=(), domain=((-1, 1), (-1, 1)), height: int = 520) -> dict:
    """The contour (trace 0), an empty path per label (traces 1..n), the start and the known points."""
    shown = np.round(display_values(z, floor, log), 3)
    data = [{"type": "contour", "x": float_list(xs), "y": float_list(ys), "z": float_list(shown),
             "colorscale": CONTOUR_SCALE, "ncontours": 28, "showscale": False, "name": "f",
             "contours": {"coloring": "fill", "showlines": True}, "line": {"color": "#aaaaaa", "width": 0.5},
             "hovertemplate": "x %{x:.3f}, y %{y:.3f}<br>click: start here<extra></extra>"}]
    for k, label in enumerate(labels):
        color = path_color(k)
        data.append({"type": "scatter", "x": [start[0]], "y": [start[1]], "mode": "lines+markers", "name": label,
                     "line": {"color": color, "width": 2}, "marker": {"color": color, "size": 4},
                     "hovertemplate": f"{label}<br>%{{x:.4f}}, %{{y:.4f}}<extra></extra>"})
    data.append(_points([start], "start", "star", "#111111", 14))
    if minima:
        data.append(_points(minima, "minimum", "x", "#111111", 10))
    if saddles:
        data.append(_points(saddles, "saddle point", "diamond-open", "#111111", 10))
    (xlo, xhi), (ylo, yhi) = domain
    layout = {"title": title("click the contour to start there"), "height": height, "template": white_template(),
              "margin": {**MARGIN, "b": 40}, "uirevision": "surface", "hovermode": "closest", "clickmode": "event",
              "xaxis": {"range": [xlo, xhi], "title": {"text": "x"}, "constrain": "domain"},
              "yaxis": {"range": [ylo, yhi], "title": {"text": "y"}, "scaleanchor": "x", "constrain": "domain"},
              "legend": {"orientation": "h", "x": 0, "y": -0.12, "yanchor": "top"}}
    return {"data": data, "layout": layout}


def _points(points, name: str, symbol: str, color: str, size: int) -> dict:
    xs, ys = zip(*points, strict=True)
    return {"type": "scatter", "x": list(xs), "y": list(ys), "mode": "markers", "name": name, "hoverinfo": "name",
            "marker": {"symbol": symbol, "color": color, "size": size, "line": {"width": 1.5, "color": color}}}


def thinned(n: int, max_points: int = MAX_PATH_POINTS) -> np.ndarray:
    """Indices of at most max_points evenly spaced steps out of n, the first and the last included."""
    return np.arange(n) if n <= max_points else np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def path_patch(k: int, xs: list[float], ys: list[float]) -> dict:
    """Path k's trace so far, as a live-chart patch."""
    idx = thinned(len(xs))
    return {"trace": 1 + k, "x": float_list(np.asarray(xs)[idx]), "y": float_list(np.asarray(ys)[idx])}


def path_frame(path, step: int) -> dict:
    """One path's frame at `step` (the live loop makes one per path; merge_frames joins them)."""
    return {"epoch": step, "title": f"step {step}", "patches": [path_patch(path.index, path.xs, path.ys)]}


def path_frames(run) -> list[dict]:
    """A surface run's frame per path at its current step (the worker records these)."""
    return [path_frame(path, run.current_epoch) for path in run.paths]


def merge_frames(lanes: list[list[dict]]) -> list[dict]:
    """Per-path frames of one tick -> frames that move every path at once."""
    return [{**group[0], "patches": [p for f in group for p in f["patches"]]} for group in zip(*lanes, strict=True)]


def values_spec(labels: list[str], values: list, theory: dict[int, np.ndarray], *, log_y: bool, ylabel: str,
                height: int = 340) -> dict:
    """f − f* per step: each path solid (traces 0..n-1, extended live), Distill's prediction dashed after them."""
    lines = [(k, y, label, "solid") for k, (label, y) in enumerate(zip(labels, values, strict=True))]
    lines += [(k, theory[k], f"{labels[k]} · theory", "dash") for k in sorted(theory)]
    data = []
    for k, y, name, dash in lines:
        y = np.asarray(y, dtype=np.float64)
        idx = downsample(len(y), [y], MAX_VALUE_POINTS)
        shown = np.where(np.isfinite(y[idx]) & ((y[idx] > 0) if log_y else True), y[idx], np.nan)
        data.append({"type": "scatter", "x": idx.tolist(), "y": float_list(shown), "mode": "lines", "name": name,
                     "line": {"color": path_color(k), "width": 2 if dash == "solid" else 1.5, "dash": dash}})
    return {"data": data, "layout": {
        "title": title("theory (dashed) against the measured paths" if theory else ""), "height": height,
        "template": white_template(), "margin": {**MARGIN, "b": 40}, "uirevision": "surface-values",
        "xaxis": {"title": {"text": "step"}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": ylabel}, "type": "log" if log_y else "linear", "exponentformat": "power"},
        "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}}}

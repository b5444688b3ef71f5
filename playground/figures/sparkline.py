"""A loss sparkline: a small inline SVG of the whole curve so far, for the status line beside the counter."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WIDTH, HEIGHT = 110, 20  # px: one line of text high
MAX_POINTS = 60  # a sparkline wider than this many points shows nothing more at 110 px


def _xy(values: np.ndarray, lo: float, span: float) -> str:
    xs = np.linspace(1, WIDTH - 1, len(values))
    ys = HEIGHT - 1 - (values - lo) / span * (HEIGHT - 2)
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def sparkline(series: Sequence[tuple[Sequence[float], str]]) -> str:
    """(values, colour) lines on one shared scale as an inline SVG; '' until a line has two finite points."""
    lines = []
    for values, color in series:
        v = np.asarray(values, dtype=np.float64)
        v = v[np.isfinite(v)]  # a diverged epoch leaves a gap in the chart; here it is left out
        if len(v) >= 2:
            idx = np.unique(np.linspace(0, len(v) - 1, min(MAX_POINTS, len(v))).round().astype(int))
            lines.append((v[idx], color))
    if not lines:
        return ""
    lo = min(float(v.min()) for v, _ in lines)
    span = max(float(v.max()) for v, _ in lines) - lo or 1.0
    paths = "".join(f'<polyline points="{_xy(v, lo, span)}" fill="none" stroke="{c}" stroke-width="1.5"/>'
                    for v, c in lines)
    return (f'<svg class="pg-spark" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'style="vertical-align:middle" role="img" aria-label="loss so far">{paths}</svg>')

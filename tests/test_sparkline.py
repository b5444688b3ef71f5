"""The status line's loss sparkline: an inline SVG whose lines share one scale (issue #13's top bar)."""

from __future__ import annotations

import re

import numpy as np

from playground.figures.sparkline import HEIGHT, MAX_POINTS, WIDTH, sparkline


def lines(svg: str) -> list[np.ndarray]:
    """Each polyline's points as an (n, 2) array."""
    found = re.findall(r'points="([^"]+)"', svg)
    return [np.array([[float(v) for v in p.split(",")] for p in pts.split()]) for pts in found]


def test_nothing_until_a_line_has_two_finite_points():
    assert sparkline([([], "#000")]) == ""
    assert sparkline([([0.7], "#000"), ([np.nan, np.nan], "#111")]) == ""


def test_both_lines_share_one_scale_from_the_lowest_to_the_highest_loss():
    train, val = [0.7, 0.4, 0.2, 0.1], [0.8, 0.5, 0.45, 0.5]
    a, b = lines(sparkline([(train, "#1f77b4"), (val, "#ff7f0e")]))
    assert a[-1, 1] == HEIGHT - 1  # the lowest loss (train, 0.1) at the bottom
    assert b[0, 1] == 1  # the highest (val, 0.8) at the top
    assert a[0, 0] == 1 and a[-1, 0] == WIDTH - 1  # the whole run spans the width
    assert (np.diff(a[:, 1]) > 0).all()  # a falling loss draws a falling line (SVG y grows down)


def test_a_long_run_is_thinned_and_a_diverged_epoch_left_out():
    loss = np.linspace(1.0, 0.1, 5000)
    loss[100] = np.inf
    (line,) = lines(sparkline([(loss, "#000")]))
    assert len(line) <= MAX_POINTS and np.isfinite(line).all()
    assert line[0, 1] == 1 and line[-1, 1] == HEIGHT - 1  # first and last epochs are kept

"""What the live loop records per epoch: each lane's boundary frame and its loss point."""

from __future__ import annotations

import math

from playground.figures.grid import Boundary
from playground.live.runner import Runner


def frame(trainer, boundary: Boundary) -> dict:
    """The boundary at the trainer's current weights, as a frame for the live chart."""
    title = f"epoch {trainer.current_epoch}"
    val = trainer.history.last("val_loss")
    if val == val:  # not NaN
        title += f" · val loss {val:.3f}"
    if boundary.label:
        title += f" · {boundary.label}"  # "PCA projection (xx% of variance)" stays visible
    return {"epoch": trainer.current_epoch, "title": title,
            "patches": [boundary.patch(boundary.values(trainer), trace=0)]}


def lane_frames(runner: Runner, boundary: Boundary) -> list[dict]:
    """One boundary frame per lane at the current weights."""
    return [frame(lane, boundary) for lane in runner.lanes]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no NaN; a gap in the curve


def loss_points(runner: Runner) -> list[tuple[float | None, ...]]:
    """Per lane: (epoch, train loss, validation loss, each layer's weight norm...) of its latest epoch."""
    return [(lane.current_epoch, _finite(lane.history.last("train_loss")), _finite(lane.history.last("val_loss")),
             *(_finite(lane.history.last(c)) for c in lane.history.weight_norm_columns)) for lane in runner.lanes]


def point_traces(points: list[list[tuple]], validation: bool, weight_norms: bool = False) -> dict | None:
    """Loss points per lane as traces to extend: per lane a train trace and (with validation data) a val one.

    weight_norms: also extend the weight-norm traces that follow them (figures.weights: per lane, per layer).
    """
    if not any(points):
        return None
    per = 2 if validation else 1
    traces, xs, ys = [], [], []
    for k, lane in enumerate(points):
        for j in range(per):
            traces.append(k * per + j)
            xs.append([p[0] for p in lane])
            ys.append([p[1 + j] for p in lane])
    if weight_norms:  # lanes share their layers, so every lane has as many norm traces
        layers = max(len(p) for lane in points for p in lane) - 3
        for k, lane in enumerate(points):
            for j in range(layers):
                traces.append(len(points) * per + k * layers + j)
                xs.append([p[0] for p in lane])
                ys.append([p[3 + j] for p in lane])
    return {"traces": traces, "x": xs, "y": ys}

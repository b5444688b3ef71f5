"""The network view's frame: every unit's value over the boundary's plane and every link's weight.

Columns are the inputs (or the input features its first module computes from them), each hidden
layer (post-activation in eval mode: what the next Linear reads) and the outputs (raw: logits, or
the standardized target). Maps use every stride-th row
and column of the boundary's own grid, so PCA-plane data goes through the same plane. A column
wider than MAX_SHOWN keeps the MAX_SHOWN units with the largest outgoing weight norm (outputs:
incoming), in index order, and the frame says so. Pure torch and numpy: no Streamlit.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import torch
from torch import nn

from playground.catalog import INPUT_FEATURES
from playground.engine.models import InputFeatures
from playground.figures.codec import encode_grids, float_list
from playground.figures.grid import Boundary
from playground.figures.palette import DIVERGING, diverging_colors

MAX_SHOWN = 8  # units per column drawn legibly (the TF Playground allows 8 per layer)
UNIT_RES = 20  # a unit's map has at most this many cells a side (TFP: 10): ~0.5 kB each on the wire
LINK_WIDTH = (0.75, 7.0)  # stroke px at |w| = 0 and at |w| >= WIDTH_FULL
WIDTH_FULL = 3.0
COLOR_FULL = 1.0  # |w| drawn at the palette's full orange or blue, as the TF Playground does
SPAN_FLOOR = 0.1  # a unit's colour range is at least this share of its column's largest |value|
_POINTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Boundary -> its unit_points


def supported(boundary: Boundary | None) -> bool:
    """The view draws units over a plane: 2-D inputs, or any data through its PCA plane."""
    return boundary is not None and boundary.kind != "curve"


def stride(boundary: Boundary) -> int:
    """Take every stride-th grid row and column for the unit maps."""
    return math.ceil(boundary.resolution / UNIT_RES)


def unit_points(boundary: Boundary) -> torch.Tensor:
    """The coarser grid in model input space, row-major (row = y) like the boundary's; made once per grid."""
    if boundary not in _POINTS:
        res = boundary.resolution
        idx = torch.arange(0, res, stride(boundary))
        grid = boundary.points.view(res, res, -1)
        _POINTS[boundary] = grid[idx][:, idx].reshape(-1, grid.shape[-1]).contiguous()
    return _POINTS[boundary]


@torch.no_grad()
def layer_maps(trainer, boundary: Boundary) -> list[np.ndarray]:
    """Per column (inputs, each hidden layer, outputs): a (units, r, r) array of values over the plane."""
    points = unit_points(boundary)
    side = len(range(0, boundary.resolution, stride(boundary)))
    columns = []
    with trainer.lock:  # never while another thread trains these weights
        trainer.set_mode(train=False)  # dropout off, batch-norm running statistics
        h = points.to(trainer.device)
        for module in trainer.model:
            if isinstance(module, nn.Linear):
                columns.append(h)  # what this Linear reads: the inputs or the previous layer's activations
            h = module(h)
        columns.append(h)
    return [c.T.reshape(c.shape[1], side, side).float().cpu().numpy() for c in columns]


def unit_maps(trainer, boundary: Boundary) -> list[np.ndarray]:
    """Each hidden layer's post-activation values over the plane, (units, r, r) per layer."""
    return layer_maps(trainer, boundary)[1:-1]


def link_params(trainer) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each Linear layer's (weight (out, in), bias (out,)), in order, as float32 copies."""
    with trainer.lock:
        return [(m.weight.detach().float().cpu().numpy().copy(), m.bias.detach().float().cpu().numpy().copy())
                for m in trainer.model if isinstance(m, nn.Linear)]


def shown_units(weights: list[np.ndarray], limit: int = MAX_SHOWN) -> list[np.ndarray]:
    """Per column the unit indices drawn: all, or the `limit` with the largest outgoing weight norm."""
    sizes = [w.shape[1] for w in weights] + [weights[-1].shape[0]]
    norms = [np.linalg.norm(np.nan_to_num(w), axis=0) for w in weights]  # each unit's outgoing weights
    norms.append(np.linalg.norm(np.nan_to_num(weights[-1]), axis=1))  # outputs have only incoming ones
    return [np.arange(n) if n <= limit else np.sort(np.argsort(-g, kind="stable")[:limit])
            for n, g in zip(sizes, norms, strict=True)]


def link_styles(w: np.ndarray) -> tuple[list[float], list[str]]:
    """Each link's stroke width in px (by |w|) and colour (orange negative, blue positive, grey near 0).

    A diverged (NaN) weight draws as the thinnest grey line.
    """
    w = np.nan_to_num(np.asarray(w, dtype=np.float64).ravel(), nan=0.0)
    lo, hi = LINK_WIDTH
    widths = np.round(lo + (hi - lo) * np.minimum(np.abs(w) / WIDTH_FULL, 1.0), 2)
    return widths.tolist(), diverging_colors(w / COLOR_FULL)


def link_style(w: float) -> tuple[float, str]:
    """One link's (width, colour), as link_styles draws it."""
    widths, colors = link_styles(np.array([w]))
    return widths[0], colors[0]


def input_features(model) -> tuple[str, ...]:
    """The catalogue names of the features the model's first layer reads; () when it reads the raw inputs."""
    first = next(iter(model), None)
    return first.names if isinstance(first, InputFeatures) else ()


def column_name(c: int, n_columns: int, features: bool = False) -> str:
    """'inputs' (or 'features' when the model computes input features), 'layer 2' or 'outputs'."""
    if c == 0:
        return "features" if features else "inputs"
    return "outputs" if c == n_columns - 1 else f"layer {c}"


def unit_label(data, c: int, n_columns: int, i: int, features: tuple[str, ...] = ()) -> str:
    """A unit's name: its input or input feature (x₁², sin x₁), 'unit 3', or its output."""
    if c == 0:
        if features:
            return INPUT_FEATURES[features[i]]
        return data.feature_names[i] if i < len(data.feature_names) else f"x{i + 1}"
    if c < n_columns - 1:
        return f"unit {i + 1}"
    if data.task == "multiclass":
        name = data.class_names[i] if i < len(data.class_names) else str(i)
        return f"logit of {name}"
    return "logit of P(class 1)" if data.task == "binary" else "prediction (standardized)"


def spans(maps: np.ndarray) -> np.ndarray:
    """Each unit's colour range ±span: its largest finite |value|, but at least SPAN_FLOOR of its column's.

    Every unit's shape stays visible on its own range, while a nearly silent unit still draws pale
    (a silent one, or one with no finite value, draws grey).
    """
    a = np.where(np.isfinite(maps), np.abs(maps), 0.0).reshape(len(maps), -1).max(axis=1)
    top = a.max(initial=0.0)
    if top <= 0:
        return np.ones(len(maps))
    return np.maximum(a, SPAN_FLOOR * top)


def _column(data, c: int, maps: np.ndarray, keep: np.ndarray, bias: np.ndarray | None, n_columns: int,
            features: tuple[str, ...] = ()) -> dict:
    s = spans(maps)[keep]
    # Quantized in one pass on [-1, 1] after dividing by each span, then labelled with its own range.
    encoded = encode_grids(maps[keep] / s[:, None, None], -1.0, 1.0)
    units = []
    for i, span, enc in zip(keep.tolist(), s.tolist(), encoded, strict=True):
        enc["lo"], enc["hi"] = -span, span
        units.append({"i": i, "label": unit_label(data, c, n_columns, i, features), "span": span, "map": enc})
    if bias is not None:
        for unit, b in zip(units, float_list(bias[keep]), strict=True):
            unit["bias"] = b
    return {"name": column_name(c, n_columns, bool(features)), "total": int(maps.shape[0]), "units": units}


def _links(weight: np.ndarray, src: np.ndarray, dst: np.ndarray) -> list[list]:
    """[source position, destination position, w, width, colour] for each drawn pair, destination-major."""
    w = weight[np.ix_(dst, src)]
    widths, colors = link_styles(w)
    b, a = np.divmod(np.arange(w.size), len(src))
    return [list(link) for link in zip(a.tolist(), b.tolist(), float_list(w.ravel()), widths, colors, strict=True)]


def notes(columns: list[dict]) -> list[str]:
    """What the view leaves out, in words: one line per column it summarises."""
    return [f"{col['name']}: {len(col['units'])} of {col['total']} units shown, those with the largest "
            f"{'incoming' if col['name'] == 'outputs' else 'outgoing'} weight norm"
            for col in columns if len(col["units"]) < col["total"]]


def network_frame(trainer, boundary: Boundary) -> dict:
    """One frame of the network view at the trainer's current weights (JSON-safe)."""
    maps, params = layer_maps(trainer, boundary), link_params(trainer)
    weights = [w for w, _ in params]
    keep = shown_units(weights)
    n, features = len(maps), input_features(trainer.model)
    columns = [_column(trainer.data, c, maps[c], keep[c], params[c - 1][1] if c else None, n, features)
               for c in range(n)]
    links = [_links(weights[c], keep[c], keep[c + 1]) for c in range(n - 1)]
    title = f"epoch {trainer.current_epoch}"
    if boundary.label:
        title += f" · {boundary.label}"
    return {"epoch": trainer.current_epoch, "title": title, "palette": list(DIVERGING), "columns": columns,
            "links": links, "notes": notes(columns)}

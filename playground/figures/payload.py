"""Figures as plain JSON-safe dicts for the live chart, and their size on the wire."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.graph_objects as go

from playground.figures.codec import float_list


def _typed(spec: dict) -> np.ndarray:
    """Decode plotly's base64 typed-array form {"dtype", "bdata", "shape"?} back to numpy."""
    arr = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    shape = spec.get("shape")
    if shape:
        arr = arr.reshape([int(s) for s in str(shape).split(",")])
    return arr


def plain(obj):
    """Recursively turn numpy arrays/scalars and typed arrays into lists and JSON-safe numbers."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            return plain(_typed(obj))
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "f":
            return float_list(obj)
        return obj.tolist() if obj.dtype.kind in "iub" else [plain(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        return plain(obj.item())
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


def figure_dict(fig: go.Figure, *, template: bool = True) -> dict:
    """A JSON-safe plain dict of the figure (lists, float32 precision, NaN as None) for the live chart.

    template=False drops plotly.py's ~7 kB layout template; plotly.js then uses its own defaults.
    """
    out = plain(fig.to_plotly_json())
    if not template:
        out.get("layout", {}).pop("template", None)
    return out


def payload_bytes(obj) -> int:
    """Size in bytes of obj as compact JSON (obj must already be JSON-safe, e.g. from figure_dict)."""
    return len(json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8"))

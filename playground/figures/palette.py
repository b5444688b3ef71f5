"""Colours shared by every figure: class regions, class markers and the binary scale."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

# Qualitative palette (plotly's default colourway) shared by class regions and class markers.
PALETTE = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a",
           "#19d3f3", "#ff6692", "#b6e880", "#ff97ff", "#fecb52")
# Binary plots: the two ends of the diverging P(class 1) scale, darker for the markers.
BINARY_COLORS = ("#b2182b", "#2166ac")
ALPHA_MIN, ALPHA_MAX = 0.15, 0.85  # class-region opacity at chance confidence (1/k) and at certainty
# The TF Playground's diverging scale for the network view: negative, zero and positive values.
DIVERGING = ("#f59322", "#e8eaeb", "#0877bd")


def hex_rgb(color: str) -> tuple[int, int, int]:
    """'#rrggbb' -> (r, g, b)."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def diverging_colors(t) -> list[str]:
    """'#rrggbb' on the orange-grey-blue scale for each t in [-1, 1] (clipped; NaN draws as zero, grey)."""
    t = np.clip(np.nan_to_num(np.asarray(t, dtype=np.float64).ravel(), nan=0.0), -1.0, 1.0)
    stops = np.array([hex_rgb(c) for c in DIVERGING], dtype=np.float64)
    lo = np.where((t < 0)[:, None], stops[0], stops[1])
    hi = np.where((t < 0)[:, None], stops[1], stops[2])
    f = np.where(t < 0, t + 1.0, t)[:, None]  # position between the two stops around t
    rgb = np.rint(lo + f * (hi - lo)).astype(int)
    return ["#{:02x}{:02x}{:02x}".format(*c) for c in rgb.tolist()]


def diverging_color(t: float) -> str:
    """One colour of diverging_colors."""
    return diverging_colors([t])[0]


def region_colors(n_classes: int) -> tuple[str, ...]:
    """Background colour per class region (the qualitative palette)."""
    return tuple(PALETTE[i % len(PALETTE)] for i in range(n_classes))


def class_colors(n_classes: int) -> tuple[str, ...]:
    """Marker colour per class: the diverging scale's ends for 2 classes, else a darker palette.

    Darker than the regions so a correctly classified point still stands out from its own region.
    """
    if n_classes == 2:
        return BINARY_COLORS
    return tuple("#{:02x}{:02x}{:02x}".format(*(int(v * 0.72) for v in hex_rgb(c)))
                 for c in region_colors(n_classes))


def class_image(probs: np.ndarray, solid: bool = False) -> np.ndarray:
    """(h, w, k) class probabilities -> (h, w, 4) uint8 RGBA: argmax colour, opacity by confidence (solid: none)."""
    k = probs.shape[2]
    finite = np.isfinite(probs).all(axis=2)
    p = np.where(finite[..., None], probs, 0.0)
    rgb = np.array([hex_rgb(c) for c in region_colors(k)], dtype=np.uint8)[p.argmax(axis=2)]
    # Confidence 1/k means the model is guessing; show that as nearly transparent.
    conf = (p.max(axis=2) - 1.0 / k) / (1.0 - 1.0 / k)
    alpha = ALPHA_MAX if solid else ALPHA_MIN + (ALPHA_MAX - ALPHA_MIN) * np.clip(conf, 0.0, 1.0)
    a = np.where(finite, np.rint(alpha * 255), 0).astype(np.uint8)  # NaN cells stay see-through
    return np.dstack([rgb, a])


def png_data_url(rgba: np.ndarray) -> str:
    """An RGBA array as a base64 PNG data URL (row 0 is the image's first row)."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype=np.uint8), "RGBA").save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")

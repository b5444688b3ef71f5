"""Shared look of every figure: sizes, margins, legend placement, colour scales, the white template."""

from __future__ import annotations

import functools

import plotly.graph_objects as go
import plotly.io as pio

from playground.figures.payload import plain

HEIGHT = 420
MARGIN = {"l": 50, "r": 10, "t": 36, "b": 80}  # the x axis's title and, under it, the legend
# Lighter than the markers' colours so class-0 / class-1 points stay visible on top.
PROB_SCALE = [[0.0, "#ef8a62"], [0.5, "#f7f7f7"], [1.0, "#67a9cf"]]
VALUE_SCALE = "Viridis"
TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#ff7f0e"  # a single run's train and validation loss, wherever drawn
# At the figure's foot (container coordinates): a legend placed under the axis in plot coordinates rode up
# over the axis title in a short chart.
LEGEND = {"orientation": "h", "x": 0.5, "xanchor": "center", "yref": "container", "y": 0.0, "yanchor": "bottom"}


def title(text: str | None) -> dict:
    """A small left-aligned title."""
    return {"text": text or "", "x": 0.01, "xanchor": "left", "font": {"size": 14}}


def base_layout(fig: go.Figure, text: str | None, uirevision: str) -> None:
    """Title, size, margins, template and legend of a go.Figure."""
    fig.update_layout(title=title(text), height=HEIGHT, margin=MARGIN, uirevision=uirevision,
                      template="plotly_white", legend=LEGEND)


@functools.cache
def white_template() -> dict:
    """plotly_white as a plain dict, for figures built as dicts (no go.Figure validation)."""
    return plain(pio.templates["plotly_white"].to_plotly_json())

"""The network view: a components-v1 iframe drawing network frames (figures.network) with canvases and SVG.

No plotly and no build step: each unit is a canvas painted with putImageData through a colour
lookup table, each link an SVG line; frames arrive with the live tick (or its feed) and redraw in place.
"""

from __future__ import annotations

from pathlib import Path

from playground.figures.network import MAX_SHOWN, input_features
from playground.ui.components import declared

_PATH = Path(__file__).parent / "frontend"
_NAME = "network_view"
NODE_PX, GAP_PX = 28, 6  # a unit's square and the space between two units of a column
FRAME_PX = 80  # the title above the columns and the notes under them
EDIT_PX = 18  # the row of +/- buttons above the hidden layers, where the page lets the view edit them
MIN_UNITS = 4  # rows of height at least, so the large map beside the columns stays readable


def view_height(trainer, editable: bool = False) -> int:
    """Pixels for the trainer's network: its tallest drawn column of units plus the title and notes."""
    data = trainer.data
    inputs = len(input_features(trainer.model)) or data.n_features  # the input column: its features, if any
    tallest = max(MIN_UNITS, *(min(n, MAX_SHOWN) for n in (inputs, *trainer.cfg.hidden, data.n_outputs)))
    return FRAME_PX + (EDIT_PX if editable else 0) + tallest * (NODE_PX + GAP_PX)


def network_view(frame: dict | None, *, key: str, revision: str | int, height: int, edit: dict | None = None,
                 on_edit=None, feed: dict | None = None):
    """Draw a network frame; frame=None keeps what the browser shows (a tick that made no new one).

    edit: {max_layers, max_units} shows +/- for layers and units; a click calls on_edit (its value, read with
    state.widget(key): {op: "layers" | "units", layer, delta, t}).
    feed: {url, t, c, ms}: the browser polls url for newer frames between ticks (playground.live.feed).
    """
    extra = {"feed": feed} if feed else {}
    return declared(_NAME, _PATH)(frame=frame, revision=str(revision), height=int(height), node=NODE_PX, gap=GAP_PX,
                                  edit=edit, key=key, default=None, on_change=on_edit, **extra)

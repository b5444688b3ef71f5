"""Demo for the live_chart browser test: 10 frames of a moving 60x60 gaussian every 0.25 s tick.

Run from the repo root with `PYTHONPATH=. streamlit run tests/live_chart_demo.py`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground.ui.live_chart import encode_grid, live_chart

N = 60
FRAMES_PER_TICK = 10
_AXIS = np.linspace(-1.0, 1.0, N)
_XX, _YY = np.meshgrid(_AXIS, _AXIS)


def gaussian(epoch: int) -> np.ndarray:
    """A blob circling the centre, one step per epoch."""
    cx, cy = 0.5 * np.cos(epoch / 15), 0.5 * np.sin(epoch / 15)
    return np.exp(-((_XX - cx) ** 2 + (_YY - cy) ** 2) / 0.08)


FIGURE = {
    "data": [{"type": "heatmap", "x": _AXIS.tolist(), "y": _AXIS.tolist(), "z": gaussian(0).tolist(),
              "zmin": 0, "zmax": 1, "colorscale": "Viridis"}],
    "layout": {"title": {"text": "epoch 0"}, "uirevision": "demo",
               "margin": {"l": 40, "r": 20, "t": 40, "b": 30}},
}


@st.fragment(run_every=0.25)
def tick() -> None:
    """Each tick 'trains' FRAMES_PER_TICK epochs and ships one frame per epoch."""
    start = st.session_state.setdefault("epoch", 0)
    epochs = range(start + 1, start + FRAMES_PER_TICK + 1)
    frames = [{"epoch": e, "title": f"epoch {e}",
               "patches": [{"trace": 0, "z": encode_grid(gaussian(e), 0, 1)}]} for e in epochs]
    st.session_state.epoch = epochs[-1]
    live_chart(FIGURE, frames, key="demo", height=360, revision="demo")
    st.caption(f"server epoch {epochs[-1]}")


st.title("live_chart demo")
tick()

"""A plotly chart updated in place that plays back queued per-epoch frames between reruns."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from playground.figures.codec import decode_grid, encode_grid
from playground.ui.components import declared

__all__ = ["batch_id", "decode_grid", "encode_grid", "live_chart"]  # the encoders live with the grids

# plotly.js's official cartesian bundle (npm plotly.js-cartesian-dist-min, the same version as plotly.py's
# own plotly.min.js; MIT, PLOTLY-LICENSE beside it): every trace type the live charts use (scatter, heatmap,
# image, contour) in 1.5 MB instead of 4.8 MB, so each chart's iframe parses a third as much before its
# first draw (page load -> first chart 3.3 s -> 2.5 s here). tests/test_live_chart.py checks both facts.
PLOTLY_JS = "plotly-cartesian.min.js"
_PATH = Path(__file__).parent / "frontend"
_NAME = "live_chart"


def batch_id(frames: list[dict] | None, revision: str | int) -> str | None:
    """A content hash, so a rerun that re-sends the same frames is recognised and not replayed."""
    if not frames:
        return None
    blob = json.dumps([str(revision), frames], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


def live_chart(figure: dict | None, frames: list[dict] | None = None, *, key: str, height: int = 420,
               revision: str | int = 0, frame_ms: float | None = None, points: dict | None = None,
               layout: dict | None = None, clicks: bool = False, flush: bool = False, session: str | None = None,
               figure_id: str | None = None, feed: dict | None = None):
    """Show a plotly figure dict, updated in place; play back frames in order, append loss points.

    figure=None keeps the figure the browser already has for this revision (a browser that has none
    asks for it through the component's value, {"need": revision}). points extends traces in place:
    {"traces": [i, ...], "x": [[...], ...], "y": [[...], ...]}; layout is a small relayout (markers);
    flush=True drops any playback backlog and shows the last frame at once (paused).
    clicks: a click on the plot becomes the value, {x, y, n, t} in data coordinates.
    session: the visitor's session id; a chart that showed another session in this tab before (a reload)
    says that a new run started.
    figure_id: names the newest figure sent; a browser that holds another one asks for it (a figure lost with
    an interrupted run is sent again).
    feed: {url, t, c, ms}: the browser polls url for this chart's frames and points (playground.live.feed);
    a browser that cannot reach it says so in the value ({"feed_failed": true}) and the ticks carry them again.
    """
    frames = list(frames or [])
    extra = {"clicks": True} if clicks else {}  # other charts send the same arguments as before
    if flush:
        extra["flush"] = True
    if session:
        extra.update(session=session, chart=key)
    if figure_id is not None:
        extra["figure_id"] = figure_id
    if feed is not None:
        extra["feed"] = feed
    return declared(_NAME, _PATH)(
        figure=figure, frames=frames, batch_id=batch_id(frames, revision), revision=str(revision),
        height=int(height), frame_ms=frame_ms, points=points, layout=layout, key=key, default=None, **extra,
    )

"""A plotly chart updated in place that plays back queued per-epoch frames between reruns."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import plotly

from playground.figures.codec import decode_grid, encode_grid
from playground.ui.components import declared

__all__ = ["batch_id", "decode_grid", "encode_grid", "live_chart"]  # the encoders live with the grids

_FRONTEND = Path(__file__).parent / "frontend"
_PLOTLY_JS = "plotly.min.js"  # gitignored copy of plotly's own bundle
_NAME = "live_chart"


def _plotly_js_source() -> Path:
    """The plotly.min.js that ships inside the installed plotly package."""
    return Path(plotly.__file__).parent / "package_data" / _PLOTLY_JS


def _copy_if_stale(src: Path, dst: Path) -> None:
    """Copy src to dst unless dst already has the same size; atomic so concurrent servers don't race."""
    if dst.is_file() and dst.stat().st_size == src.stat().st_size:
        return
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".tmp-")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; keep it readable like a normal install
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _frontend_dir() -> Path:
    """A folder with index.html and a real plotly.min.js (streamlit won't serve a symlink out of it)."""
    src = _plotly_js_source()
    try:
        _copy_if_stale(src, _FRONTEND / _PLOTLY_JS)
        return _FRONTEND
    except OSError:
        # Read-only install: serve a private copy of the whole folder instead.
        dst = Path(tempfile.gettempdir()) / f"playground_live_chart_{plotly.__version__}"
        shutil.copytree(_FRONTEND, dst, dirs_exist_ok=True)
        _copy_if_stale(src, dst / _PLOTLY_JS)
        return dst


def _prepare() -> Path:
    """Copy plotly.min.js at import; on failure serve anyway and let the iframe say plotly is missing."""
    try:
        return _frontend_dir()
    except OSError:
        return _FRONTEND


_PATH = _prepare()


def batch_id(frames: list[dict] | None, revision: str | int) -> str | None:
    """A content hash, so a rerun that re-sends the same frames is recognised and not replayed."""
    if not frames:
        return None
    blob = json.dumps([str(revision), frames], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


def live_chart(figure: dict | None, frames: list[dict] | None = None, *, key: str, height: int = 420,
               revision: str | int = 0, frame_ms: float | None = None, points: dict | None = None,
               layout: dict | None = None, clicks: bool = False, flush: bool = False, session: str | None = None,
               figure_id: str | None = None):
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
    """
    frames = list(frames or [])
    extra = {"clicks": True} if clicks else {}  # other charts send the same arguments as before
    if flush:
        extra["flush"] = True
    if session:
        extra.update(session=session, chart=key)
    if figure_id is not None:
        extra["figure_id"] = figure_id
    return declared(_NAME, _PATH)(
        figure=figure, frames=frames, batch_id=batch_id(frames, revision), revision=str(revision),
        height=int(height), frame_ms=frame_ms, points=points, layout=layout, key=key, default=None, **extra,
    )

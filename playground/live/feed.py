"""The live feed: each chart's browser side polls its share of the worker's epochs over plain HTTP.

A Streamlit fragment run re-renders the whole page in the browser (~80 ms of renderer CPU a tick
here, measured with 1 page at 5 ticks/s against 1 tick/s), so five of them a second per visitor
were most of what a busy server's visitors waited for. With the feed, the charts' frames and loss
points travel on `GET /_pg/feed` (a route app.py's st.App serves) at the charts' own pace, and the
fragment ticks only for the counter and the tables. One poll collects from the worker once and
hands every registered chart its share, so no chart misses what another poll collected.
No Streamlit here; starlette is imported only by `routes()`.
"""

from __future__ import annotations

import math
import secrets
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PATH = "/_pg/feed"
SCRIPT = Path(__file__).with_name("feed.js")  # served at PATH + ".js"; the components load it from there
POLL_MS = 200  # each chart asks this often while playing (the tick's old pace: 5 updates a second)
WATCH_MS = 500  # a watched value (the counter's epoch): each poll costs its page a rendering update
MAX_ITEMS = 50  # per chart: a chart that stops asking (a hidden tab) keeps 10 s, then resyncs
_FEEDS: weakref.WeakValueDictionary[str, Feed] = weakref.WeakValueDictionary()  # token -> feed
_served = False  # set once app.py's st.App mounts the route


@dataclass
class Got:
    """What one tick collected: boundary frames and loss points per lane, whether any were lost, the network.

    fed: the charts take their shares from the feed (this tick carries none of them).
    """

    frames: list[list[dict]] = field(default_factory=list)
    points: list[list[tuple]] = field(default_factory=list)
    lost: bool = False
    network: dict | None = None  # the newest network-view frame, if one was made since the last tick
    fed: bool = False


class Feed:
    """One run's live channel: per chart, what its share of each collect was, until its browser asks."""

    def __init__(self, collect: Callable[[], Got], on_poll: Callable[[], None] | None = None):
        self._collect, self._on_poll = collect, on_poll  # on_poll: a registered chart asked (the page is ready)
        self.token = secrets.token_urlsafe(16)  # the only name the browser knows this run by
        self._shares: dict[str, Callable[[Got], dict | None]] = {}
        self._watches: dict[str, Callable[[], dict]] = {}  # read at each poll, never collecting (the counter)
        self._fresh: set[str] = set()  # the charts registered by the script run in progress
        self._boxes: dict[str, list[dict]] = {}
        self._lock = threading.Lock()
        self.seq = 0  # collects made: names each item, so a browser can tell new from replayed
        _FEEDS[self.token] = self

    def register(self, key: str, share: Callable[[Got], dict | None]) -> dict:
        """Chart `key` takes share(got) of every collect from now on; returns its component argument."""
        with self._lock:
            self._shares[key] = share
            self._boxes.setdefault(key, [])
            self._fresh.add(key)
        return {"url": PATH, "t": self.token, "c": key, "ms": POLL_MS}

    def watch(self, key: str, value: Callable[[], dict]) -> dict:
        """Element `key` polls value() as it is now: no collect, so the charts' batches stay even, and no "page
        ready", so training still waits for a chart's first poll. Returns its component argument."""
        with self._lock:
            self._watches[key] = value
            self._fresh.add(key)
        return {"url": PATH, "t": self.token, "c": key, "ms": WATCH_MS}

    def begin(self) -> None:
        """A script run starts drawing the charts: those it does not register are fed no more."""
        with self._lock:
            self._fresh = set()

    def end(self) -> None:
        """The script run has drawn its charts: drop the others' shares and what waited for them."""
        with self._lock:
            for key in set(self._shares) - self._fresh:
                del self._shares[key]
                self._boxes.pop(key, None)
            for key in set(self._watches) - self._fresh:
                del self._watches[key]

    def poll(self, key: str) -> list[dict]:
        """What chart `key` has not had yet; collects from the worker first if it has nothing waiting."""
        with self._lock:
            if key in self._watches:
                return [{**self._watches[key](), "seq": self.seq}]
            if key not in self._shares:
                return []
            if self._on_poll is not None:
                self._on_poll()
            if not self._boxes[key]:
                self._fan_out(self._collect())
            items, self._boxes[key] = self._boxes[key], []
        return items

    def _fan_out(self, got: Got) -> None:
        self.seq += 1
        lost = got.lost
        for key, share in self._shares.items():
            item = {k: v for k, v in (share(got) or {}).items() if v is not None}
            if lost:
                item["lost"] = True  # the worker's backlog overflowed: this chart asks for its figure again
            if not item:
                continue
            box = self._boxes[key]
            box.append({**item, "seq": self.seq})
            if len(box) > MAX_ITEMS:  # nobody asked for a while: the rest comes with a fresh figure
                del box[:-1]
                box[-1]["lost"] = True


def lookup(token: str) -> Feed | None:
    """The live feed with this token, if its run still exists."""
    return _FEEDS.get(token)


def served() -> bool:
    """Whether this process serves the feed's route (app.py); `streamlit run page.py` and AppTest do not."""
    return _served


def finite(value):
    """value with every non-finite float made None (JSON has no NaN; a diverged run's loss is a gap)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def routes() -> list:
    """The feed's route for st.App (gzipped: a tick's grids are base64 text that deflates several times over)."""
    global _served
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.responses import FileResponse, JSONResponse
    from starlette.routing import Mount, Route

    async def endpoint(request):
        feed = lookup(request.query_params.get("t", ""))
        if feed is None:
            return JSONResponse({"gone": True}, status_code=404, headers={"Cache-Control": "no-store"})
        items = await run_in_threadpool(feed.poll, request.query_params.get("c", ""))  # off the event loop
        return JSONResponse(finite(items), headers={"Cache-Control": "no-store"})

    async def script(request):  # the browser side, one file for every component that polls (see feed.js)
        return FileResponse(SCRIPT, media_type="text/javascript")

    inner = Starlette(routes=[Route("/feed", endpoint), Route("/feed.js", script)],
                      middleware=[Middleware(GZipMiddleware, minimum_size=1000)])
    _served = True
    return [Mount(PATH.rsplit("/", 1)[0], app=inner)]

"""B8 bytes on the wire: what one playing visitor receives per second, single run and race.

The browser reaches the server through a byte-counting TCP relay, so the measured figure is what the
link carries (websocket compression included, `server.enableWebsocketCompression` in
.streamlit/config.toml; the live feed's polls are HTTP requests on the same link, gzipped). Beside it:
the websocket messages the browser decoded (Playwright's page.on("websocket") frame events: messages
per second, their uncompressed size, the largest) and the live feed's polls per second. The
window starts after the page has drawn and Play has taken, so the one-off page load is not counted.
Goal: at most half of a 1 Mbit/s link (62.5 KB/s), so a visitor on a slow link keeps up with room
to spare (issue #17: a single run sent ~307 KB/s in 32 messages/s, a race ~465 KB/s, and a 1 Mbit/s
visitor's session was dropped about once a minute).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import CHROMIUM_ARGS, READY_JS, Row, browser_available, chromium_path, press_play, streamlit_app
from playground.live.feed import PATH as FEED_PATH

CASES = {"single run": "?patience=0&epochs=10000", "race, 4 lanes": "?mode=race&patience=0&epochs=10000"}
GOAL_KB_S = 62.5  # half of 1 Mbit/s
KB = 1000


@dataclass
class Wire:
    """Frames one page's Streamlit websocket received (server to browser) and sent."""

    received: list[tuple[float, int]] = field(default_factory=list)  # (time, bytes)
    sent: int = 0

    def listen(self, ws) -> None:
        if "_stcore/stream" not in ws.url:
            return
        ws.on("framereceived", lambda payload: self.received.append((time.monotonic(), len(payload))))
        ws.on("framesent", lambda payload: setattr(self, "sent", self.sent + 1))

    def window(self, start: float, end: float) -> list[int]:
        return [n for t, n in self.received if start <= t <= end]


class Relay:
    """A TCP relay on a free local port to the server's; counts (time, bytes) sent from server to browser."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.target = (parts.hostname, parts.port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.down: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, count: bool) -> None:
        try:
            while chunk := src.recv(65536):
                if count:
                    with self._lock:
                        self.down.append((time.monotonic(), len(chunk)))
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                sock.close()

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(n for t, n in self.down if start <= t <= end)

    def close(self) -> None:
        self.listener.close()


def measure(browser, url: str, seconds: float) -> dict:
    """One visitor plays for `seconds`: bytes/s, messages/s, the largest message and epochs/s received."""
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    relay = Relay(url)
    try:
        page, wire, polls = ctx.new_page(), Wire(), []
        page.on("websocket", wire.listen)
        page.on("request", lambda r: polls.append(time.monotonic()) if FEED_PATH + "?" in r.url else None)
        page.goto(urlunsplit(urlsplit(url)._replace(netloc=urlsplit(relay.url).netloc)), timeout=120_000)
        page.wait_for_function(READY_JS, timeout=120_000, polling=100)
        press_play(page, timeout_s=60)
        epoch_js = "() => Number(document.getElementById('epoch-counter').dataset.epoch)"
        start, e0 = time.monotonic(), page.evaluate(epoch_js)
        page.wait_for_timeout(seconds * 1000)  # Playwright delivers frame events while it waits
        end, e1 = time.monotonic(), page.evaluate(epoch_js)
        page.locator(".st-key-play button").click()  # Pause: free the slot
        sizes = wire.window(start, end)
        span = max(end - start, 1e-9)
        return {"wire_bytes_per_s": relay.bytes_between(start, end) / span, "bytes_per_s": sum(sizes) / span,
                "messages_per_s": len(sizes) / span, "largest": max(sizes, default=0),
                "polls_per_s": sum(start <= t <= end for t in polls) / span,
                "epochs_per_s": (e1 - e0) / span, "seconds": span}
    finally:
        ctx.close()
        relay.close()


def run(quick: bool = False, tiny: bool = False) -> list[Row]:
    """One visitor per case on a fresh server; a row per case (KB/s per visitor, against the goal)."""
    ok, why = browser_available()
    if not ok:
        return [Row("B8", "bytes per visitor", None, detail=f"skipped: {why}")]
    from playwright.sync_api import sync_playwright

    seconds = 2 if tiny else 5 if quick else 15
    rows = []
    with streamlit_app() as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for case, query in CASES.items():
                m = measure(browser, server.url + query, seconds)
                rows.append(Row("B8", f"{case}: received per visitor, on the wire", m["wire_bytes_per_s"] / KB,
                                "KB/s", goal=("<=", GOAL_KB_S), digits=1,
                                detail=f"websocket {m['bytes_per_s'] / KB:.1f} KB/s uncompressed in "
                                       f"{m['messages_per_s']:.1f} messages/s, largest {m['largest'] / KB:.1f} KB, "
                                       f"and {m['polls_per_s']:.1f} live-feed polls/s; "
                                       f"{m['epochs_per_s']:.0f} epochs/s over {m['seconds']:.0f} s"))
        finally:
            browser.close()
    return rows

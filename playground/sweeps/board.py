"""Every visitor's sweep on one server: one sweep per visitor, cancelled once the visitor's session has ended.

Pure Python (no Streamlit, no Ray): the app keeps one SweepBoard per server process and hands
`watch` the runtime's test for a live session. A session that drops out for a moment (a network
blip, a reload) gets GRACE_S to come back before its sweep is cancelled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

GRACE_S = 30.0  # a session gone this long has ended (the tab closed): its sweep's trials are cancelled
REAP_S = 5.0  # how often sessions are checked
_LOG = logging.getLogger(__name__)


class SweepBoard:
    """Sweeps by visitor; `reap` cancels those whose session is gone, so nobody's cores stay taken."""

    def __init__(self, grace_s: float = GRACE_S, clock: Callable[[], float] = time.monotonic):
        self.grace_s, self._clock = grace_s, clock
        self._lock = threading.Lock()
        self._runs: dict[str, tuple[str | None, Any]] = {}  # visitor -> (Streamlit session id, SweepRun)
        self._seen: set[str] = set()  # sessions seen alive: only those can end (AppTest's never are)
        self._gone: dict[str, float] = {}  # session -> when it was first seen gone
        self._thread: threading.Thread | None = None
        self._alive: Callable[[str], bool] | None = None  # the test watch() was given

    def add(self, owner: str, session: str | None, run) -> None:
        """Register a visitor's new sweep; the visitor's previous one is cancelled."""
        seen = session is not None and self._alive is not None and self._alive(session)
        with self._lock:
            old = self._runs.get(owner)
            self._runs[owner] = (session, run)
            if seen:  # a tab closed before the next check still counts as a session that ended
                self._seen.add(session)
        if old is not None and old[1] is not run:
            old[1].cancel()

    def running(self) -> int:
        """Sweeps that have not ended yet."""
        with self._lock:
            return sum(not run.done for _, run in self._runs.values())

    def reap(self, alive: Callable[[str], bool]) -> list[str]:
        """Cancel the sweeps of sessions gone for grace_s, forget ended ones; returns the visitors cancelled."""
        now, cancelled = self._clock(), []
        with self._lock:
            for owner, (session, run) in list(self._runs.items()):
                if run.done:
                    del self._runs[owner]
                    continue
                if session is None:
                    continue
                if alive(session):
                    self._seen.add(session)
                    self._gone.pop(session, None)
                elif session in self._seen and now - self._gone.setdefault(session, now) >= self.grace_s:
                    run.cancel()
                    cancelled.append(owner)
                    del self._runs[owner]
                    self._gone.pop(session, None)
                    self._seen.discard(session)
        return cancelled

    def watch(self, alive: Callable[[str], bool], every: float = REAP_S) -> None:
        """Reap on a daemon thread every `every` seconds (started once)."""
        if self._thread is not None:
            return
        self._alive = alive

        def loop() -> None:
            while True:
                time.sleep(every)
                try:
                    self.reap(alive)
                except Exception:  # a failed check must never end the watcher
                    _LOG.exception("sweep reaper failed")

        self._thread = threading.Thread(target=loop, name="playground-sweep-reaper", daemon=True)
        self._thread.start()

"""Fair turns at the CPU: a few chunks of training run at once, and whoever has trained least goes next.

Every worker trains in short chunks; each chunk needs a turn. With more visitors training than cores,
the waiting visitor with the least training time so far gets the next free turn (ties: who asked
first), so a light visitor that needs a little is served at once and a heavy one takes what is left.
A visitor who (re)joins starts level with the least-served active visitor: a long pause earns no
burst that would starve the others. Pure Python (no Streamlit, no torch).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections.abc import Iterator


def default_turns() -> int:
    """Chunks that may train at once: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class FairShare:
    """At most `turns` chunks at once; the least-served waiting visitor goes next."""

    def __init__(self, turns: int | None = None, clock=time.perf_counter):
        self.turns = turns or default_turns()
        self._clock = clock
        self._cond = threading.Condition()
        self._used: dict[str, float] = {}  # visitor -> training seconds charged so far
        self._running: dict[str, int] = {}  # visitor -> chunks it runs now
        self._waiting: dict[str, int] = {}  # visitor -> arrival ticket
        self._tickets = itertools.count()

    @contextlib.contextmanager
    def turn(self, sid: str, timeout: float | None = None) -> Iterator[bool]:
        """Hold a turn for one chunk (True), or False when none came within timeout; charges the time held."""
        got = self.acquire(sid, timeout)
        start = self._clock()
        try:
            yield got
        finally:
            if got:
                self.release(sid, self._clock() - start)

    def acquire(self, sid: str, timeout: float | None = None) -> bool:
        """Wait for a turn: a free one, and no waiting visitor served less than this one."""
        with self._cond:
            active = [self._used.get(s, 0.0) for s in (*self._running, *self._waiting) if s != sid]
            self._used[sid] = max(self._used.get(sid, 0.0), min(active, default=0.0))
            self._waiting[sid] = next(self._tickets)
            got = self._cond.wait_for(lambda: self._free() and self._next() == sid, timeout)
            del self._waiting[sid]
            if got:
                self._running[sid] = self._running.get(sid, 0) + 1
            self._cond.notify_all()  # the next in line may go now (or, after a timeout, someone else)
            return got

    def release(self, sid: str, spent: float) -> None:
        """End a chunk that took `spent` seconds."""
        with self._cond:
            left = self._running.get(sid, 0) - 1
            if left > 0:
                self._running[sid] = left
            else:
                self._running.pop(sid, None)
            self._used[sid] = self._used.get(sid, 0.0) + max(spent, 0.0)
            self._cond.notify_all()

    def forget(self, sid: str) -> None:
        """A visitor stopped training: drop its account (it rejoins level with the others)."""
        with self._cond:
            if sid not in self._running and sid not in self._waiting:  # another of its runs may still train
                self._used.pop(sid, None)

    def _free(self) -> bool:
        return sum(self._running.values()) < self.turns

    def _next(self) -> str:
        return min(self._waiting, key=lambda s: (self._used.get(s, 0.0), self._waiting[s]))

    @property
    def running(self) -> int:
        """Chunks training now."""
        with self._cond:
            return sum(self._running.values())

    def used(self, sid: str) -> float:
        """Training seconds charged to a visitor so far (0 when unknown)."""
        with self._cond:
            return self._used.get(sid, 0.0)

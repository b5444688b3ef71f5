"""Fair sharing of a server's CPU among visitors: a cap on sessions training at once, with a queue.

Pure Python (no Streamlit): the app keeps one TrainingSlots per server process in
st.cache_resource and calls `request` on every live tick.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class TrainingSlots:
    """At most `capacity` sessions train at once; the rest wait in arrival order.

    A holder that stops ticking (closed tab, paused run) loses its slot after `lease_s`,
    so a vanished visitor can never block the queue for long.
    """

    def __init__(self, capacity: int, lease_s: float = 5.0, clock=time.monotonic):
        self.capacity = capacity
        self.lease_s = lease_s
        self._clock = clock
        self._slots = threading.BoundedSemaphore(capacity)
        self._lock = threading.Lock()
        self._holders: dict[str, float] = {}  # session id -> last tick
        self._queue: OrderedDict[str, float] = OrderedDict()  # waiting session id -> last tick

    def request(self, sid: str) -> int:
        """Ask to train now: 0 means go ahead; N > 0 is the queue position (N - 1 sessions ahead)."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if sid in self._holders:
                self._holders[sid] = now
                return 0
            self._queue[sid] = now
            ahead = list(self._queue).index(sid)
            if ahead == 0 and self._slots.acquire(blocking=False):
                del self._queue[sid]
                self._holders[sid] = now
                return 0
            return ahead + 1  # queue position: 1 = next in line

    def release(self, sid: str) -> None:
        """Give the slot back (pause, run ended) or leave the queue."""
        with self._lock:
            self._queue.pop(sid, None)
            if self._holders.pop(sid, None) is not None:
                self._slots.release()

    def _expire(self, now: float) -> None:
        for sid, seen in list(self._holders.items()):
            if now - seen > self.lease_s:
                del self._holders[sid]
                self._slots.release()
        for sid, seen in list(self._queue.items()):
            if now - seen > self.lease_s:
                del self._queue[sid]

    @property
    def active(self) -> int:
        """Sessions holding a slot now."""
        return len(self._holders)

    @property
    def waiting(self) -> int:
        """Sessions in the queue now."""
        return len(self._queue)

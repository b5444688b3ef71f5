"""The worker: trains one visitor's runner on its own thread at the chosen speed, apart from drawing.

Training is budgeted in epochs per second (not in the script's wall time), in chunks of steps
short enough that Pause lands within a chunk even when one epoch takes seconds. Every chunk, Step's
too, runs in a turn of the server's FairShare (the least-served visitor goes first) and renews the
visitor's training slot, so the slot's lease covers the work actually running. After every epoch
the worker records each lane's loss point; boundary frames are recorded at most `max_fps` times a
second (thinned evenly), and always for the last epoch before it stops. Network-view frames are
bigger: at most `network_fps` a second, and only the newest waits for the tick. The live tick only
collects what happened since the last tick. Pure Python and torch: no Streamlit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from playground.live.runner import Runner
from playground.live.share import FairShare
from playground.live.slots import TrainingSlots

CHUNK_S = 0.04  # training between checks of Pause, the speed and the queue
ABANDON_S = 10.0  # no tick collected for this long: the tab is gone or hidden; stop and free the slot
MAX_FPS = 60  # boundary frames per second at most, like the TF Playground's one per animation frame
# Frames a burst of epochs may draw back to back at speed "max" (above max_fps): epochs come in bursts (a loop
# wakes late and trains the ones it owes). A minimum gap between frames dropped ~20 % of them at 60 epochs/s, a
# burst of 3 still left the page 58.3 frames/s; a tick's worth (12) gives it 60, which the painter paces out.
FRAME_BURST = 12.0
MAX_BACKLOG = 2000  # recorded items kept for a tick that is late
NETWORK_FPS = 10  # network-view frames per second at most (each is ~20 unit maps)
# Play, with the live feed: training waits (at most this long) for the page's first poll. Started at the click,
# it trained through the Play rerun and the page's render (~0.6 s, 40 epochs), and that burst reached the page
# at once, a backlog its painter could only skip or lag behind.
PAGE_WAIT_S = 1.5
TURN_WAIT_S = 0.25  # longest wait for a turn before checking Pause and renewing the slot's lease


class Worker:
    """One visitor's training thread; `collect()` hands the tick what happened since the last one."""

    def __init__(self, runner: Runner, frame: Callable[[object], dict], points: Callable[[object], list],
                 *, slots: TrainingSlots, sid: str, max_steps_per_s: float, max_fps: float = MAX_FPS,
                 share: FairShare | None = None, network: Callable[[object], dict] | None = None,
                 network_fps: float = NETWORK_FPS):
        self.runner, self._frame, self._points = runner, frame, points
        self._network, self.min_network_gap = network, 1.0 / network_fps
        self._net: dict | None = None  # the newest network frame not yet collected
        self._last_net = -math.inf  # time.monotonic() of the last network frame made
        self.slots, self.sid = slots, sid
        self.share = share or FairShare(turns=1 << 30)  # none given: this worker never waits for a turn
        self.max_steps_per_s, self.max_fps = max_steps_per_s, max_fps
        self._credit, self._credit_at = FRAME_BURST, time.monotonic()  # frames owed at max_fps (a token bucket)
        self.speed = 60.0  # epochs per second; math.inf = as fast as the CPU and the steps cap allow
        self.queued = 0  # queue position while waiting for a training slot (0 = training)
        self.capped = False  # the steps/s cap is slowing this visitor down
        self._frames: deque = deque(maxlen=MAX_BACKLOG)  # per epoch drawn: one frame per lane
        self._loss: deque = deque(maxlen=MAX_BACKLOG)  # per epoch: one loss point per lane
        self.lost = False  # the backlog overflowed since the last collect: the page must resync
        self._last_points = None
        self._last_frame_epoch = -1
        self.error: Exception | None = None  # what stopped the thread, if it failed
        self._playing = threading.Event()
        self._page = threading.Event()  # the page is ready for this playback's epochs (see PAGE_WAIT_S)
        self._page.set()
        self.held = False  # paused by the visitor (Pause, Step, Reset, a new run): only play() starts it again
        self._lock = threading.Lock()  # guards the two deques
        self._thread_lock = threading.Lock()  # guards starting and ending the thread
        self._thread: threading.Thread | None = None
        self._last_collect = time.monotonic()
        self._steps_per_s = 200.0  # measured as it trains; sizes the chunks
        self._rest_s = 0.0  # owed to the steps/s cap: slept after the turn, so no turn is held idle

    @property
    def playing(self) -> bool:
        """True while the thread is asked to train."""
        return self._playing.is_set()

    def play(self, wait_for_page: bool = False) -> None:
        """Start (or keep) training on the worker thread; wait_for_page: from the page's first poll (page_ready)."""
        with self._thread_lock:
            self.held = False
            if wait_for_page and not self.playing:
                self._page.clear()
            self._start_locked()

    def page_ready(self) -> None:
        """The page polls for this run's epochs: a playback waiting for it starts."""
        self._page.set()

    def resume(self) -> None:
        """Train on after the worker stopped itself (no tick came for ABANDON_S); never after a pause."""
        with self._thread_lock:
            if not self.held:
                self._start_locked()

    def _start_locked(self) -> None:
        self._last_collect = time.monotonic()
        self._playing.set()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"trainer-{self.sid[:8]}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self._loop()
            except Exception as exc:  # a bug here must stop this visitor's run, never the server
                self.error = exc
                self._playing.clear()
            with self._thread_lock:  # a play() that came while the loop was ending keeps this thread
                if self._playing.is_set() and not self.runner.done:
                    continue
                self._playing.clear()
                self._thread = None
                return

    def pause(self) -> None:
        """Stop training; returns once the chunk in flight has finished (the counter is then true)."""
        with self._thread_lock:
            self.held = True
        self._playing.clear()
        with self.runner.lock:
            pass
        self.slots.release(self.sid)

    def step(self) -> bool:
        """Train exactly one epoch now (Step), through the same queue, turns and cap; False when queued."""
        self.pause()
        self.queued = self.slots.request(self.sid)
        if self.queued:
            return False
        try:
            done = False
            while not done and not self.runner.done:
                with self.share.turn(self.sid, timeout=TURN_WAIT_S) as got:
                    done = got and self._chunk(epoch_only=True)
                self._rest()
                self.slots.request(self.sid)  # renew the lease: one epoch may outlast it
        finally:
            self.slots.release(self.sid)
            self.share.forget(self.sid)
        return True

    def collect(self) -> tuple[list[list[dict]], list[list[tuple]], bool]:
        """Boundary frames per lane and loss points per lane since the last call, and whether any were lost."""
        self._last_collect = time.monotonic()
        with self._lock:
            frames, points, lost = list(self._frames), list(self._loss), self.lost
            self._frames.clear()
            self._loss.clear()
            self.lost = False
        lanes = len(self.runner.lanes)
        by_lane = [[f[k] for f in frames] for k in range(lanes)]
        return by_lane, [[p[k] for p in points] for k in range(lanes)], lost

    def collect_network(self) -> dict | None:
        """The newest network-view frame since the last call (older ones were dropped), or None."""
        with self._lock:
            net, self._net = self._net, None
        return net

    def _wait_for_page(self) -> None:
        deadline = time.monotonic() + PAGE_WAIT_S
        while not self._page.is_set() and self._playing.is_set() and time.monotonic() < deadline:
            self._page.wait(0.02)
        self._page.set()  # a page that never polls (its feed failed) gets the ticks' data after the wait

    def _loop(self) -> None:
        self._wait_for_page()
        owed, last = 0.0, time.monotonic()
        while self._playing.is_set() and not self.runner.done:
            now = time.monotonic()
            if now - self._last_collect > ABANDON_S:
                self._playing.clear()  # the page stopped asking; a later tick starts us again
                break
            self.queued = self.slots.request(self.sid)  # also renews the lease while training
            if self.queued:
                time.sleep(0.2)
                last = time.monotonic()
                continue
            owed = min(owed + self.speed * (now - last), max(2.0, self.speed * 0.25))
            last = now
            if owed < 1.0:
                time.sleep(min((1.0 - owed) / max(self.speed, 1e-9), 0.05))
                continue
            with self.share.turn(self.sid, timeout=TURN_WAIT_S) as got:
                if got:
                    owed = self._slice(owed)
            self._rest()
        self._record(frame=True, final=True)  # the epoch the page stops on is always drawn
        self.slots.release(self.sid)
        self.share.forget(self.sid)

    def _slice(self, owed: float) -> float:
        """Chunks within one turn, up to CHUNK_S, while epochs are owed; records each epoch that ends."""
        start = time.monotonic()
        while owed >= 1.0 and self._playing.is_set() and not self.runner.done and not self._rest_s:
            if self._chunk(epoch_only=False):
                owed -= 1.0
                self._record(frame=self._frame_due(time.monotonic()))
            if time.monotonic() - start >= CHUNK_S:
                break
        return owed

    def _frame_due(self, now: float) -> bool:
        """Whether an epoch ending at `now` gets a boundary frame: each one up to max_fps a second, fewer above."""
        self._credit = min(self._credit + (now - self._credit_at) * self.max_fps, FRAME_BURST)
        self._credit_at = now
        if self.speed <= self.max_fps:  # paced at most max_fps epochs a second: every one (bursts play out on the page)
            return True
        if self._credit < 1.0:
            return False
        self._credit -= 1.0
        return True

    def _rest(self) -> None:
        """Sleep what the steps/s cap asks for, outside any turn."""
        rest, self._rest_s = self._rest_s, 0.0
        if rest > 0:
            time.sleep(rest)

    def _chunk(self, epoch_only: bool) -> bool:
        """Up to CHUNK_S of steps (never past the epoch's end, never over the steps/s cap); True at epoch end."""
        start = time.perf_counter()
        with self.runner.lock:
            if not epoch_only and not self._playing.is_set():
                return False
            before = self.runner.current_epoch
            k = max(1, min(int(self._steps_per_s * CHUNK_S), self.runner.steps_left))
            done = self.runner.step(k) > 0 or self.runner.current_epoch > before
        spent = max(time.perf_counter() - start, 1e-4)  # a timer tick, so one fast chunk cannot blow it up
        self._steps_per_s = min(0.7 * self._steps_per_s + 0.3 * (k / spent), 1e6)
        floor = k / self.max_steps_per_s - spent  # the per-visitor steps/s cap
        self.capped = floor > 0 and self.speed * self.runner.steps_per_epoch > self.max_steps_per_s
        self._rest_s += max(floor, 0.0)
        if epoch_only and done:
            self._record(frame=True, final=True)
        return done

    def _record(self, frame: bool, final: bool = False) -> None:
        net = None
        with self.runner.lock:
            points = self._points(self.runner)
            frames = self._frame(self.runner) if frame else None
            now = time.monotonic()
            if frame and self._network is not None and (final or now - self._last_net >= self.min_network_gap):
                net, self._last_net = self._network(self.runner), now
        with self._lock:
            if net is not None:
                self._net = net  # the latest only: a late tick skips the ones in between
            if len(self._loss) == self._loss.maxlen:
                self.lost = True
            if points != self._last_points:  # the stop records the last epoch again: keep it once
                self._loss.append(points)
                self._last_points = points
            epoch = self.runner.current_epoch
            if frames is not None and epoch != self._last_frame_epoch:
                self._frames.append(frames)
                self._last_frame_epoch = epoch

"""What Streamlit's server stores for a visitor: downloads made on click and kept until fetched,
uploads bounded to the current CSV and config, and nothing left behind by a session that ended.

Streamlit 1.67 (measured, and read in its runtime) keeps every file PUT to
/_stcore/upload_file/<session>/<new id> until the session shuts down, and a closed tab's session
whose reconnect TTL runs out is dropped without shutting down, so its files stay for good. A file
made by a download callable is unreferenced: the end of the next two script runs deletes it, which
a playing run's ticks reach in a fraction of a second, before a busy browser fetches it (a 404).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from streamlit import config, runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from playground.ui import state

IN_FLIGHT = 1  # newest files kept beyond the widgets' own: an upload whose rerun has not run yet
PIN_SLOTS = 8  # made downloads pinned at once per button, server-wide (visitors share slots by hash)
SWEEP_S = 10.0  # how often the files of ended sessions are looked for
_LOG = logging.getLogger(__name__)


def download_button(where, label: str, name: str, mime: str, make: Callable[[], str | bytes]) -> None:
    """A download button whose file is made when clicked, so it is current and never expired.

    A file stored with the page would be the history of the last full rerun, and the reruns of a
    playing run expire it (a 404). "ignore": a click neither reruns the page nor interrupts a tick.
    """
    where.download_button(label, _made_on_click(name, mime, make), name, mime, key=f"download_{name}",
                          on_click="ignore")


def _made_on_click(name: str, mime: str, make: Callable[[], str | bytes]) -> Callable[[], bytes]:
    slot = f"playground/download/{name}/{int(state.ui().sid, 16) % PIN_SLOTS}"

    def data() -> bytes:
        body = make()
        body = body.encode("utf-8") if isinstance(body, str) else body
        if runtime.exists():
            # The same bytes, name and type get the same media id as the file Streamlit stores next,
            # and a file referenced at coordinates (here the server-wide slot, no session: this runs
            # on a server thread) survives the cleanups until the slot's next click replaces it.
            _QUIET.active = True  # "missing ScriptRunContext": true, and expected on this thread
            try:
                runtime.get_instance().media_file_mgr.add(body, mime, slot, file_name=name,
                                                          is_for_static_download=True)
            finally:
                _QUIET.active = False
        return body

    return data


class _Quiet(threading.local, logging.Filter):
    """Drops records logged on this thread while `active` (Streamlit's missing-context warning)."""

    active = False

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.active


_QUIET = _Quiet()
logging.getLogger(get_script_run_ctx.__module__).addFilter(_QUIET)


def hold_uploads(*keys: str) -> None:
    """Every full run: this session keeps only the files its upload widgets (`keys`) hold."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    held = {getattr(state.widget(key), "file_id", None) for key in keys} - {None}
    _guard(ctx.uploaded_file_mgr).hold(ctx.session_id, held)


class UploadGuard:
    """Wraps one upload store: each new file frees the session's files no widget holds."""

    def __init__(self, store) -> None:
        self.store, self._add = store, store.add_file
        self._held: dict[str, set[str]] = {}
        self._gone_since: dict[str, float] = {}
        self._lock = threading.Lock()
        store.add_file = self.add_file  # the upload route calls the store's add_file

    def add_file(self, session_id: str, file) -> None:
        """Store the upload, then free the session's files beyond its widgets' and the newest."""
        self._add(session_id, file)
        self.trim(session_id)

    def hold(self, session_id: str, file_ids: set[str]) -> None:
        """The files the session's widgets hold now; everything else it stored is freed."""
        with self._lock:
            self._held[session_id] = set(file_ids)
        self.trim(session_id)

    def trim(self, session_id: str) -> None:
        """Free the session's files that are neither held nor among the newest IN_FLIGHT."""
        with self._lock:
            held = self._held.setdefault(session_id, set())
            ids = list(self.store.file_storage.get(session_id, {}))  # insertion order: newest last
            extra = [i for i in ids[: len(ids) - IN_FLIGHT] if i not in held]
        for file_id in extra:
            self.store.remove_file(session_id, file_id)

    def sweep(self, rt, ttl_s: float) -> None:
        """Free everything of sessions that have been gone longer than the reconnect TTL."""
        now, ended = time.monotonic(), []
        with self._lock:
            sessions = set(self._held) | set(self.store.file_storage)
        for sid in sessions:
            if rt.is_active_session(sid):
                self._gone_since.pop(sid, None)
            elif now - self._gone_since.setdefault(sid, now) >= ttl_s:
                ended.append(sid)
        for sid in ended:
            self.store.remove_session_files(sid)
            rt.media_file_mgr.clear_session_refs(sid)  # its download callables hold its run's history
            with self._lock:
                self._held.pop(sid, None)
                self._gone_since.pop(sid, None)
        if ended:
            rt.media_file_mgr.remove_orphaned_files()


_INSTALL_LOCK = threading.Lock()


def _guard(store) -> UploadGuard:
    """The store's guard, installed on first use (one store per server; AppTest makes one per run)."""
    with _INSTALL_LOCK:
        guard = getattr(store, "playground_guard", None)
        if guard is None:
            guard = store.playground_guard = UploadGuard(store)
            _start_sweeper(guard)
    return guard


def _start_sweeper(guard: UploadGuard) -> None:
    rt = runtime.get_instance() if runtime.exists() else None
    if rt is None or rt.uploaded_file_mgr is not guard.store:
        return  # AppTest: a stand-in runtime and a store per run; nothing outlives the test
    ttl_s = float(config.get_option("server.disconnectedSessionTTL"))

    def loop() -> None:
        while True:
            time.sleep(min(SWEEP_S, max(ttl_s / 2, 0.5)))
            try:
                guard.sweep(rt, ttl_s)
            except Exception:  # a sweep must never end the sweeper
                _LOG.exception("upload sweep failed")

    threading.Thread(target=loop, name="playground-upload-sweeper", daemon=True).start()

"""Never leave a visitor's session silently dropped: close its websocket so the browser reconnects.

Streamlit marks a session disconnected when its per-client send queue overflows (a slow link, a busy
browser) or a send fails, but leaves the websocket open: the page then shows its last state forever
and its clicks go nowhere. Closing the socket makes Streamlit's frontend reconnect with the same
session id, so the visitor gets the same session back (run, epoch, history) within the reconnect TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

_LOG = logging.getLogger(__name__)
CLOSE_CODE = 1013  # "try again later": the browser reconnects


def install() -> bool:
    """Wrap the websocket client's send once per process; False where this Streamlit has no such client."""
    try:
        from streamlit.runtime import SessionClientDisconnectedError
        from streamlit.web.server.starlette import starlette_websocket as ws
    except ImportError:
        return False
    cls = getattr(ws, "StarletteSessionClient", None)
    if cls is None or getattr(cls, "_pg_reconnect", False):
        return cls is not None
    original = cls.write_forward_msg

    def write_forward_msg(self, msg) -> None:
        try:
            original(self, msg)
        except SessionClientDisconnectedError:
            close_later(self)
            raise

    cls.write_forward_msg = write_forward_msg
    cls._pg_reconnect = True
    return True


def close_later(client) -> bool:
    """Close a dropped client's websocket on the event loop (once); True when a close was scheduled."""
    websocket = getattr(client, "_websocket", None)
    if websocket is None or getattr(client, "_pg_closing", False):
        return False
    try:
        loop = asyncio.get_running_loop()  # the runtime sends from the event loop thread
    except RuntimeError:
        return False
    client._pg_closing = True
    _LOG.warning("A session's send queue overflowed or its send failed: closing its websocket so it reconnects")
    client._pg_close_task = loop.create_task(_close(websocket))  # kept: a task nobody holds may vanish
    return True


async def _close(websocket) -> None:
    with contextlib.suppress(Exception):  # already closed by the browser: nothing left to do
        await websocket.close(code=CLOSE_CODE)

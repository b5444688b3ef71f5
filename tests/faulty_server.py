"""`python tests/faulty_server.py run app.py ...`: Streamlit with a link the tests can stall or cut.

The faults are switched by files in $PG_FAULT_DIR, so a test drives them from outside the server:
- `stall`: while it exists, nothing is sent to any browser (a link or a browser that stopped reading).
  The browser keeps asking for ticks, so Streamlit's per-client send queue fills up and overflows.
- `drop`: the next send closes that websocket instead, and the file is removed (a dropped connection).
Nothing here is imported by the app; it only wraps Starlette's websocket before Streamlit starts.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from starlette.websockets import WebSocket

FAULTS = Path(os.environ["PG_FAULT_DIR"])
_send_bytes = WebSocket.send_bytes


async def send_bytes(self: WebSocket, data: bytes) -> None:
    """Starlette's send, held while `stall` exists; a `drop` file closes the socket instead."""
    while (FAULTS / "stall").exists():
        await asyncio.sleep(0.05)
    drop = FAULTS / "drop"
    if drop.exists():
        drop.unlink(missing_ok=True)
        await self.close(code=1012)  # as a restarting proxy would; the browser reconnects
        return
    await _send_bytes(self, data)


WebSocket.send_bytes = send_bytes

if __name__ == "__main__":
    from streamlit.web.cli import main

    sys.exit(main(prog_name="streamlit"))

"""Helpers shared by the AppTest suites: open the app, read the epoch counter and the visitor's state."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "page.py")  # the page script (app.py is its server)


def launch(query: dict[str, str] | None = None, *, check: bool = False) -> AppTest:
    """A fresh visitor opening the app with these URL query params."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def seen(text: str) -> str:
    """Markdown source as the visitor reads it: backslash escapes and HTML entities undone."""
    return html.unescape(re.sub(r"\\(.)", r"\1", text))


def counter(at: AppTest) -> dict:
    """The epoch counter's data (playground.ui.live_counter): epoch, epochs, unit, detail, spark, feed."""
    found = [json.loads(e.proto.json) for e in at.main.get("bidi_component")
             if e.proto.component_name == "pg_epoch_counter"]
    assert len(found) == 1, "expected exactly one epoch counter on the page"
    return found[0]


def epoch(at: AppTest, unit: str = "Epoch") -> int:
    """The epoch the counter shows (single run and race; unit "Step" on the surfaces)."""
    data = counter(at)
    assert data["unit"] == unit, data
    return int(data["epoch"])


def ui(at: AppTest):
    """The visitor's UIState."""
    return at.session_state["ui"]


def runner(at: AppTest):
    """The current mode's runner: the Trainer, or the Race in race mode."""
    return ui(at).run.runner


def open_tab(at: AppTest, label: str):
    """Open one of the tabs under the live area (only the open one runs), as a click on it; returns that tab."""
    from playground.ui.main import TABS_KEY

    at.session_state[TABS_KEY] = label
    at.run()
    return next(t for t in at.tabs if t.label == label)

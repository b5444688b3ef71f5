"""The epoch counter, part of the page (Components v2, no iframe): live from the feed between the ticks."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_JS = (Path(__file__).parent / "live_counter.js").read_text()
# isolate_styles=False: the counter sits in the page's own DOM (its font, and #epoch-counter for the tests).
_counter = st.components.v2.component("pg_epoch_counter", html='<p class="pg-counter" style="margin:0"></p>', js=_JS,
                                      isolate_styles=False)


def live_counter(epoch: int, epochs: int, *, unit: str, detail: str, spark: str = "", feed: dict | None = None,
                 key: str = "epoch_counter") -> None:
    """'{unit} {epoch} / {epochs} · spark · detail'; with feed, the browser polls the epoch between the ticks.

    spark is HTML made here (a loss text and an inline SVG); detail is plain text.
    """
    _counter(data={"epoch": int(epoch), "epochs": int(epochs), "unit": unit, "detail": detail, "spark": spark,
                   "feed": feed}, key=key)

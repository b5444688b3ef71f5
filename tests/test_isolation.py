"""Two visitors on one server never see each other's settings, data or progress.

Two browser contexts (two Streamlit sessions, like two people) open different links on one
`streamlit run`, press Play at the same moment and train for a few seconds. Each page must keep
its own URL, controls, data points and epoch counter; pausing one must not stop the other.
Also a 1-session x 3-second smoke run of benchmarks/load.py's measuring code.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.data import load_dataset

pytestmark = pytest.mark.browser

CHARTS = "iframe[title$='live_chart']"  # first: decision boundary, second: loss curve
A = {"dataset": "circles", "lr": "0.03", "seed": "1", "epochs": "10000", "patience": "0"}  # never ends mid-test
B = {"dataset": "xor", "optimizer": "sgd", "seed": "2", "epochs": "10000", "patience": "0"}
EPOCH_JS = "() => { const c = document.getElementById('epoch-counter'); return c ? Number(c.dataset.epoch) : null; }"
# The boundary chart's training points (trace named 'train'); its first x values identify the data set.
TRAIN_X_JS = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  const t = plot && plot.data && plot.data.find(d => d.name === 'train');
  return t ? Array.from(t.x).slice(0, 20).map(Number) : null;
}"""


def expected_train_x(query: dict[str, str]) -> np.ndarray:
    cfg, warnings = RunConfig.from_query(query)
    assert not warnings
    return load_dataset(cfg).x_train[:20, 0]


def open_page(ctx, url: str):
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector(CHARTS, timeout=90_000)
    page.wait_for_function(f"() => ({EPOCH_JS})() !== null", timeout=90_000)
    boundary_frame(page).wait_for_function(TRAIN_X_JS, timeout=90_000)
    return page, errors


def boundary_frame(page):
    # page.frames sometimes misses the component iframe; go through its element instead.
    return page.wait_for_selector(CHARTS).content_frame()


def train_x(page) -> np.ndarray:
    return np.asarray(boundary_frame(page).evaluate(TRAIN_X_JS), dtype=float)


def query_of(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def selectbox_text(page, key: str) -> str:
    """What a selectbox shows (its combobox input's value)."""
    return page.locator(f".st-key-{key} input").first.input_value()


def slider_text(page, key: str) -> str:
    """What a (select) slider shows (its thumb's aria-valuetext)."""
    return page.locator(f".st-key-{key} input[type='range']").first.get_attribute("aria-valuetext") or ""


def assert_own_settings(page, query: dict[str, str], dataset_text: str, optimizer_text: str) -> None:
    shown = query_of(page)
    assert {k: shown.get(k) for k in query} == query, f"URL query is {shown}"
    assert selectbox_text(page, "w_dataset").startswith(dataset_text)
    assert selectbox_text(page, "w_optimizer") == optimizer_text


def epochs_over(pages, seconds: float, every: float = 0.25, samples: int = 5) -> list[list[int | None]]:
    """Each page's epoch counter, read every `every` s for `seconds`, and at least `samples` times.

    On a loaded machine one read can take over a second, so a fixed time alone may give too few reads.
    """
    series: list[list[int | None]] = [[] for _ in pages]
    end = time.monotonic() + seconds
    while time.monotonic() < end or min(map(len, series)) < samples:
        for out, page in zip(series, pages, strict=True):
            out.append(page.evaluate(EPOCH_JS))
        time.sleep(every)
    return series


def rising(series: list[int | None]) -> bool:
    values = [v for v in series if v is not None]
    return len(values) >= 4 and values == sorted(values) and values[-1] > values[0]


def test_two_visitors_train_at_once_without_crosstalk(app_server, chromium):
    ctx_a = chromium.new_context(viewport={"width": 1500, "height": 1000})
    ctx_b = chromium.new_context(viewport={"width": 1500, "height": 1000})
    try:
        page_a, errors_a = open_page(ctx_a, f"{app_server.url}?{urlencode(A)}")
        page_b, errors_b = open_page(ctx_b, f"{app_server.url}?{urlencode(B)}")
        want_a, want_b = expected_train_x(A), expected_train_x(B)
        assert not np.allclose(want_a, want_b)
        np.testing.assert_allclose(train_x(page_a), want_a, atol=1e-4)
        np.testing.assert_allclose(train_x(page_b), want_b, atol=1e-4)

        page_a.locator(".st-key-play button").click()  # both at once
        page_b.locator(".st-key-play button").click()
        ep_a, ep_b = epochs_over([page_a, page_b], 4.0)
        assert rising(ep_a) and rising(ep_b), (ep_a, ep_b)

        # Each still shows its own settings and data, not the other's.
        assert_own_settings(page_a, A, "circles —", "Adam")
        assert_own_settings(page_b, B, "xor —", "SGD")
        assert slider_text(page_a, "w_lr") == "0.03" and slider_text(page_b, "w_lr") == "0.01"
        np.testing.assert_allclose(train_x(page_a), want_a, atol=1e-4)
        np.testing.assert_allclose(train_x(page_b), want_b, atol=1e-4)

        # Independent progress: pausing A freezes A only.
        page_a.locator(".st-key-play button").filter(has_text="Pause").click()
        page_a.locator(".st-key-play button").filter(has_text="Play").wait_for(timeout=30_000)
        time.sleep(0.5)  # a tick already in flight may still land
        ep_a, ep_b = epochs_over([page_a, page_b], 2.5)
        assert len(set(ep_a)) == 1 and None not in ep_a, f"A moved while paused: {ep_a}"
        assert rising(ep_b), f"B stopped when A paused: {ep_b}"
        page_b.locator(".st-key-play button").filter(has_text="Pause").click()

        for page in (page_a, page_b):
            assert page.locator("[data-testid=stException]").count() == 0
        assert not errors_a and not errors_b, (errors_a, errors_b)
    finally:
        ctx_a.close()
        ctx_b.close()


def test_load_benchmark_smoke(app_server, chromium):
    from benchmarks.load import close_sessions, measure, summarize

    sessions = measure(chromium, app_server.url, sessions=1, seconds=3)
    try:
        (row,) = summarize(sessions)
    finally:
        close_sessions(sessions)
    assert row["errors"] == 0, row
    assert row["samples"] >= 2 and row["epochs_per_s"] and row["epochs_per_s"] > 0, row
    assert row["updates_per_s"] is not None and row["updates_per_s"] > 0, row


def test_the_websocket_offers_compression(app_server):
    """The link carries deflated frames (permessage-deflate): B8 measured 4x fewer bytes on the wire."""
    import base64
    import http.client
    import os
    from urllib.parse import urlsplit

    url = urlsplit(app_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", "/_stcore/stream", headers={
            "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), "Origin": app_server.url.rstrip("/"),
            "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"})
        response = conn.getresponse()
        assert response.status == 101, response.status
        assert "permessage-deflate" in (response.getheader("Sec-WebSocket-Extensions") or "")
    finally:
        conn.close()

"""Reliability cases that need the real server and a browser: downloads while a run plays, what a
session may hold in uploads (and what a closed tab leaves behind), and user text that must stay
text in Streamlit's markdown and Plotly's pseudo-HTML."""

from __future__ import annotations

import io
import json
import re
import time
import urllib.parse
import urllib.request

import pandas as pd
import pytest

from tests.conftest import ROOT, start_streamlit
from tests.test_browser import CHARTS, button, open_app, play_button, start_playing, wait_epoch, wait_label
from tests.test_reliability import good_csv

CLICKS = 3  # per download button, each after more ticks (and one full rerun) have passed
UPLOADS = 50  # extra 1 MB uploads under new file ids, as a hostile client would send them
MB = 1_000_000
TTL_S = 3  # the dedicated server's reconnect TTL, so a closed tab's session ends within the test


def counter(page) -> int:
    """The epoch the page's counter shows."""
    return int(page.evaluate("() => Number(document.getElementById('epoch-counter').dataset.epoch)"))


def download(page, label: str) -> bytes:
    """Click the visible download button `label`; the file's bytes (fails on a 404 or no download)."""
    with page.expect_download(timeout=20_000) as info:
        page.get_by_role("button", name=label).filter(visible=True).click()
    dl = info.value
    assert dl.failure() is None, f"{label}: {dl.failure()} ({dl.url})"
    with open(dl.path(), "rb") as f:
        return f.read()


@pytest.mark.browser
def test_downloads_while_playing_deliver_the_current_files(app_server, browser_context):
    # Regression: the files were stored with the page, so a click while playing got the history of
    # the last full rerun (epoch 4 with the counter at 71), and after reruns a 404.
    # patience 0 and 10,000 epochs: the run never ends mid-test
    page = open_app(browser_context, app_server.url + "?n_points=100&lr=0.03&patience=0&epochs=10000")
    console: list[str] = []
    page.on("console", lambda msg: console.append(msg.text))
    start_playing(page)
    wait_label(page, "Pause")
    page.get_by_role("tab", name="History").click()
    epochs = []
    for k in range(CLICKS):
        time.sleep(1.0)  # ticks pass: the history the page was drawn with is stale now
        if k == 1:
            button(page, "log_y").first.click()  # a full rerun while playing, like any widget change
            time.sleep(1.0)
        shown = counter(page)
        frame = pd.read_csv(io.BytesIO(download(page, "History CSV")))
        assert "epoch" in frame.columns and "train_loss" in frame.columns, frame.columns
        assert len(frame) > 0 and frame["epoch"].is_monotonic_increasing
        # The file is the history at the click: at least as far as the counter showed before it.
        assert frame["epoch"].iloc[-1] >= shown > 0, (frame["epoch"].iloc[-1], shown)
        epochs.append(int(frame["epoch"].iloc[-1]))
        cfg = json.loads(download(page, "Config JSON"))
        assert cfg["n_points"] == 100 and cfg["lr"] == 0.03, cfg
    assert "Pause" in play_button(page).inner_text(), "the downloads stopped the run"
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0], epochs
    errors = [m for m in console if "Download Button" in m or "404" in m]
    assert not errors, errors
    assert page.locator("[data-testid=stException]").count() == 0
    play_button(page).click()  # Pause: free the training slot
    page.close()


# ---------------------------------------------------------------- uploads a session may hold

PUT_JS = """async ([sid, n, size]) => {
  const xsrf = (document.cookie.match(/_streamlit_xsrf=([^;]+)/) || [])[1] || "";
  const statuses = [];
  for (let i = 0; i < n; i++) {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(size).fill(49)]), `junk${i}.csv`);
    const r = await fetch(`/_stcore/upload_file/${sid}/${crypto.randomUUID()}`,
                          {method: "PUT", body: form, headers: {"X-Xsrftoken": decodeURIComponent(xsrf)}});
    statuses.push(r.status);
  }
  return statuses;
}"""


def held_upload_bytes(url: str) -> int:
    """Bytes in the server's upload store, from /_stcore/metrics (0 when it holds none)."""
    with urllib.request.urlopen(url + "_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    return sum(int(float(m)) for m in re.findall(r'^cache_memory_bytes\{[^}]*UploadedFileManager[^}]*\} (\S+)$',
                                                   text, flags=re.M))


@pytest.fixture(scope="module")
def short_ttl_server():
    """The app on its own server whose closed sessions end TTL_S seconds after they disconnect."""
    yield from start_streamlit(ROOT / "app.py", STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL=str(TTL_S))


@pytest.mark.browser
def test_a_session_holds_only_its_current_uploads_and_a_closed_tab_frees_them(short_ttl_server, browser_context,
                                                                               tmp_path):
    # Regression: 100 further 1 MB uploads under new file ids were all kept (about 96 MB per
    # round), and still held minutes after the tab closed, past the reconnect TTL.
    good = tmp_path / "good.csv"
    good.write_bytes(good_csv())
    page = browser_context.new_page()
    puts: list[str] = []
    page.on("request", lambda req: puts.append(req.url) if "/_stcore/upload_file/" in req.url else None)
    page.goto(short_ttl_server.url + "?dataset=csv")
    page.get_by_text("Upload a CSV file in the CSV data panel above").wait_for(timeout=60_000)
    page.locator(".st-key-csv_file input[type=file]").set_input_files(str(good))
    page.wait_for_selector(CHARTS, timeout=60_000)
    sid = re.search(r"/_stcore/upload_file/([^/]+)/", puts[0]).group(1)

    statuses = page.evaluate(PUT_JS, [sid, UPLOADS, MB])
    assert statuses == [204] * UPLOADS, statuses  # accepted, as Streamlit accepts them: then freed
    held = held_upload_bytes(short_ttl_server.url)
    assert held <= MB + 2 * len(good_csv()), f"{held:,} bytes held after {UPLOADS} uploads of 1 MB"

    play_button(page).click()  # the real upload was kept: its run still trains
    wait_epoch(page, "e > 0")
    play_button(page).click()
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()

    deadline = time.monotonic() + TTL_S + 30
    while held_upload_bytes(short_ttl_server.url) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert held_upload_bytes(short_ttl_server.url) == 0, "a closed tab's uploads outlived its session"


# ---------------------------------------------------------------- user text in markdown and Plotly

LINK = "<a href='https://evil.example/'>link</a>"
BIG = '<span style="font-size:90px">big</span>'
DIRECTIVES = ":red-background[zap]:material/home:"

CHART_TEXT_JS = """(root) => {
  const doc = root.contentDocument || root.ownerDocument;
  const scope = root.contentDocument ? doc : root;
  const texts = (sel) => [...scope.querySelectorAll(sel)].map(e => e.textContent);
  return {links: scope.querySelectorAll('svg a').length,
          styled: scope.querySelectorAll('svg tspan[style*="90px"]').length,
          titles: texts('.xtitle, .ytitle'), legend: texts('.legendtext'), ticks: texts('.xtick text, .ytick text')};
}"""


@pytest.mark.browser
def test_user_text_stays_text_in_the_banner_and_the_charts(app_server, browser_context, tmp_path):
    # Regression: a CSV column named <a href=…> rendered as a live link in the boundary's axis title and
    # a <span style=…> label as a 90 px legend entry; :red-background[…] and :material/…: rendered in
    # the warning banner.
    frame = pd.read_csv(io.BytesIO(good_csv()))
    frame.columns = [LINK, BIG, "label"]
    frame["label"] = frame["label"].map({0: "<b>bold</b>", 1: BIG})
    hostile = tmp_path / "hostile.csv"
    hostile.write_bytes(frame.to_csv(index=False).encode())
    page = browser_context.new_page()
    page.goto(app_server.url + "?" + urllib.parse.urlencode({"dataset": "csv", DIRECTIVES: "1"}))
    banner = page.locator("[data-testid=stAlert]").filter(has_text="Some settings in the link were ignored")
    banner.wait_for(timeout=60_000)
    assert f"unknown setting '{DIRECTIVES}' was ignored" in banner.inner_text()
    assert banner.locator("[data-testid=stIconMaterial]").count() == 0

    page.locator(".st-key-csv_file input[type=file]").set_input_files(str(hostile))
    page.wait_for_selector(CHARTS, timeout=60_000)
    boundary = page.locator(CHARTS).first
    page.wait_for_function("(f) => f.contentDocument && f.contentDocument.querySelector('.legendtext')",
                           arg=boundary.element_handle(), timeout=60_000)
    shown = boundary.evaluate(CHART_TEXT_JS)
    assert shown["links"] == 0 and shown["styled"] == 0, shown
    assert f"{LINK} (standardized)" in shown["titles"] and BIG in shown["legend"], shown

    page.get_by_role("tab", name="Evaluation").click()
    matrix = page.locator("[data-testid=stPlotlyChart]").first
    matrix.locator(".xtick").first.wait_for(timeout=30_000)
    shown = matrix.evaluate(CHART_TEXT_JS)
    assert shown["links"] == 0 and shown["styled"] == 0, shown
    assert "<b>bold</b>" in shown["ticks"] and BIG in shown["ticks"], shown
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()

"""Reconnects keep the run (issue #17 item 6): after a server pause or a dropped websocket the page comes
back to the same run, epoch and history without a reload; a reload starts a new run and says so.

Each test starts its own server (one is stopped with SIGSTOP by its PID, the other's link is cut by
tests/faulty_server.py), so the shared app server is never disturbed. Checks count epochs and points.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.conftest import ROOT, session_events, start_streamlit
from tests.test_browser import play_button, sample, wait_epoch, wait_label
from tests.test_browser_storm import counter, open_app

pytestmark = pytest.mark.browser

URL = "?epochs=10000&patience=0&n_points=100"  # never ends during the test
STOP_S = 8  # the server stays stopped this long: longer than many ticks, shorter than the ping timeout
MARK_JS = "() => { window.pgNoReload = 1; return true; }"
MARKED_JS = "() => window.pgNoReload === 1"
NOTE_JS = """() => [...document.querySelectorAll("iframe[title$='live_chart']")].map((f) => {
  try { const n = f.contentDocument.getElementById('note');
        return n && n.style.display === 'block' ? n.textContent : ''; } catch (e) { return null; } })"""


@pytest.fixture
def own_server():
    """The app on a server of its own, which a test may stop and continue."""
    yield from start_streamlit(ROOT / "app.py")


def playing_page(browser_context, url: str):
    page = open_app(browser_context, url + URL)
    play_button(page).click()
    wait_label(page, "Pause")
    wait_epoch(page, "e > 3", timeout_ms=60_000)
    page.evaluate(MARK_JS)
    return page


def assert_same_run_goes_on(page, before: int) -> None:
    """No reload; the counter goes on from where it was; pausing shows one loss point per epoch."""
    try:
        wait_epoch(page, f"e > {before}", timeout_ms=90_000)
    except Exception as exc:
        raise AssertionError(f"the page did not go on training after epoch {before} (now {counter(page)})") from exc
    assert page.evaluate(MARKED_JS), "the page was reloaded"
    assert counter(page) > before, "the run restarted"
    play_button(page).click()
    wait_label(page, "Play")
    time.sleep(1.0)
    shown = sample(page)
    epoch = shown["epoch"]
    assert shown["loss"]["points"] == epoch and shown["loss"]["last_x"] == epoch, (shown["loss"], epoch)
    assert not any(page.evaluate(NOTE_JS)), "a reconnect claimed a new run"
    assert page.locator("[data-testid=stException]").count() == 0


def test_a_server_pause_comes_back_to_the_same_run(own_server, browser_context):
    page = playing_page(browser_context, own_server.url)
    before = counter(page)
    os.kill(own_server.pid, signal.SIGSTOP)
    try:
        time.sleep(STOP_S)
    finally:
        os.kill(own_server.pid, signal.SIGCONT)
    assert_same_run_goes_on(page, before)
    page.close()


def test_a_dropped_websocket_comes_back_to_the_same_run(faulty_server, browser_context):
    page = playing_page(browser_context, faulty_server.url)
    before = counter(page)
    reconnects = session_events(faulty_server.url).get("reconnect", 0)
    (faulty_server.faults / "drop").touch()
    deadline = time.monotonic() + 60
    while session_events(faulty_server.url).get("reconnect", 0) == reconnects and time.monotonic() < deadline:
        time.sleep(0.25)
    assert session_events(faulty_server.url).get("reconnect", 0) > reconnects, "the websocket was never dropped"
    assert_same_run_goes_on(page, before)
    page.close()


def test_a_reload_starts_a_new_run_and_says_so(app_server, browser_context):
    page = playing_page(browser_context, app_server.url)
    assert not any(page.evaluate(NOTE_JS))
    page.reload()
    wait_epoch(page, "e === 0", timeout_ms=60_000)
    page.wait_for_function(f"() => ({NOTE_JS})().some(Boolean)", timeout=60_000)
    notes = [n for n in page.evaluate(NOTE_JS) if n]
    assert all("new run from epoch 0" in n for n in notes), notes
    page.close()

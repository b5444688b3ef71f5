"""A visitor who clicks fast never ends on a page whose transport does nothing (issue #17, items 1 and 9).

- An action storm in Race mode (seeded; seed 0 in the suite, STORM_SEEDS=0,1,2 for more): afterwards Play
  moves the counter, Pause stops it and Step adds exactly one epoch, with no exception box and no "Cannot
  set a node at a delta path".
- A stalled link: Streamlit's send queue overflows and the session is dropped; the page must reconnect
  and act again instead of freezing (tests/faulty_server.py stalls the server's sends).
- Pause clicked 16 times across play cycles at varied delays: every click lands.
All checks count (labels, epochs): waits are generous and nothing is timed.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from tests.conftest import session_events
from tests.test_browser import BOUNDARY_DRAWN_JS, button, play_button, wait_epoch, wait_label

pytestmark = pytest.mark.browser

RACE = "?mode=race&epochs=10000&patience=0"  # never ends during the test
SINGLE = "?epochs=10000&patience=0"
CYCLES = 20
PER_CYCLE = 3  # actions per cycle, each a fraction of a second after the last
# One storm (~85 s) in the suite keeps it near its time budget; seeds 1 and 2 passed in every run of stops 18-20.
SEEDS = tuple(int(s) for s in os.environ.get("STORM_SEEDS", "0").split(","))
PAUSES = 16
DELTA_PATH = "Cannot set a node at a delta path"
ACT_MS = 750  # an action that cannot find its widget (mid-rerun) is skipped, not failed (a visitor moves on too)
EXCEPTIONS = "[data-testid=stException]"
LOAD_MS = 180_000  # five plotly iframes on a shared 2-core machine under load


def open_app(ctx, url: str):
    """A new session on the app, once its first boundary and loss charts are drawn (a busy machine is slow)."""
    page = ctx.new_page()
    page.goto(url, timeout=LOAD_MS)
    page.wait_for_function(BOUNDARY_DRAWN_JS, timeout=LOAD_MS, polling=250)
    return page


def counter(page) -> int | None:
    return page.evaluate("() => { const c = document.getElementById('epoch-counter');"
                         " return c ? Number(c.dataset.epoch) : null; }")


def watch(page) -> list[str]:
    """Page errors and console errors, as the visitor's browser saw them."""
    seen: list[str] = []
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    page.on("console", lambda msg: seen.append(msg.text) if msg.type == "error" else None)
    return seen


# ---- the actions of a storm ---------------------------------------------------------------------

def _click(page, key: str) -> None:
    target = button(page, key).first
    if target.is_enabled(timeout=ACT_MS):
        target.click(timeout=ACT_MS)


def _keys(page, key: str, *presses: str) -> None:
    thumb = page.locator(f".st-key-{key} input[type=range]").first  # the slider thumb (react-aria)
    thumb.focus(timeout=ACT_MS)
    for k in presses:
        thumb.press(k, timeout=ACT_MS)


def _pick(page, key: str, rng: random.Random) -> None:
    page.locator(f".st-key-{key} input").first.click(timeout=ACT_MS)
    options = page.get_by_role("option")
    options.first.wait_for(timeout=ACT_MS)
    texts = [t for t in options.all_inner_texts() if not t.startswith("Upload")]  # a CSV prompt stops the charts
    page.get_by_role("option", name=rng.choice(texts), exact=True).click(timeout=ACT_MS)


def _mode(page, label: str, timeout_ms: int = ACT_MS) -> None:
    option = page.locator(".st-key-mode label").filter(has_text=label).first
    if option.get_attribute("data-selected", timeout=timeout_ms) != "true":
        option.click(timeout=timeout_ms)


ACTIONS = {
    "play/pause": lambda page, rng: _click(page, "play"),
    "step": lambda page, rng: _click(page, "step"),
    "reset": lambda page, rng: _click(page, "reset"),
    "mode": lambda page, rng: _mode(page, rng.choice(["Single run", "Race"])),
    "dataset": lambda page, rng: _pick(page, "w_dataset", rng),
    "optimizer": lambda page, rng: _pick(page, "w_optimizer", rng),
    "layers": lambda page, rng: _keys(page, "w_n_layers", rng.choice(["ArrowRight", "ArrowLeft"])),
    "batch norm": lambda page, rng: _click(page, "w_batch_norm"),
    "lr": lambda page, rng: _keys(page, "w_lr", *[rng.choice(["ArrowRight", "ArrowLeft"])] * rng.randint(1, 3)),
    "points": lambda page, rng: _keys(page, "w_n_points", *["ArrowRight"] * rng.randint(1, 5)),
    "new data": lambda page, rng: _click(page, "new_data"),
    "log y": lambda page, rng: _click(page, "log_y"),
    "speed max": lambda page, rng: _keys(page, "speed", "End"),
}


def storm(page, seed: int) -> list[str]:
    """CYCLES cycles of PER_CYCLE random actions, 0.05-0.5 s apart; returns what was done."""
    from playwright.sync_api import Error as PlaywrightError

    rng, done = random.Random(seed), []
    for _ in range(CYCLES):
        for name in rng.sample(sorted(ACTIONS), PER_CYCLE):
            try:
                ACTIONS[name](page, rng)
                done.append(name)
            except PlaywrightError:  # the widget was mid-rerun or disabled: a visitor's click that missed
                done.append(name + " (missed)")
                page.keyboard.press("Escape")  # close a dropdown left open
            time.sleep(rng.uniform(0.05, 0.5))
    return done


# ---- what must still work afterwards ----------------------------------------------------------------

# While a rerun moves the transport (a mode switch), Streamlit shows the old copy until the run ends.
ONE_TRANSPORT_JS = """() => ['play', 'step', 'reset'].every(k =>
  [...document.querySelectorAll(`.st-key-${k} button`)].filter(b => b.offsetWidth > 0).length === 1)"""


# Streamlit disables every widget while its websocket is not connected (a dropped session reconnecting).
CONNECTED_JS = "() => !!document.querySelector('.st-key-mode label:not([data-disabled=true])')"
RECONNECT_MS = 180_000  # a session dropped under load reconnects with backoff; a frozen page never does


def wait_connected(page, server, context: str) -> None:
    """The page's widgets are enabled again (it is connected); else fail with what the server printed."""
    try:
        page.wait_for_function(CONNECTED_JS, timeout=RECONNECT_MS, polling=500)
    except Exception as exc:
        status = page.locator("[data-testid=stStatusWidget]").all_inner_texts()
        raise AssertionError(f"{context}: the page stayed disconnected ({status}); the server printed:\n"
                             f"{server.log_tail() if server else ''}") from exc


def assert_transport_acts(page, seen: list[str], context: str, server=None) -> None:
    """Play moves the counter, Pause stops it, Step adds exactly one epoch; no error box on the page."""
    wait_connected(page, server, context)
    _mode(page, "Race", timeout_ms=60_000)  # generous: the storm's last reruns may still be running
    page.locator(".st-key-play button").filter(visible=True).first.wait_for(timeout=60_000)
    if "Pause" in play_button(page).inner_text(timeout=30_000):
        play_button(page).click()
    wait_label(page, "Play")
    page.wait_for_function(ONE_TRANSPORT_JS, timeout=60_000)  # a rerun's stale copy of the transport is gone
    button(page, "reset").click()  # a definite state: new weights, epoch 0, paused
    wait_epoch(page, "e === 0", timeout_ms=60_000)
    play_button(page).click()
    try:
        wait_label(page, "Pause")
        wait_epoch(page, "e > 2", timeout_ms=60_000)
    except Exception as exc:
        raise AssertionError(f"{context}: Play did not move the counter (epoch {counter(page)})") from exc
    play_button(page).click()
    wait_label(page, "Play")
    time.sleep(1.0)  # a tick already in flight may still land
    stopped = counter(page)
    time.sleep(2.0)
    assert counter(page) == stopped, f"{context}: the counter moved after Pause ({stopped} -> {counter(page)})"
    button(page, "step").click()
    wait_epoch(page, f"e !== {stopped}", timeout_ms=60_000)
    time.sleep(1.0)
    assert counter(page) == stopped + 1, f"{context}: Step went from {stopped} to {counter(page)}"
    assert page.locator(EXCEPTIONS).count() == 0, f"{context}: an exception box shows"
    assert not [m for m in seen if DELTA_PATH in m], f"{context}: {DELTA_PATH}"


@pytest.mark.parametrize("seed", SEEDS)
def test_an_action_storm_in_race_mode_leaves_a_working_transport(app_server, browser_context, seed):
    # Regression (issue #17 item 1): after ~20 cycles of quick clicks the page showed "Pause" and a
    # counter that never moved again, and Pause and Play did nothing.
    page = open_app(browser_context, app_server.url + RACE)
    seen = watch(page)
    done = storm(page, seed)
    assert_transport_acts(page, seen, f"seed {seed} after {done}", app_server)
    page.close()


# ---- a session Streamlit dropped must come back --------------------------------------------------

def test_a_session_dropped_for_a_full_send_queue_reconnects(faulty_server, browser_context):
    # Regression (issue #17 item 1): when the per-client send queue (500 messages) overflowed,
    # Streamlit marked the session disconnected but kept the websocket open: the browser never
    # reconnected and the page froze on "Pause" with a still counter.
    page = open_app(browser_context, faulty_server.url + RACE)
    seen = watch(page)
    play_button(page).click()
    wait_epoch(page, "e > 2", timeout_ms=60_000)
    stall = faulty_server.faults / "stall"
    stall.touch()  # the browser keeps asking for ticks; nothing reaches it
    dropped = session_events(faulty_server.url).get("disconnect", 0)
    deadline = time.monotonic() + 120
    while session_events(faulty_server.url).get("disconnect", 0) == dropped and time.monotonic() < deadline:
        time.sleep(0.5)
    assert session_events(faulty_server.url).get("disconnect", 0) > dropped, \
        "the send queue never overflowed: the test proves nothing"
    stall.unlink()
    wait_epoch(page, "true")
    moved_from = counter(page)
    try:
        wait_epoch(page, f"e > {moved_from}", timeout_ms=60_000)  # still playing, with no reload
    except Exception as exc:
        raise AssertionError(f"the dropped page froze at epoch {moved_from}") from exc
    assert_transport_acts(page, seen, "after the dropped session", faulty_server)
    page.close()


# ---- every Pause click lands ----------------------------------------------------------------------

def test_every_pause_click_lands(app_server, browser_context):
    # Regression (issue #17 item 9): 3 of 16 Pause clicks left the button on "Pause" with epochs still
    # rising; one page raised "Cannot set a node at a delta path" and lost its counter.
    page = open_app(browser_context, app_server.url + SINGLE)
    seen = watch(page)
    rng = random.Random(9)
    missed = []
    for k in range(PAUSES):
        play_button(page).filter(has_text="Play").click()
        wait_label(page, "Pause")
        time.sleep(rng.choice([0.0, 0.05, 0.15, 0.3, 0.6, 1.0, 1.5]))  # lands before, on or between ticks
        play_button(page).filter(has_text="Pause").click()
        try:
            wait_label(page, "Play")
        except Exception:
            missed.append((k, f"still Pause at epoch {counter(page)}"))
            play_button(page).filter(has_text="Pause").click()  # the visitor clicks again
            wait_label(page, "Play")
            continue
        time.sleep(0.5)  # a tick already in flight may still land
        stopped = counter(page)
        time.sleep(1.0)
        if stopped is None or counter(page) != stopped:
            missed.append((k, f"counter {stopped} -> {counter(page)}"))
    assert not missed, f"{len(missed)} of {PAUSES} Pause clicks did not land: {missed}"
    assert page.locator(EXCEPTIONS).count() == 0
    assert not [m for m in seen if DELTA_PATH in m], seen
    page.close()

"""One screen (issue #13): while a run plays, the counter, the network view, the boundary and the loss chart are
all inside the viewport, at 1440 x 900 and at 1280 x 720, without scrolling, and no transport label is cut; on
synthetic data and with a CSV file loaded."""

from __future__ import annotations

import pytest

from tests.test_browser_classroom import CUT_LABELS_JS
from tests.test_reliability import good_csv

SIZES = [{"width": 1440, "height": 900}, {"width": 1280, "height": 720}]
# The counter's line, the network view and the first two live charts (the boundary, then the loss curve).
BOXES_JS = """() => {
  const box = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
                        return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, width: b.width}; };
  const charts = [...document.querySelectorAll("iframe[title$='live_chart']")].slice(0, 2);
  return {counter: box(document.getElementById('epoch-counter').closest('p')),
          network: box(document.querySelector("iframe[title$='network_view']")),
          boundary: box(charts[0]), loss: box(charts[1])};
}"""
EPOCH_JS = "() => Number(document.getElementById('epoch-counter').dataset.epoch)"


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_playing_page_fits_one_screen(app_server, chromium, size):
    ctx = chromium.new_context(viewport=size)
    page = ctx.new_page()
    page.goto(app_server.url + "?epochs=3000&patience=0")
    _play_and_check(page, size)
    ctx.close()


@pytest.mark.browser
def test_the_playing_page_fits_one_screen_with_a_csv_file_loaded(app_server, chromium, tmp_path):
    size = SIZES[1]  # the smaller screen: the folded CSV panel above the charts must still leave them room
    good = tmp_path / "good.csv"
    good.write_bytes(good_csv())
    ctx = chromium.new_context(viewport=size)
    page = ctx.new_page()
    page.goto(app_server.url + "?dataset=csv&epochs=3000&patience=0")
    page.locator(".st-key-csv_file input[type=file]").set_input_files(str(good))
    page.get_by_text("CSV data: good.csv").wait_for(timeout=60_000)
    _play_and_check(page, size)
    ctx.close()


def _play_and_check(page, size: dict) -> None:
    """Wait for the charts, press Play, and check every box is inside the viewport and no label is cut."""
    page.wait_for_selector("iframe[title$='network_view']", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll(\"iframe[title$='live_chart']\").length >= 2",
                           timeout=90_000)
    page.locator(".st-key-play button").filter(visible=True).click()
    page.wait_for_function(f"() => ({EPOCH_JS})() >= 3", timeout=60_000)
    boxes = page.evaluate(BOXES_JS)
    assert page.evaluate("window.scrollY") == 0
    for name, b in boxes.items():
        assert b is not None and b["width"] > 0, (name, boxes)
        inside = b["left"] >= 0 and b["top"] >= 0 and b["right"] <= size["width"] and b["bottom"] <= size["height"]
        assert inside, (name, size, boxes)
    assert boxes["network"]["right"] <= boxes["boundary"]["left"], boxes  # read left to right: network, output
    assert page.evaluate(CUT_LABELS_JS) == [], "transport labels cut off (ellipsis)"

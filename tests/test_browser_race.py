"""Race mode in Debian's chromium: the optimizers race: four live boundaries, a 4-row leaderboard, one screen."""

from __future__ import annotations

import time

import pytest

CHARTS = "iframe[title$='live_chart']"
LANE_STATS_JS = """() => [...document.querySelectorAll("iframe[title$='live_chart']")].map((f) => {
  try {
    const w = f.contentWindow, plot = w.document.getElementById('plot');
    const full = (plot && plot._fullData) || [];
    return {drawn: full.some(t => t.type === 'heatmap') && !!plot.querySelector('.hm image'),
            frames: w.pgStats ? w.pgStats.frames_drawn : 0};
  } catch (e) { return null; }
})"""
ROWS_JS = "() => [...document.querySelectorAll('[data-testid=\"stTable\"] tbody tr')].map(r => r.innerText)"


@pytest.mark.browser
def test_optimizer_race_shows_four_boundaries_and_a_leaderboard(app_server, browser_context):
    page = browser_context.new_page()
    page.goto(app_server.url + "?mode=race")
    page.wait_for_selector(CHARTS, timeout=60_000)
    page.locator(".st-key-compare").click()  # the ready-made races, by their whole titles
    page.get_by_role("option", name="SGD vs momentum vs RMSprop vs Adam").click()
    page.wait_for_function(f"() => ({ROWS_JS})().length === 4", timeout=30_000)
    page.locator(".st-key-play button").filter(visible=True).click()
    page.wait_for_function("() => Number(document.getElementById('epoch-counter').dataset.epoch) >= 3",
                           timeout=30_000)
    time.sleep(3)
    lanes = page.evaluate(LANE_STATS_JS)[:-1]  # the last chart is the shared loss plot
    assert len(lanes) == 4, lanes
    assert all(lane and lane["drawn"] and lane["frames"] > 1 for lane in lanes), lanes
    rows = page.evaluate(ROWS_JS)
    assert len(rows) == 4
    for name in ("SGD lr=0.1", "SGD + momentum lr=0.03", "RMSprop lr=0.01", "Adam lr=0.01"):
        assert any(row.startswith(name) for row in rows), (name, rows)
    assert int(page.locator("#epoch-counter").get_attribute("data-epoch")) > 3
    page.close()


VIEWPORT = {"width": 1440, "height": 900}
BOXES_JS = """() => [...document.querySelectorAll("iframe[title$='live_chart']")].map(f => {
  const b = f.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })"""


@pytest.mark.browser
def test_a_ready_made_race_fits_one_screen_with_what_to_look_for_on_the_page(app_server, chromium):
    """At 1440 x 900, playing: the 4 boundaries and the loss chart in view, the lesson's claim in words."""
    from playground.lessons import COMPARISONS

    ctx = chromium.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(app_server.url + "?mode=race&lesson=optimizers")
    page.wait_for_function(f"() => ({BOXES_JS})().length === 5", timeout=90_000)
    page.locator(".st-key-play button").filter(visible=True).click()
    page.wait_for_function("() => Number(document.getElementById('epoch-counter').dataset.epoch) >= 3",
                           timeout=60_000)
    assert page.evaluate("window.scrollY") == 0
    boxes = page.evaluate(BOXES_JS)
    assert len(boxes) == 5, boxes  # 4 lanes and the shared loss chart
    for left, top, right, bottom in boxes:
        assert left >= 0 and right <= VIEWPORT["width"] and top >= 0 and bottom <= VIEWPORT["height"], boxes
    assert len({round(b[1]) for b in boxes[:4]}) == 1, boxes  # the lanes in one row
    look_for = COMPARISONS["optimizers"].look_for
    seen = page.get_by_text(look_for[:60], exact=False).filter(visible=True)
    assert seen.count() == 1 and seen.bounding_box()["y"] + seen.bounding_box()["height"] <= VIEWPORT["height"]
    # the lane editor is folded: the charts, not the table, hold the first screen
    assert page.locator("[data-testid='stDataFrame']").filter(visible=True).count() == 0
    ctx.close()

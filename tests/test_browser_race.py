"""Race mode in Debian's chromium: the optimizers race shows four live boundaries and a 4-row leaderboard."""

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
    page.locator(".st-key-compare_optimizers button").filter(visible=True).click()
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

"""Surfaces in Debian's chromium: click the contour for a start, play, see every path grow and the table fill."""

from __future__ import annotations

import pytest

CONTOUR = "iframe[title$='live_chart']"  # the first live chart on the surfaces page is the contour
PATHS_JS = """() => {
  const f = document.querySelector("iframe[title$='live_chart']");
  const plot = f && f.contentWindow.document.getElementById('plot');
  if (!plot || !plot.data) return null;
  return plot.data.filter(t => t.type === 'scatter' && t.mode === 'lines+markers')
                  .map(t => ({n: t.x.length, x0: t.x[0], y0: t.y[0]}));
}"""
ROWS_JS = """() => [...document.querySelectorAll('.st-key-surface_table [data-testid="stTable"] tbody tr')]
  .map(r => [...r.querySelectorAll('th, td')].map(c => c.innerText.trim()))"""
STEP_JS = "() => Number(document.getElementById('epoch-counter').dataset.epoch)"


@pytest.mark.browser
def test_click_a_start_play_and_every_path_grows_and_the_table_fills(app_server, browser_context):
    page = browser_context.new_page()
    page.goto(app_server.url + "?mode=surfaces&steps=200")
    page.wait_for_selector(CONTOUR, state="attached", timeout=90_000)
    page.wait_for_function(f"() => {{ const p = ({PATHS_JS})(); return p && p.length === 4; }}", timeout=90_000)
    assert page.locator(".st-key-s_x0 input").input_value() == "-2.5000"

    drag = page.frame_locator(CONTOUR).first.locator(".nsewdrag").first
    box = drag.bounding_box()  # the plot area spans the domain [-3, 3] x [-3, 3]
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.25 * box["height"])
    page.wait_for_function("() => document.querySelector('.st-key-s_x0 input').value !== '-2.5000'", timeout=60_000)
    x0 = float(page.locator(".st-key-s_x0 input").input_value())
    y0 = float(page.locator(".st-key-s_y0 input").input_value())
    assert x0 == pytest.approx(-1.5, abs=0.1) and y0 == pytest.approx(1.5, abs=0.1)
    page.wait_for_function(f"() => ({PATHS_JS})()[0].x0 !== -2.5", timeout=60_000)  # the new run's figure
    assert {(p["x0"], p["y0"]) for p in page.evaluate(PATHS_JS)} == {(x0, y0)}

    page.locator(".st-key-play button").filter(visible=True).click()
    page.wait_for_function(f"() => ({STEP_JS})() >= 20 && ({PATHS_JS})().every(p => p.n > 5)", timeout=60_000)
    before = [p["n"] for p in page.evaluate(PATHS_JS)]
    page.wait_for_function(f"() => ({STEP_JS})() >= 200", timeout=120_000)
    page.wait_for_function(f"() => ({PATHS_JS})().every(p => p.n >= 150)", timeout=60_000)
    after = [p["n"] for p in page.evaluate(PATHS_JS)]
    assert all(5 < b < a for b, a in zip(before, after, strict=True)), (before, after)

    # the table is redrawn by the rerun that ends the run: wait until every row shows its 200 steps
    done = "r.length === 4 && r.every(x => x[1] === '200')"
    page.wait_for_function(f"() => {{ const r = ({ROWS_JS})(); return {done}; }}", timeout=30_000)
    rows = page.evaluate(ROWS_JS)
    assert [r[0] for r in rows] == ["SGD lr=0.019", "SGD + momentum lr=0.019 momentum=0.9", "RMSprop lr=0.03",
                                    "Adam lr=0.1"]
    assert all(r[1] == "200" for r in rows), rows  # every path took its 200 steps
    reached = [r[2] for r in rows]
    assert reached[0] == "–" and all(v.isdigit() for v in reached[2:]), rows  # RMSprop and Adam reached ε
    assert all(r[-1] == "in the domain" for r in rows), rows
    page.close()

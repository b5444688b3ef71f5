"""A sweep in Debian's chromium: Start, the heatmap fills as Ray Tune's trials finish, progress reaches 100 %,
and clicking a cell opens that cell's exact config in the single-run view. Counts, never timings."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import ROOT, start_streamlit

HEATMAP = "iframe[title$='live_chart']"
QUERY = "?mode=sweep&x=lr&x_values=0.01,0.1&y=batch_size&y_values=0,16&trial_epochs=5&n_points=40"
FILLED_JS = """() => {
  const f = document.querySelector("iframe[title$='live_chart']");
  const plot = f && f.contentWindow.document.getElementById('plot');
  if (!plot || !plot.data || !plot.data[0] || plot.data[0].type !== 'heatmap') return null;
  return plot.data[0].z.flat().filter(v => v !== null && v !== undefined && !Number.isNaN(v)).length;
}"""
PROGRESS_JS = """() => { const p = document.getElementById('sweep-progress');
  return p ? {done: Number(p.dataset.done), total: Number(p.dataset.total), ended: p.dataset.ended === '1'} : null; }"""
# Page coordinates of a cell's centre: the iframe's offset plus plotly's own axis mapping inside it.
CELL_JS = """([ix, iy]) => {
  const f = document.querySelector("iframe[title$='live_chart']");
  const plot = f.contentWindow.document.getElementById('plot'), full = plot._fullLayout;
  const box = f.getBoundingClientRect();
  return {x: box.left + full.xaxis._offset + full.xaxis.l2p(ix), y: box.top + full.yaxis._offset + full.yaxis.l2p(iy)};
}"""


@pytest.fixture(scope="module")
def sweep_server():
    """The app with two cores lent to sweeps; stopping it by PID ends its Ray instance too."""
    yield from start_streamlit(ROOT / "app.py", PLAYGROUND_SWEEP_CPUS="2")


def start_sweep(context, url: str):
    """A new page on the sweep URL, its Start clicked once it shows."""
    page = context.new_page()
    page.goto(url)
    start = page.locator(".st-key-sweep_start button").filter(visible=True)
    start.wait_for(timeout=90_000)
    start.click()
    return page


@pytest.mark.browser
def test_a_sweep_fills_its_heatmap_and_a_click_opens_the_cell(sweep_server, browser_context):
    page = start_sweep(browser_context, sweep_server.url + QUERY)
    page.wait_for_selector(HEATMAP, state="attached", timeout=60_000)
    samples = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        samples.append((page.evaluate(FILLED_JS), page.evaluate(PROGRESS_JS)))
        progress = samples[-1][1]
        if progress and progress["ended"] and samples[-1][0] == 4:
            break
        time.sleep(0.3)
    filled = [f for f, _ in samples if f is not None]
    done = [p["done"] for _, p in samples if p]
    assert samples[-1][1] == {"done": 4, "total": 4, "ended": True}, samples[-5:]
    assert filled and filled[-1] == 4 and min(filled) < 4, filled  # it filled in while we watched
    assert done == sorted(done) and filled == sorted(filled), (done, filled)
    assert "4 / 4 trials" in page.locator("[data-testid='stProgress']").inner_text()

    target = page.evaluate(CELL_JS, [1, 0])  # lr 0.1 (second column), full batch (first row)
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function("() => !location.search.includes('mode=sweep')", timeout=60_000)
    page.wait_for_selector("#epoch-counter", state="attached", timeout=60_000)
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert (query["lr"], query["batch_size"], query["epochs"], query["n_points"]) == ("0.1", "0", "5", "40")
    assert "x" not in query  # the sweep's own settings stay behind
    counter = page.locator("p.pg-counter").first.inner_text()
    assert "Epoch 0 / 5" in counter, counter  # the single-run view of that cell's 5-epoch run
    page.close()


RANDOM_QUERY = ("?mode=sweep&search=random&samples=3&x=lr&x_values=0.01:0.1:log&y=batch_size&y_values=0,16"
                "&trial_epochs=5&n_points=40")
# The scatter's traces: running/queued rings, no-number crosses, finished (coloured) points; where sample k lies.
POINTS_JS = """() => {
  const f = document.querySelector("iframe[title$='live_chart']");
  const plot = f && f.contentWindow.document.getElementById('plot');
  if (!plot || !plot.data || plot.data.length !== 3 || plot.data[2].type !== 'scatter') return null;
  return plot.data.map(t => (t.x || []).length);
}"""
POINT_JS = """() => {
  const f = document.querySelector("iframe[title$='live_chart']");
  const plot = f.contentWindow.document.getElementById('plot'), full = plot._fullLayout, t = plot.data[2];
  const box = f.getBoundingClientRect();
  return {x: box.left + full.xaxis._offset + full.xaxis.l2p(t.x[0]),
          y: box.top + full.yaxis._offset + full.yaxis.l2p(t.y[0]), lr: Math.pow(10, t.x[0])};
}"""


@pytest.mark.browser
def test_a_random_search_places_its_samples_and_a_click_opens_one(sweep_server, browser_context):
    page = start_sweep(browser_context, sweep_server.url + RANDOM_QUERY)
    page.wait_for_function(f"() => {{ const p = ({PROGRESS_JS})(); return p && p.ended; }}", timeout=300_000)
    page.wait_for_function(f"() => {{ const n = ({POINTS_JS})(); return n && n[0] === 0 && n[1] + n[2] === 3; }}",
                           timeout=60_000)
    counts = page.evaluate(POINTS_JS)
    assert counts[2] >= 1, counts  # at least one sample gave a number to colour
    target = page.evaluate(POINT_JS)
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function("() => !location.search.includes('mode=sweep')", timeout=60_000)
    query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert float(query["lr"]) == pytest.approx(target["lr"], rel=1e-3) and 0.01 <= float(query["lr"]) <= 0.1
    assert query["epochs"] == "5" and query.get("batch_size", "32") in ("0", "16")
    page.close()

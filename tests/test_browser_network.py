"""The network view in Debian's chromium: its frontend driven by render messages, then inside the app.

Count-based checks only (frames drawn, epochs, canvases); no timing is asserted.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pytest
from test_browser import BOUNDARY_DRAWN_JS, CHARTS, play_button, wait_label

from playground.config import RunConfig
from playground.engine.data import load_dataset
from playground.engine.train import Trainer
from playground.figures import network as N
from playground.figures.codec import decode_grid
from playground.figures.grid import Boundary
from playground.figures.palette import diverging_color, hex_rgb
from playground.ui import network_view

FRONTEND = Path(network_view.__file__).parent / "frontend" / "index.html"
NET = "iframe[title$='network_view']"
COLD_MS = 180_000  # this file may be the first to visit the server: a cold start on a busy machine
CFG = RunConfig(n_points=120, hidden=(16, 4), activation="tanh", epochs=100)
COUNTS_JS = """() => {
  const out = {};
  document.querySelectorAll('canvas.pg-unit')
    .forEach(c => { (out[c.dataset.col] ||= []).push(Number(c.dataset.unit)); });
  return out;
}"""
LINKS_JS = "() => [...document.querySelectorAll('line.pg-link')].map(l => [Number(l.getAttribute('stroke-width')),"
LINKS_JS += " l.getAttribute('stroke'), Number(l.dataset.w)])"
PIXELS_JS = """([col, k]) => {
  const c = document.querySelectorAll(`canvas.pg-unit[data-col="${col}"]`)[k];
  return [c.width, c.height, Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)];
}"""


@pytest.fixture(scope="module")
def frames() -> tuple[dict, dict]:
    trainer = Trainer(CFG)
    boundary = Boundary(trainer.data)
    trainer.run(3)
    first = N.network_frame(trainer, boundary)
    trainer.run(30)
    return first, N.network_frame(trainer, boundary)


def _render(page, frame, revision="r1") -> None:
    args = {"frame": frame, "revision": revision, "height": 350, "node": 28, "gap": 6}
    page.evaluate("a => window.postMessage({type: 'streamlit:render', args: a}, '*')", args)


def _ids(frame: dict) -> dict[str, list[int]]:
    return {str(c): [u["i"] for u in col["units"]] for c, col in enumerate(frame["columns"])}


@pytest.mark.browser
def test_the_frontend_draws_one_canvas_per_unit_and_each_link_as_sent(browser_context, frames):
    first, second = frames
    page = browser_context.new_page()
    page.goto(FRONTEND.as_uri())
    _render(page, first)
    page.wait_for_function("window.pgNet.frames_drawn === 1")
    assert page.evaluate(COUNTS_JS) == _ids(first)  # one canvas per shown unit, in order
    assert [len(v) for v in _ids(first).values()] == [2, 8, 4, 1]
    assert "layer 1 (8/16)" in page.inner_text("#stage")  # the summary says what it leaves out
    assert "8 of 16 units shown" in page.inner_text("#notes")
    sent = [link[2:] for pair in first["links"] for link in pair]
    drawn = page.evaluate(LINKS_JS)
    assert len(drawn) == len(sent) == 2 * 8 + 8 * 4 + 4 * 1
    for (width, color, w), (w_sent, width_sent, color_sent) in zip(drawn, sent, strict=True):
        assert (width, color) == (width_sent, color_sent) and w == pytest.approx(w_sent)

    # Each canvas pixel is its cell's value through the palette; grid row 0 (lowest y) is the bottom row.
    for col, k in ((1, 0), (2, 3), (3, 0)):
        unit = first["columns"][col]["units"][k]
        span = unit["span"]
        w, h, px = page.evaluate(PIXELS_JS, [col, k])
        values = decode_grid(unit["map"])
        assert (h, w) == values.shape
        rgb = np.array(px, dtype=int).reshape(h, w, 4)[::-1, :, :3]
        want = np.array([[hex_rgb(diverging_color(v / span)) for v in row] for row in values])
        assert np.abs(rgb - want).max() <= 4, (col, k)

    # Hover a unit: the large map shows it; hover a link: its weight is written out.
    target = page.locator('canvas.pg-unit[data-col="1"]').nth(2)
    target.hover()
    page.wait_for_function("window.pgNet.hovered !== null")
    label = first["columns"][1]["units"][2]["label"]
    assert page.evaluate("window.pgNet.hovered") == label and label in page.inner_text("#caption")
    same = page.evaluate("() => document.getElementById('big').toDataURL() === "
                         "document.querySelectorAll('canvas.pg-unit[data-col=\"1\"]')[2].toDataURL()")
    assert same
    box = page.locator("line.pg-hit").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_function("document.getElementById('weight').textContent.startsWith('weight')")
    shown = page.inner_text("#weight")
    under = page.evaluate("([x, y]) => document.elementFromPoint(x, y).textContent", [x, y])
    value = float(re.findall(r"-?[\d.]+(?:e[-+]?\d+)?$", shown)[0])
    assert shown == under and any(value == pytest.approx(link[2], rel=6e-3) for pair in first["links"] for link in pair)

    # A newer frame updates in place; a malformed one is reported, not thrown.
    _render(page, second)
    page.wait_for_function("window.pgNet.frames_drawn === 2")
    assert page.evaluate("window.pgNet.last_epoch") == second["epoch"] > first["epoch"]
    assert page.evaluate("window.pgNet.rebuilds") == (1 if _ids(first) == _ids(second) else 2)
    assert page.evaluate(COUNTS_JS) == _ids(second)
    assert page.evaluate(LINKS_JS)[0][1] == second["links"][0][0][4]
    bad = {**second, "columns": [{**second["columns"][0], "units": [{"i": 0, "label": "x", "map": {
        "b64": base64.b64encode(b"\0\0").decode(), "shape": [5, 5], "lo": -1, "hi": 1}}]}]}
    _render(page, bad)
    page.wait_for_function("document.getElementById('msg').textContent.includes('Network view error')")
    page.close()


HEADS_OUT_JS = """() => { const s = document.getElementById('stage').getBoundingClientRect();
  return [...document.querySelectorAll('.pg-head')].map(h => [h.textContent, h.getBoundingClientRect()])
    .filter(([, b]) => b.left < s.left - 0.5 || b.right > s.right + 0.5).map(([t]) => t); }"""


@pytest.mark.browser
def test_every_column_name_is_inside_the_view_even_the_first_columns_features(browser_context):
    trainer = Trainer(CFG.replace(features=("x1", "x2", "x1sq", "x2sq", "sin_x1", "sin_x2")))
    frame = N.network_frame(trainer, Boundary(trainer.data))
    page = browser_context.new_page()
    page.set_viewport_size({"width": 430, "height": 600})  # the view's width at 1280 px, its large map included
    page.goto(FRONTEND.as_uri())
    _render(page, frame)
    page.wait_for_function("window.pgNet.frames_drawn === 1")
    assert "features" in page.inner_text("#stage")
    assert page.evaluate(HEADS_OUT_JS) == []  # centred over the first column, "features" read "eatures"
    page.close()


@pytest.mark.browser
def test_the_single_run_page_shows_the_network_and_it_updates_while_playing(app_server, browser_context):
    page = browser_context.new_page()
    page.goto(app_server.url + "?patience=0&epochs=10000")  # never ends mid-test
    page.wait_for_selector(CHARTS, timeout=COLD_MS)
    page.wait_for_function(BOUNDARY_DRAWN_JS, timeout=COLD_MS)
    net = page.wait_for_selector(NET, timeout=COLD_MS)
    frame = net.content_frame()
    frame.wait_for_function("window.pgNet && window.pgNet.frames_drawn >= 1", timeout=COLD_MS)
    cfg = RunConfig()
    data = load_dataset(cfg)
    want = [min(n, N.MAX_SHOWN) for n in (data.n_features, *cfg.hidden, data.n_outputs)]
    assert [len(v) for v in frame.evaluate(COUNTS_JS).values()] == want
    # Read left to right, as the TF Playground: the network, then the boundary beside it.
    boundary = page.locator("iframe[title$='live_chart']").first.bounding_box()
    box = net.bounding_box()
    assert box["x"] + box["width"] <= boundary["x"] and abs(box["y"] - boundary["y"]) < 5

    loaded = frame.evaluate("window.pgNet.loaded_at")
    play_button(page).click()
    wait_label(page, "Pause")
    frame.wait_for_function("window.pgNet.last_epoch > 0", timeout=60_000)
    drawn, epoch = frame.evaluate("[window.pgNet.frames_drawn, window.pgNet.last_epoch]")
    frame.wait_for_function(f"window.pgNet.frames_drawn >= {drawn + 3} && window.pgNet.last_epoch > {epoch}",
                            timeout=60_000)
    assert sum(len(v) for v in frame.evaluate(COUNTS_JS).values()) == sum(want)  # still one canvas per unit
    assert frame.evaluate("window.pgNet.loaded_at") == loaded  # updated in place, never remounted
    play_button(page).click()
    wait_label(page, "Play")
    page.close()


def _network_text(page, text: str) -> None:
    """Wait for the status line to describe the network as `text` (e.g. 2-16-16-1): the page's run has it."""
    page.get_by_text(re.compile(rf"network {re.escape(text)} \(")).first.wait_for(timeout=COLD_MS)


def _click_edit(page, selector: str) -> None:
    """Click a +/- button inside the network view (a fresh handle: each edit rebuilds the page's iframe content)."""
    page.frame_locator(NET).locator(selector).click()


def test_plus_and_minus_in_the_network_view_edit_the_hidden_layers(app_server, browser_context):
    # Issue #13: the network view has +/- for layers and units, as the TF Playground's does.
    page = browser_context.new_page()
    page.goto(app_server.url + "?patience=0&epochs=10000")
    page.wait_for_function(BOUNDARY_DRAWN_JS, timeout=COLD_MS)
    _network_text(page, "2-16-16-1")
    _click_edit(page, "#layers button:has-text('+')")  # a third hidden layer, as wide as the last
    _network_text(page, "2-16-16-16-1")
    assert page.locator(".st-key-w_n_layers input[type=range]").input_value() == "3"
    _click_edit(page, ".pg-units >> nth=0 >> button:has-text('−')")  # one unit fewer in layer 1
    _network_text(page, "2-15-16-16-1")
    assert page.locator(".st-key-w_layer_0 input").input_value() == "15"  # the sidebar's control agrees
    _click_edit(page, ".pg-units >> nth=2 >> button:has-text('+')")
    _network_text(page, "2-15-16-17-1")
    _click_edit(page, "#layers button:has-text('−')")
    _network_text(page, "2-15-16-1")
    frame = page.wait_for_selector(NET).content_frame()
    frame.wait_for_function("document.querySelectorAll('.pg-units').length === 2", timeout=60_000)
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()

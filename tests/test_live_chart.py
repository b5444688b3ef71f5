"""Tests for playground.ui.live_chart: encoding helpers, AppTest safety, and a real-browser playback check."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import start_streamlit

from playground.ui import live_chart as lc

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tests" / "live_chart_demo.py"
# Visible when the plot is drawn: plotly's svg layer plus the heatmap's bitmap.
PLOT_DRAWN_JS = "!!document.querySelector('#plot .main-svg') && !!document.querySelector('#plot .hm image')"
SAMPLE_JS = f"({{...window.pgStats, t: performance.now(), drawn: {PLOT_DRAWN_JS}}})"


# ---- pure Python -------------------------------------------------------------

def test_a_figure_counts_as_sent_only_once_its_element_is_out(monkeypatch):
    """Regression: a run interrupted inside the chart call (a click's rerun) had already marked the figure
    sent, so no later tick sent it and the chart kept an old figure. The figure id tells the browser."""
    from types import SimpleNamespace

    from playground.ui import live

    class Interrupted(Exception):
        pass

    def interrupted(*args, **kwargs):
        raise Interrupted

    sent: list[tuple[bool, str]] = []
    run = SimpleNamespace(revision=3, sent={}, answered={}, figure_sends={})
    monkeypatch.setattr(live, "live_chart", interrupted)
    with pytest.raises(Interrupted):
        live.chart(run, "k", lambda: {"data": []}, height=100)
    assert run.sent == {} and run.figure_sends == {}
    monkeypatch.setattr(live, "live_chart", lambda figure, frames, **kw: sent.append((figure is not None,
                                                                                          kw["figure_id"])))
    for _ in range(2):
        live.chart(run, "k", lambda: {"data": []}, height=100)
    assert sent == [(True, "3.1"), (False, "3.1")]  # sent once, then named in every tick


def test_encode_grid_round_trips_within_one_step():
    z = np.random.default_rng(0).uniform(-2, 3, size=(7, 11))
    enc = lc.encode_grid(z, -2, 3)
    assert enc["shape"] == [7, 11] and enc["lo"] == -2.0 and enc["hi"] == 3.0
    assert len(base64.b64decode(enc["b64"])) == 77
    assert np.abs(lc.decode_grid(enc) - z).max() <= 0.5 * 5 / 255 + 1e-9


def test_encode_grid_clips_nan_and_flat_range():
    enc = lc.encode_grid(np.array([[-10.0, np.nan], [0.5, 10.0]]), 0, 1)
    assert list(base64.b64decode(enc["b64"])) == [0, 0, 128, 255]
    flat = lc.encode_grid(np.ones((2, 3)), 1, 1)  # hi == lo must not divide by zero
    assert flat["shape"] == [2, 3]


def test_encode_grid_rejects_non_2d():
    with pytest.raises(ValueError, match="2-D"):
        lc.encode_grid(np.zeros(5), 0, 1)


def test_batch_id_is_a_stable_content_hash():
    frames = [{"epoch": 1, "title": None, "patches": [{"trace": 0, "x": [1], "y": [2]}]}]
    assert lc.batch_id(frames, 0) == lc.batch_id([dict(f) for f in frames], 0)
    assert lc.batch_id(frames, 0) != lc.batch_id(frames, 1)
    assert lc.batch_id(frames, 0) != lc.batch_id([{**frames[0], "epoch": 2}], 0)
    assert lc.batch_id([], 0) is None and lc.batch_id(None, 0) is None


def _bundle_head(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[:300]


def test_frontend_ships_plotlys_cartesian_bundle_at_plotly_pys_version():
    """The vendored bundle is a real file (streamlit serves no symlinks) of the plotly.js that plotly.py builds for."""
    import plotly

    js = lc._PATH / lc.PLOTLY_JS
    assert js.is_file() and not js.is_symlink()
    assert (lc._PATH / "PLOTLY-LICENSE").is_file() and (lc._PATH / "live_chart.js").is_file()
    html = (lc._PATH / "index.html").read_text()
    assert f'src="{lc.PLOTLY_JS}"' in html and "plotly.min.js" not in html
    version = re.compile(r"plotly\.js(?: \([a-z -]+\))? v(\d+\.\d+\.\d+)")
    ours = version.search(_bundle_head(js)).group(1)
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert ours == version.search(_bundle_head(full)).group(1)  # a plotly upgrade must bring a new bundle


def _sent_figures(monkeypatch, query: dict[str, str], internals: bool = False) -> list[dict]:
    """Every figure the page hands to live_chart on one visitor's first runs (AppTest, the component stubbed)."""
    from apptest import launch

    sent: list[dict] = []

    def recorder(name, path):
        return lambda **kwargs: sent.append(kwargs["figure"]) if kwargs.get("figure") else None

    monkeypatch.setattr(lc, "declared", recorder)
    at = launch(query, check=True)
    if internals:  # the optimizer-internals chart, as its toggle's click would show it
        at.session_state["internals"] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return sent


def test_the_bundle_registers_every_trace_type_the_live_charts_send(monkeypatch):
    bundle = (lc._PATH / lc.PLOTLY_JS).read_text(encoding="utf-8")
    registered = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))
    assert {"scatter", "heatmap", "contour", "image"} <= registered
    used: set[str] = set()
    for query, internals in [({}, True), ({"mode": "race"}, False), ({"mode": "surfaces"}, False),
                             ({"dataset": "blobs"}, False), ({"dataset": "sine"}, False)]:
        for fig in _sent_figures(monkeypatch, query, internals):
            used |= {t.get("type", "scatter") for t in fig.get("data", [])}  # plotly's default type is scatter
    from playground.catalog import SWEEP_METRICS
    from playground.figures.sweep import heatmap_spec

    spec = heatmap_spec(np.zeros((2, 2)), [["a", "b"], ["c", "d"]], x_ticks=["1", "2"], y_ticks=["1", "2"],
                        x_name="lr", y_name="batch_size", heading="t", metric=SWEEP_METRICS["val_loss"],
                        zrange=(0.0, 1.0), height=300)
    used |= {t.get("type", "scatter") for t in spec["data"]}
    assert {"scatter", "heatmap", "contour", "image"} <= used  # the walk above reached each kind of live chart
    assert used <= registered, f"not in {lc.PLOTLY_JS}: {sorted(used - registered)}"


def _apptest_script():
    import numpy as np
    import streamlit as st

    from playground.ui.live_chart import encode_grid, live_chart

    fig = {"data": [{"type": "heatmap", "z": [[0, 1], [1, 0]]}], "layout": {}}
    frames = [{"epoch": 1, "title": "e1", "patches": [{"trace": 0, "z": encode_grid(np.eye(2), 0, 1)}]}]
    live_chart(fig, frames, key="chart", height=300, revision="r1")
    st.write("after chart")


def test_wrapper_does_not_raise_under_apptest():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_apptest_script).run(timeout=10)
    assert not at.exception
    assert at.markdown[0].value == "after chart"


# ---- real browser --------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_url():
    """The demo app served by a `streamlit run` subprocess, stopped by PID afterwards."""
    for server in start_streamlit(DEMO):
        yield server.url


@pytest.fixture(scope="module")
def browser(chromium):
    """A fresh context in Debian's chromium (the shared conftest fixture)."""
    ctx = chromium.new_context(viewport={"width": 1000, "height": 800})
    try:
        yield ctx
    finally:
        ctx.close()


def _sample(frame, seconds: float, every: float = 0.1) -> list[dict]:
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        samples.append(frame.evaluate(SAMPLE_JS))
        time.sleep(every)
    return samples


@pytest.mark.browser
def test_demo_plays_frames_smoothly(demo_url, browser):
    page = browser.new_page()
    page.goto(demo_url)
    iframe = page.wait_for_selector("iframe[title$='live_chart']", timeout=15_000).content_frame()
    ready = f"window.pgStats && window.pgStats.frames_drawn > 0 && {PLOT_DRAWN_JS}"
    iframe.wait_for_function(ready, timeout=15_000)

    samples = _sample(iframe, 3.0)
    first, last = samples[0], samples[-1]
    rate = (last["frames_drawn"] - first["frames_drawn"]) / ((last["t"] - first["t"]) / 1000)
    renders = last["renders"] - first["renders"]
    print(f"frames_drawn/s={rate:.1f} samples={len(samples)} renders={renders} dropped={last['dropped']}"
          f" interval={last['interval']}ms delay={last['delay']}ms queue={last['queue']}")
    assert len(samples) >= 20
    assert all(s["drawn"] for s in samples), "plot div was empty in a sampled frame"
    # Playback keeps going between reruns; its speed is measured by benchmarks, not asserted here.
    assert rate > 0 and renders >= 1, f"{rate:.1f} frames/s drawn over {renders} renders"
    # Drawn by the painter's worker, off the page's main thread (which Streamlit's renders keep busy).
    assert last["off_thread"] - first["off_thread"] == last["frames_drawn"] - first["frames_drawn"] > 0
    # The iframe persisted across fragment reruns: one page load, one full react.
    assert last["loaded_at"] == first["loaded_at"] and last["reacts"] == 1
    # Read together: playback keeps going between two evaluate calls.
    epochs = iframe.evaluate("[document.body.dataset.lastEpoch, window.pgStats.last_epoch]")
    assert int(epochs[0]) == epochs[1] > first["last_epoch"]
    page.screenshot(path="/tmp/live_chart_demo.png")
    page.close()


def _render(page, **args) -> None:
    page.evaluate("a => window.postMessage({type: 'streamlit:render', args: a}, '*')", args)


@pytest.mark.browser
def test_frontend_dedupes_batches_and_survives_bad_patches(browser):
    """Drive index.html directly with render messages, as Streamlit would."""
    page = browser.new_page()
    page.goto((lc._PATH / "index.html").as_uri())
    fig = {"data": [{"type": "heatmap", "z": [[0, 0], [0, 0]]}], "layout": {}}
    frames = [{"epoch": e, "title": f"e{e}",
               "patches": [{"trace": 0, "z": lc.encode_grid(np.eye(2) * e, 0, 3)}]} for e in (1, 2, 3)]
    args = {"figure": fig, "frames": frames, "batch_id": "b1", "revision": "r", "height": 300, "frame_ms": 20}
    _render(page, **args)
    page.wait_for_function("window.pgStats.frames_drawn === 3")
    _render(page, **args)  # a rerun re-sends the same batch: must not replay it
    page.wait_for_timeout(200)
    stats = page.evaluate("window.pgStats")
    assert stats["frames_drawn"] == 3 and stats["last_epoch"] == 3 and stats["reacts"] == 1
    assert stats["off_thread"] == 0  # a file:// page may start no worker: the page played them itself
    # The figure had no title; the frames' titles must still show (the fast path needs a title element).
    assert page.evaluate("document.querySelector('.gtitle').textContent") == "e3"
    # Fast frames repaint the heatmap image; plotly's own data catches up once playback is quiet.
    page.wait_for_function("Math.abs(document.getElementById('plot').data[0].z[1][1] - 3) < 0.02", timeout=5000)

    # Same revision, changed figure: react in place, keeping the drawn frame rather than the figure's z.
    args["figure"] = {**fig, "layout": {"xaxis": {"title": {"text": "x"}}}}
    _render(page, **args)
    page.wait_for_function("window.pgStats.reacts === 2")
    assert page.evaluate("document.getElementById('plot').data[0].z[1][1]") == pytest.approx(3)

    bad = [{"epoch": 4, "patches": [{"trace": 0, "z": {"b64": "AAAA", "shape": [5, 5], "lo": 0, "hi": 1}}]}]
    _render(page, **{**args, "frames": bad, "batch_id": "b2"})
    page.wait_for_function("document.getElementById('msg').textContent.includes('malformed')")
    _render(page, **{**args, "revision": "r2", "frames": frames[:1], "batch_id": "b3"})  # new dataset
    page.wait_for_function("window.pgStats.reacts === 3 && window.pgStats.last_epoch === 1")
    page.close()


@pytest.mark.browser
def test_frontend_keeps_its_figure_extends_points_and_asks_when_it_has_none(browser):
    """Ticks send no figure: points are appended once each, markers relaid; a fresh iframe asks for its figure."""
    page = browser.new_page()
    page.goto((lc._PATH / "index.html").as_uri())
    page.evaluate("""() => window.addEventListener('message', e => {
        if (e.data && e.data.type === 'streamlit:setComponentValue') window.asked = e.data.value; })""")
    _render(page, figure=None, frames=[], batch_id=None, revision="r1", height=300)  # a fresh iframe, no figure
    page.wait_for_function("window.asked && window.asked.need === 'r1'")
    assert page.evaluate("window.pgStats.asks") == 1
    fig = {"data": [{"type": "scatter", "x": [1, 2], "y": [0.9, 0.8]},
                    {"type": "scatter", "x": [1, 2], "y": [1.0, 0.95]}], "layout": {}}
    _render(page, figure=fig, frames=[], batch_id=None, revision="r1", height=300)
    page.wait_for_function("window.pgStats.reacts === 1")
    points = {"traces": [0, 1], "x": [[2, 3, 4], [2, 3, 4]], "y": [[0.8, 0.7, 0.6], [0.95, 0.9, 0.85]]}
    marks = {"shapes": [{"type": "line", "x0": 3, "x1": 3, "y0": 0, "y1": 1, "yref": "paper"}]}
    for _ in range(2):  # the same points twice (a rerun): appended once
        _render(page, figure=None, frames=[], batch_id=None, revision="r1", height=300, points=points, layout=marks)
    page.wait_for_function("document.getElementById('plot').data[0].x.length === 4")
    page.wait_for_timeout(200)
    plot = page.evaluate("() => { const p = document.getElementById('plot');"
                         " return {x0: p.data[0].x, y1: p.data[1].y, shapes: p.layout.shapes.length}; }")
    assert plot == {"x0": [1, 2, 3, 4], "y1": [1.0, 0.95, 0.9, 0.85], "shapes": 1}
    assert page.evaluate("window.pgStats.points") == 2 and page.evaluate("window.pgStats.reacts") == 1
    page.close()


@pytest.mark.browser
def test_frontend_asks_again_for_a_figure_lost_on_the_way(browser):
    """Regression: a figure sent by a run that was interrupted never arrived, and the chart kept its old one
    (after Pause the loss curve showed 249 points with the counter at 311). The id names the newest figure."""
    page = browser.new_page()
    page.goto((lc._PATH / "index.html").as_uri())
    fig = {"data": [{"type": "scatter", "x": [1, 2], "y": [0.9, 0.8]}], "layout": {}}
    _render(page, figure=fig, frames=[], batch_id=None, revision="r1", height=300, figure_id="r1.1")
    page.wait_for_function("window.pgStats.reacts === 1")
    _render(page, figure=None, frames=[], batch_id=None, revision="r1", height=300, figure_id="r1.1")
    page.wait_for_timeout(100)
    assert page.evaluate("window.pgStats.asks") == 0  # it holds the newest figure
    for _ in range(3):  # figure r1.2 was lost: ask for it once, not on every tick
        _render(page, figure=None, frames=[], batch_id=None, revision="r1", height=300, figure_id="r1.2")
    page.wait_for_timeout(100)
    assert page.evaluate("window.pgStats.asks") == 1
    _render(page, figure={**fig, "data": [{**fig["data"][0], "x": [1, 2, 3], "y": [0.9, 0.8, 0.7]}]},
            frames=[], batch_id=None, revision="r1", height=300, figure_id="r1.3")
    page.wait_for_function("document.getElementById('plot').data[0].x.length === 3")
    _render(page, figure=None, frames=[], batch_id=None, revision="r1", height=300, figure_id="r1.3")
    page.wait_for_timeout(100)
    assert page.evaluate("window.pgStats.asks") == 1
    page.close()


@pytest.mark.browser
def test_playback_rules_trim_only_a_standing_backlog_and_learn_the_refresh_interval(browser):
    """playback.js's rules, as the painter's worker applies them to every frame it draws."""
    page = browser.new_page()
    page.goto((lc._PATH / "index.html").as_uri())
    runs = page.evaluate("""() => {
      const play = (queues) => {  // one animation frame every 16.7 ms; the queue left after each frame's draw
        const w = { least: Infinity, at: -Infinity }; let skipped = 0;
        queues.forEach((q, i) => { skipped += pgStanding(w, q, 1000 + i * 16.7, 800, 4, 2); });
        return skipped;
      };
      const batches = (low) => Array.from({ length: 240 }, (_, i) => low + 11 - (i % 12));  // a batch every 12 frames
      return { drained: play(batches(0)), held: play(batches(10)), late: play(Array(240).fill(3)) };
    }""")
    assert runs["drained"] == 0  # each tick's batch played out before the next: every frame drawn
    assert runs["late"] == 0  # a small cushion for late ticks is kept
    assert runs["held"] == 2 * 4  # 10 frames stood queued the whole time: trimmed 2 per 800 ms window (4 s)
    refresh = page.evaluate("""() => {
      let v = 1000 / 60; const seen = [];
      for (let i = 0; i < 40; i++) v = pgRefresh(v, i % 3 ? 8.3 : 8.4);
      seen.push(v);
      seen.push(pgRefresh(16.7, 33.4), pgRefresh(16.7, 250), pgRefresh(16.7, 16.6));
      return seen;
    }""")
    assert refresh[0] == pytest.approx(8.3, abs=0.3)  # a 120 Hz display is learnt
    assert refresh[1] == refresh[2] == 16.7  # a missed frame, or a hidden tab's pause, says nothing of the display
    assert refresh[3] == pytest.approx(16.69, abs=0.01)
    gaps = page.evaluate("() => [pgFrameGap(0, 16), pgFrameGap(73, 16), pgFrameGap(16, 73)]")
    assert gaps[0] == 16  # the first batch's rate is taken as it is
    assert gaps[1] == pytest.approx(44.5) and gaps[2] == pytest.approx(24.55)  # faster at once, slower slowly
    page.close()


@pytest.mark.browser
def test_a_pause_ends_the_frame_rate_so_play_starts_without_the_old_one(browser):
    """The gap from a paused chart's frame to the next batch is the pause: learnt, it paced Play's first seconds
    at 14 frames a second while 60 came (and the backlog was dropped)."""
    page = browser.new_page()
    page.goto((lc._PATH / "index.html").as_uri())
    fig = {"data": [{"type": "heatmap", "z": [[0, 0], [0, 0]]}], "layout": {}}

    def batch(n: int, start: int) -> list[dict]:
        return [{"epoch": e, "patches": [{"trace": 0, "z": lc.encode_grid(np.eye(2) * e, 0, 99)}]}
                for e in range(start, start + n)]

    def send(bid: str, frames: list[dict], **extra) -> float:
        _render(page, figure=fig, frames=frames, batch_id=bid, revision="r", height=300, **extra)
        return page.evaluate("window.pgStats.frame_gap")

    assert send("a", batch(4, 1)) in (0, None)  # the first batch: no gap to learn from
    page.wait_for_timeout(200)
    assert send("b", batch(4, 5)) > 0
    assert send("c", batch(1, 9), flush=True) == 0  # paused: the rate ends with the playback
    page.wait_for_timeout(600)
    assert send("d", batch(4, 10)) == 0  # Play: the pause's gap is not learnt
    page.wait_for_timeout(200)
    assert send("e", batch(4, 14)) == pytest.approx(50, abs=30)  # ~200 ms for 4 frames
    page.close()

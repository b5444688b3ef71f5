"""B6, side by side with the TensorFlow Neural Network Playground (TFP) in the same headless chromium.

TFP's unmodified build (../shared/peers/tfp/, or $B6_TFP_DIR) is served by `python -m http.server`
on loopback and the app by `streamlit run app.py`, both started and stopped here. Five pages stay
open, each in its own context: TFP's default setup (`#`), the app's `?lesson=tf-playground` at the
default speed and at speed "max", TFP's spiral [8,8,8] relu noise 10 setup and the app's closest
RunConfig link (APP_SPIRAL). Both app tf-playground pages get epochs=MAX_EPOCHS so no run ends
mid-window. Round after round, each page in turn (rotating which goes first) plays for one window
while the others stay paused; the ratios app/TFP are of the medians over the rounds.

How each figure is read, sampled every 0.1 s, as a rate between the window's first and last samples:
- epochs/s: TFP's `#iter-number`, watched by a MutationObserver (TFP_INIT_JS); the app's
  `#epoch-counter[data-epoch]`.
- boundary redraws/s: TFP's putImageData calls on a canvas inside `#heatmap` (the wrapper in
  TFP_INIT_JS; the small per-neuron canvases are not counted); the app's pgStats.frames_drawn in
  the first live_chart iframe.
- loss-curve points drawn/s: TFP's loss chart (AppendingLineChart) rewrites the `d` of
  `#linechart path.line` with one vertex more per epoch, so the points drawn are that path's vertices
  (its "L" segments + 1); the app's are pgStats.points of the second live_chart iframe, or its
  first trace's x length where the chart does not count them (benchmarks.common.SAMPLE_JS).
A second pass repeats the rounds with one core kept busy by a `while True: pass` process started
and stopped here, and reports epochs/s under that load.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.b4_browser import _set_speed_max
from benchmarks.common import (
    ROOT,
    Row,
    Server,
    browser_available,
    chromium,
    free_port,
    median,
    open_app,
    rate,
    sample,
    sample_for,
    stop_by_pid,
    streamlit_app,
    wait_until_healthy,
)
from playground import links
from playground.config import MAX_EPOCHS

GOAL_QUIET = 1.0
GOAL_BUSY = 0.9
SETTLE_S = 0.5  # after Play, before the window: the first ticks (and the app's rerun) settle
# The app's Play/Pause is a full rerun queued behind live ticks: at load 13 a click was lost, or took over 90 s.
# So a click that has not shown within CLICK_RETRY_S is made again (and counted), up to TRANSPORT_TIMEOUT_S.
CLICK_RETRY_S = 20
TRANSPORT_TIMEOUT_S = 180
PAGE_TIMEOUT_S = 180  # the first page of a cold server imports torch; two chart iframes each compile plotly.js
TFP_DEFAULT = ""  # TFP's own defaults: circle, [4,2] tanh, SGD 0.03, batch 10, 50 % train, noise 0
TFP_SPIRAL = ("activation=relu&batchSize=10&dataset=spiral&learningRate=0.03&networkShape=8,8,8&noise=10"
              "&percTrainData=50")
APP_TF = {"lesson": "tf-playground", "epochs": str(MAX_EPOCHS)}
# TFP divides its noise slider by 100 (playground.ts) and its spiral (dataset.ts) moves each point by
# U(-1, 1)·0.1: a std of 0.058 on a spiral of radius 5, i.e. 1.15 % of the radius. engine/data.py's spiral
# has radius 1 and moves points by N(0, 0.2·noise), so the same relative spread is noise ≈ 0.058/5/0.2 ≈ 0.06
# (not 10/50 = 0.2, which would be 5× noisier). 500 points with half held out, as TFP's 500 and 50 %.
APP_SPIRAL = {"dataset": "spiral", "hidden": "8,8,8", "activation": "relu", "optimizer": "sgd", "lr": "0.03",
              "batch_size": "10", "noise": "0.06", "n_points": "500", "val_frac": "0.5", "epochs": str(MAX_EPOCHS),
              "patience": "0"}  # early stopping off, as TFP: the run trains throughout the window
OFFSITE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")  # TFP's web font: offline here, refuse it at once

TFP_INIT_JS = """(() => {
  const s = window.pgTfp = {epoch: null, redraws: 0, watching: false};
  const put = CanvasRenderingContext2D.prototype.putImageData;
  CanvasRenderingContext2D.prototype.putImageData = function (...args) {
    if (this.canvas.closest('#heatmap')) s.redraws++;
    return put.apply(this, args);
  };
  document.addEventListener('DOMContentLoaded', () => {
    const el = document.getElementById('iter-number');
    const read = () => { s.epoch = Number(el.textContent.replace(/\\D/g, '')); };
    new MutationObserver(read).observe(el, {childList: true, characterData: true, subtree: true});
    read();
    s.watching = true;
  });
})();"""
TFP_SAMPLE_JS = """() => { const s = window.pgTfp, p = document.querySelector('#linechart path.line'),
  d = p && p.getAttribute('d');
  return {t: performance.now() / 1000, epoch: s.epoch, redraws: s.redraws, points: d ? d.split('L').length : 0}; }"""
TFP_READY_JS = "() => !!window.pgTfp && window.pgTfp.watching && !!document.querySelector('#heatmap canvas')"
TFP_PLAYING_JS = "(on) => document.querySelector('#play-pause-button').classList.contains('playing') === on"

METRICS = {"epochs": "epochs/s", "redraws": "boundary redraws/s", "points": "loss-curve points drawn/s"}
APP_READS = {"epochs": lambda s: s["epoch"], "redraws": lambda s: s["boundary"]["frames_drawn"],
             "points": lambda s: s["loss"]["points"]}
TFP_READS = {"epochs": lambda s: s["epoch"], "redraws": lambda s: s["redraws"], "points": lambda s: s["points"]}
# (case, app page, TFP page): the app's page against the TFP page of the same setup.
PAIRS = (("TF default, app at default speed", "app", "tfp"),
         ("TF default, app at speed max", "app_max", "tfp"),
         ("spiral [8,8,8] relu noise 10, app at default speed", "app_spiral", "tfp_spiral"))
CASES = tuple(f"{case}: {text} app/TFP" for case, _, _ in PAIRS for text in METRICS.values()) + tuple(
    f"one core busy, {case}: epochs/s app/TFP" for case, _, _ in PAIRS)


@dataclass
class Side:
    """One open page: how to read it, and how to start and stop its training."""

    page: object
    js: str | None  # None: benchmarks.common.SAMPLE_JS
    reads: dict[str, Callable[[dict], float | None]]
    toggle: Callable[[object, bool], int]  # (page, playing wanted) -> clicks it took


def tfp_dir() -> Path | None:
    """TFP's built files: $B6_TFP_DIR, else shared/peers/tfp beside a folder above the repository."""
    if os.environ.get("B6_TFP_DIR"):
        return Path(os.environ["B6_TFP_DIR"])
    return next((p / "shared/peers/tfp" for p in ROOT.parents if (p / "shared/peers/tfp/index.html").is_file()), None)


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[Server]:
    """`python -m http.server` on loopback serving folder, started here and stopped by its PID."""
    port = free_port()
    launched = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)], cwd=folder,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}/", proc, launched)
    try:
        wait_until_healthy(server, 30, path="index.html")
        yield server
    finally:
        stop_by_pid(proc)


@contextlib.contextmanager
def busy_core() -> Iterator[subprocess.Popen]:
    """One core kept busy by a spinning Python process for the duration."""
    proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield proc
    finally:
        stop_by_pid(proc)


def _tfp_toggle(page, on: bool) -> int:
    page.click("#play-pause-button")
    page.wait_for_function(TFP_PLAYING_JS, arg=on, timeout=15_000)
    return 1


def _app_toggle(page, on: bool) -> int:
    """Click the app's Play/Pause until it shows the other label; a click made during a live tick can be lost."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    button, want = page.locator(".st-key-play button"), "Pause" if on else "Play"
    deadline, clicks = time.monotonic() + TRANSPORT_TIMEOUT_S, 0
    while want not in button.inner_text():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app's button still does not say {want} after {clicks} clicks")
        button.click()
        clicks += 1
        with contextlib.suppress(PlaywrightTimeout):
            button.filter(has_text=want).wait_for(timeout=CLICK_RETRY_S * 1000)
    return clicks


def _open_tfp(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    ctx.route(OFFSITE, lambda route: route.abort())
    ctx.add_init_script(TFP_INIT_JS)
    page = ctx.new_page()
    page.goto(url, wait_until="commit")
    page.wait_for_function(TFP_READY_JS, timeout=PAGE_TIMEOUT_S * 1000, polling=50)
    return ctx, page


def _window(side: Side, seconds: float) -> dict[str, float | None]:
    """Play one page for a window; its rates, the load average at the start and its last sample."""
    clicks = side.toggle(side.page, True)
    time.sleep(SETTLE_S)
    load = os.getloadavg()[0]
    js = {"js": side.js} if side.js else {}
    samples = sample_for(side.page, seconds, **js)
    while len(samples) < 2:  # on a very busy machine one reading can outlast a short window
        samples.append(sample(side.page, **js))
    clicks += side.toggle(side.page, False)
    return {**{k: rate(samples, get) for k, get in side.reads.items()}, "load": load, "last": samples[-1],
            "repeats": clicks - 2, "readings": len(samples)}


def run_pass(sides: dict[str, Side], rounds: int, seconds: float) -> dict[str, dict]:
    """Every page in turn, round after round; per page the median of each rate and the loads seen."""
    names = list(sides)
    seen: dict[str, list[dict]] = {n: [] for n in names}
    for i in range(rounds):
        for name in names[i % len(names):] + names[:i % len(names)]:
            seen[name].append(_window(sides[name], seconds))
    out = {}
    for name, windows in seen.items():
        got = {k: [w[k] for w in windows if w[k] is not None] for k in METRICS}
        out[name] = {**{k: median(v) if v else None for k, v in got.items()},
                     "loads": [w["load"] for w in windows], "last": windows[-1]["last"],
                     "repeats": sum(w["repeats"] for w in windows), "readings": sum(w["readings"] for w in windows)}
    return out


def _ratio_row(case: str, app: dict, tfp: dict, metric: str, goal: float, how: str) -> Row:
    a, t = app[metric], tfp[metric]
    loads = app["loads"] + tfp["loads"]
    ended = "; the app's run reached its epoch limit" if (app["last"].get("epoch") or 0) >= MAX_EPOCHS else ""
    ended += f"; Play/Pause clicked again {app['repeats']}× (a click was lost)" if app["repeats"] else ""
    detail = (f"app {'n/a' if a is None else f'{a:.1f}'} / TFP {'n/a' if t is None else f'{t:.1f}'} per s;"
              f" load avg {min(loads):.1f}–{max(loads):.1f}; {how}; readings {app['readings']}/{tfp['readings']}"
              f"{ended}")
    value = a / t if a is not None and t else None
    return Row("B6", case, value, "", (">=", goal), detail=detail, failed=value is None)


def _app_url(base: str, query: dict[str, str]) -> str:
    _, problems = links.parse(query)  # a typo would silently fall back to a default: refuse it here
    if problems:
        raise ValueError(f"B6's app link {query} is not what it means: {problems}")
    return base + "?" + urlencode(query)


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    ok, why = browser_available()
    folder = tfp_dir()
    if not ok or folder is None:
        return [Row("B6", "app vs TF Playground", None, detail=f"skipped: {why or 'TFP build not found'}")]
    rounds, seconds = (1, 1.5) if tiny else (2, 3.0) if quick else (5, 6.0)
    how = f"{rounds} interleaved rounds × {seconds:g} s"
    with chromium() as browser, static_server(folder) as tfp, streamlit_app() as app:
        contexts = []
        try:
            apps = []
            for query in (APP_TF, APP_TF, APP_SPIRAL):  # one by one: three cold loads at once took > 2 min at load 13
                apps.append(open_app(browser, _app_url(app.url, query), timeout_s=PAGE_TIMEOUT_S))
                contexts.append(apps[-1][0])
            _set_speed_max(apps[1][1])
            tfps = [_open_tfp(browser, f"{tfp.url}index.html#{h}") for h in (TFP_DEFAULT, TFP_SPIRAL)]
            contexts += [ctx for ctx, _ in tfps]
            app_side = {"toggle": _app_toggle, "js": None, "reads": APP_READS}
            tfp_side = {"toggle": _tfp_toggle, "js": TFP_SAMPLE_JS, "reads": TFP_READS}
            sides = {"tfp": Side(tfps[0][1], **tfp_side), "app": Side(apps[0][1], **app_side),
                     "app_max": Side(apps[1][1], **app_side), "tfp_spiral": Side(tfps[1][1], **tfp_side),
                     "app_spiral": Side(apps[2][1], **app_side)}
            quiet = run_pass(sides, rounds, seconds)
            with busy_core():
                busy = run_pass(sides, rounds, seconds)
        finally:
            for ctx in contexts:
                ctx.close()
    rows = [_ratio_row(f"{case}: {text} app/TFP", quiet[a], quiet[t], metric, GOAL_QUIET, how)
            for case, a, t in PAIRS for metric, text in METRICS.items()]
    rows += [_ratio_row(f"one core busy, {case}: epochs/s app/TFP", busy[a], busy[t], "epochs", GOAL_BUSY, how)
             for case, a, t in PAIRS]
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table(run(quick="--quick" in sys.argv)))

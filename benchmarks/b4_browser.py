"""B4, in the browser: headless Debian chromium against a fresh `streamlit run app.py`.

Chromium is launched first, so the cold start counts the server only: from Popen of
`streamlit run` until both live charts of the first page are drawn (with milestones: server
healthy, epoch counter shown = first script run done). Then, on the default preset, Play is
pressed and the page is sampled for a few seconds: loss-chart updates/s (pgStats.reacts of
the second live_chart iframe: a new figure drawn), boundary redraws/s (pgStats.frames_drawn
of the first) and epochs/s (#epoch-counter[data-epoch]), with the CPU the server and the
browser used meanwhile. Then a new session opens the TF Playground's default setup by URL
(the tf-playground preset's RunConfig.to_query()); its epochs/s is measured at the default
speed (40 epochs/s) and again after moving the Speed select_slider to "max" in the page.

A full run also times one live tick's server-side parts in-process (`tick_breakdown`: streamlit's
AppTest running page.py, steady state of 5 ticks/s at speed 40) and the gc.collect(2) that
Streamlit runs after every script run, fragment ticks included, while runner.postScriptGC is on.
"""

from __future__ import annotations

import logging
import math
import os
import statistics
import time
from urllib.parse import urlencode

from benchmarks.common import (
    LAG_PROBE_JS,
    LAG_READ_JS,
    READY_JS,
    ROOT,
    CpuMeter,
    Row,
    browser_available,
    chromium,
    open_app,
    press_play,
    rate,
    sample,
    sample_for,
    streamlit_app,
    wait_until_healthy,
)
from playground.config import MAX_EPOCHS
from playground.lessons import PRESETS
from playground.live.worker import MAX_FPS
from playground.ui.live import DEFAULT_SPEED, TICK_S

GOAL_FIRST_CHART_S = 4.0  # `streamlit run` → first chart (issue #12)
GOAL_WARM_PAGE_S = 2.0  # page load → first chart on a warm server
GOAL_POINTS_PER_EPOCH = 0.95  # every epoch's loss point reaches the chart (window edges aside)
GOAL_REDRAWS_PER_EPOCH = 0.9  # every epoch's boundary painted, up to MAX_FPS
GOAL_TF_EPOCHS = 37.0
COUNTER_JS = "() => !!document.getElementById('epoch-counter')"


def _set_speed_max(page) -> str:
    """Move the Speed select_slider to its last stop ('max', or 'max speed' in the transport row); returns it."""
    thumb = page.locator(".st-key-speed input[type='range']")
    thumb.focus()
    thumb.press("End")
    page.wait_for_function("() => { const t = document.querySelector(\".st-key-speed input[type='range']\");"
                           " return t && (t.getAttribute('aria-valuetext') || '').startsWith('max'); }", timeout=15_000)
    return page.locator(".st-key-speed input[type='range']").get_attribute("aria-valuetext") or ""


def _epoch_moves(page, timeout_s: float) -> bool:
    """Wait until the epoch counter changes from what it shows now; False on timeout."""
    try:
        page.wait_for_function(
            "(e0) => { const c = document.getElementById('epoch-counter');"
            " return c && Number(c.dataset.epoch) !== e0; }",
            arg=sample_for(page, 0.01)[0]["epoch"], timeout=timeout_s * 1000, polling=100)
        return True
    except Exception:  # playwright's TimeoutError: report, don't crash the run
        return False


def _playing(page, server_pid: int, window_s: float) -> dict:
    """Sample a playing page; rates of the epoch counter and both charts' counters, and CPU use."""
    time.sleep(0.5)  # let the first ticks after Play (and any full rerun) settle
    meter = CpuMeter(server_pid)
    page.evaluate(LAG_PROBE_JS)
    s = sample_for(page, window_s)
    cpu = meter.read()
    blocked = page.evaluate(LAG_READ_JS)
    ticks = (s[-1]["loss"] or {}).get("renders", 0) - (s[0]["loss"] or {}).get("renders", 0)
    return {
        "epochs": rate(s, lambda x: x["epoch"]),
        "loss_reacts": rate(s, lambda x: x["loss"]["updates"]),
        "points": rate(s, lambda x: x["loss"]["points"]),
        "loss_renders": rate(s, lambda x: x["loss"]["renders"]),
        "redraws": rate(s, lambda x: x["boundary"]["frames_drawn"]),
        "dropped": (s[-1]["boundary"] or {}).get("dropped", 0) - (s[0]["boundary"] or {}).get("dropped", 0),
        "window": s[-1]["t"] - s[0]["t"], "epoch": s[-1]["epoch"],
        "server_cpu": cpu["server"] / cpu["wall"], "browser_cpu": cpu["browser"] / cpu["wall"],
        "server_ms_per_tick": 1000 * cpu["server"] / ticks if ticks else None,
        "blocked": blocked,
    }


def _pause(page) -> dict:
    """Click Pause while playing: epochs the counter moved past the click, and whether it then stands still."""
    at_click = sample(page)["epoch"]
    page.locator(".st-key-play button").click()
    page.locator(".st-key-play button").filter(has_text="Play").wait_for(timeout=30_000)
    after = [x["epoch"] for x in sample_for(page, 1.5)]
    return {"past": after[-1] - at_click, "still": len(set(after[len(after) // 3:])) == 1,
            "boundary": (sample(page)["boundary"] or {}).get("last_epoch"), "counter": after[-1]}


def _warm_page(browser, url: str, rounds: int = 3) -> list[float]:
    """Seconds from goto to both charts drawn, each in a fresh context, on a server that already runs."""
    out = []
    for _ in range(rounds):
        ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = ctx.new_page()
        start = time.monotonic()
        page.goto(url, timeout=120_000, wait_until="commit")
        page.wait_for_function(READY_JS, timeout=120_000, polling=20)
        out.append(time.monotonic() - start)
        ctx.close()
    return out


def _tf_max_row(speed: str, m: dict | None, crashed: int | None, counter: str) -> Row:
    case = f"TF Playground setup by URL: epochs/s at speed '{speed}' (set in page)"
    setup = (f"{'batch 10 ✓' if 'batch 10' in counter else 'URL config not applied?'}; epoch limit raised to "
             f"{MAX_EPOCHS} so the run cannot end mid-window")
    if m is None:
        return Row("B4", case, None, "ep/s", (">=", GOAL_TF_EPOCHS), failed=True,
                   detail=f"the server CRASHED after the speed change (exit code {crashed}; -11 = SIGSEGV); {setup}")
    stalled = "" if m["resumed"] else "; STALLED after the speed change (no tick in 15 s), measured after Pause/Play"
    return Row("B4", case, m["epochs"], "ep/s", (">=", GOAL_TF_EPOCHS), digits=1,
               detail=f"{_fmt(m['redraws'])} redraws/s, {_fmt(m['loss_renders'])} ticks/s; {_cpu_text(m)}; "
                      f"{setup}{stalled}")


def _per(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def _fmt(v: float | None, digits: int = 1) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _cpu_text(m: dict) -> str:
    blocked = "n/a" if m["blocked"] is None else f"{m['blocked']:.0%}"
    return (f"server {m['server_cpu']:.0%} of a core, {_fmt(m['server_ms_per_tick'], 0)} CPU-ms/tick; "
            f"browser {m['browser_cpu']:.0%}, page main thread blocked {blocked}")


def tick_breakdown(ticks: int = 8) -> dict[str, float]:
    """Mean ms per tick of one live tick's server-side parts, in-process with AppTest.

    Default preset at speed 40: each run gets last_tick = now - TICK_S, so it trains the quota
    of a 5-ticks/s loop. Also times gc.collect(2) with the app loaded: Streamlit runs it after
    every script run, fragment reruns included, unless runner.postScriptGC is false.
    """
    import gc

    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from playground.ui import live
    from playground.ui.pages import single

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    targets = [(m, name) for m, name in [(live, "_collect"), (single, "draw"), (single, "_metrics"),
                                          (single, "metrics_report"), (live, "live_chart"), (single, "loss_spec"),
                                          (live, "lane_chart"), (live, "chart")] if hasattr(m, name)]
    times: dict[str, list[float]] = {}
    saved = []

    def timed(module, name):
        orig = getattr(module, name)
        saved.append((module, name, orig))

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return orig(*args, **kwargs)
            finally:
                times.setdefault(name, []).append(time.perf_counter() - start)

        setattr(module, name, wrapper)

    at = AppTest.from_file(str(ROOT / "page.py"), default_timeout=120)
    at.run()
    at.button(key="play").click().run()
    try:
        for module, name in targets:
            timed(module, name)
        for _ in range(ticks):
            at.session_state["ui"].last_tick = time.perf_counter() - live.TICK_S
            at.run()
    finally:
        for module, name, orig in saved:
            setattr(module, name, orig)
    n = max(len(times.get("draw", [])), 1)
    out = {name: 1000 * sum(v) / n for name, v in times.items()}  # ms per tick, all calls of a part
    gc_ms = []
    for _ in range(3):
        start = time.perf_counter()
        gc.collect(2)
        gc_ms.append(1000 * (time.perf_counter() - start))
    out["gc.collect(2)"] = statistics.median(gc_ms)
    out["postScriptGC"] = bool(config.get_option("runner.postScriptGC"))
    return out


def run(*, quick: bool = False, tiny: bool = False, breakdown: bool = True,
        extra_args: tuple[str, ...] = ()) -> list[Row]:
    ok, why = browser_available()
    if not ok:
        return [Row("B4", "browser benchmarks", None, detail=f"skipped: {why}")]
    window = 1.5 if tiny else 2.5 if quick else 5.0
    load = os.getloadavg()[0]
    with chromium() as browser, streamlit_app(wait_healthy=False, extra_args=extra_args) as server:
        wait_until_healthy(server)
        ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = ctx.new_page()
        page.goto(server.url + "?patience=0", timeout=120_000)  # the default preset, training throughout
        page.wait_for_function(COUNTER_JS, timeout=120_000, polling=50)
        counter_at = time.monotonic() - server.launched_at
        page.wait_for_function(READY_JS, timeout=120_000, polling=50)
        first_chart = time.monotonic() - server.launched_at
        healthy = server.healthy_at - server.launched_at
        press_play(page)
        default = _playing(page, server.pid, window)
        paused = _pause(page)
        ctx.close()
        warm = _warm_page(browser, server.url, 1 if tiny else 3)

        # The preset's 1,000-epoch limit would end a run at "max" inside the window; raise it.
        tf = PRESETS["tf-playground"].config.replace(epochs=MAX_EPOCHS)
        ctx, page = open_app(browser, server.url + "?" + urlencode(tf.to_query()))
        counter = page.locator("#epoch-counter").locator("xpath=..").inner_text()
        press_play(page)
        tf_default = None if quick or tiny else _playing(page, server.pid, window)
        speed = _set_speed_max(page)
        resumed = _epoch_moves(page, timeout_s=15)  # the full rerun of a widget change takes a moment
        crashed = server.proc.poll()
        tf_max: dict | None = None
        if crashed is None:
            if not resumed:
                # Stalled with Pause shown: restart the loop with Pause/Play so the speed is still measured.
                try:
                    page.locator(".st-key-play button").click(timeout=10_000)
                    press_play(page)
                except Exception:  # a disabled button means the page lost its server
                    crashed = server.proc.poll()
            if crashed is None:
                tf_max = _playing(page, server.pid, window)
                tf_max["resumed"] = resumed
        ctx.close()

    w = f"{default['window']:.1f} s window, load avg {load:.1f}"
    rows = [
        Row("B4", "launch `streamlit run` → first chart drawn", first_chart, "s", ("<=", GOAL_FIRST_CHART_S),
            digits=1, detail=f"healthy {healthy:.1f} s, first script run done {counter_at:.1f} s"),
        Row("B4", "page load → first chart drawn, warm server", statistics.median(warm), "s",
            ("<=", GOAL_WARM_PAGE_S), digits=2, detail="median of " + ", ".join(f"{w:.2f}" for w in warm) + " s"),
        Row("B4", "default preset: loss points drawn per epoch trained", _per(default["points"], default["epochs"]),
            "", (">=", GOAL_POINTS_PER_EPOCH), digits=2,
            detail=f"{_fmt(default['points'])} points/s (extendTraces), {_fmt(default['loss_reacts'])} figure "
                   f"updates/s; {_cpu_text(default)}"),
        Row("B4", f"default preset: boundary redraws per epoch (up to {MAX_FPS}/s)",
            _per(default["redraws"], min(default["epochs"] or 0, MAX_FPS)), "", (">=", GOAL_REDRAWS_PER_EPOCH),
            digits=2, detail=f"{_fmt(default['redraws'])} redraws/s; {default['dropped']} dropped; {w}"),
        Row("B4", "Pause: epochs the counter moved after the click", paused["past"], "ep",
            ("<=", math.ceil(DEFAULT_SPEED * TICK_S)), digits=0,
            detail=f"one tick = {TICK_S} s = {math.ceil(DEFAULT_SPEED * TICK_S)} epochs at speed {DEFAULT_SPEED}; "
                   f"counter {'still' if paused['still'] else 'STILL MOVING'} afterwards; boundary epoch "
                   f"{paused['boundary']} vs counter {paused['counter']}"),
        Row("B4", f"default preset: epochs/s while training (speed {DEFAULT_SPEED})", default["epochs"], "ep/s",
            digits=1,
            detail=f"to epoch {default['epoch']}"),
        *([] if tf_default is None else [
            Row("B4", "TF Playground setup by URL: epochs/s at speed 40 (default)", tf_default["epochs"], "ep/s",
                digits=1,
                detail=f"{_fmt(tf_default['redraws'])} redraws/s, {_fmt(tf_default['loss_renders'])} ticks/s")]),
        _tf_max_row(speed, tf_max, crashed, counter),
    ]
    if breakdown and not (quick or tiny):
        parts = tick_breakdown(10)
        gc_on = parts.pop("postScriptGC")
        gc_ms = parts.pop("gc.collect(2)")
        own = parts.get("_collect", 0.0) + parts.get("draw", 0.0)
        text = ", ".join(f"{k} {v:.1f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
        rows.append(Row("B4", "server: one live tick's own work (_collect + draw, in-process)", own, "ms", digits=1,
                        detail="AppTest, default preset, speed 40"))
        rows.append(Row("B4", "server: Streamlit's gc.collect(2) after every run, fragment ticks included", gc_ms,
                        "ms", digits=1,
                        detail=f"runner.postScriptGC is {'ON' if gc_on else 'off'} for this app"
                               f"{' (.streamlit/config.toml)' if not gc_on else ': paid on every tick'}"))
        rows[1].profile = ("B4 server side of one live tick (AppTest in-process, default preset, speed 40, "
                           f"ms per tick, nested parts overlap): {text}; then, outside the script, "
                           f"gc.collect(2) {gc_ms:.0f} ms per run (runner.postScriptGC={gc_on})")
    return rows


if __name__ == "__main__":
    import sys

    from benchmarks.common import table

    rows = run(quick="--quick" in sys.argv)
    print(table(rows))
    for r in rows:
        if r.profile:
            print("\n" + r.profile)

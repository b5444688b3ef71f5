"""B4, in the browser: headless Debian chromium against a fresh `streamlit run app.py`.

Chromium is launched first, so the cold start counts the server only: from Popen of
`streamlit run` until both live charts of the first page are drawn. Then, on the default
preset, Play is pressed and the page is sampled for a few seconds: loss-chart updates/s
(pgStats.reacts of the second live_chart iframe: a new figure drawn), boundary redraws/s
(pgStats.frames_drawn of the first), and epochs/s from #epoch-counter[data-epoch]. Last, a
new session opens the TF Playground's default setup by URL (the tf-playground preset's
RunConfig.to_query()) and its epochs/s is measured at the default speed (40 epochs/s) and
again after moving the Speed select_slider to "max" in the page.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from benchmarks.common import Row, browser_available, chromium, open_app, press_play, rate, sample, \
    sample_for, streamlit_app, wait_until_healthy
from playground.presets import PRESETS

GOAL_FIRST_CHART_S = 6.0
GOAL_LOSS_UPDATES = 5.0
GOAL_REDRAWS = 20.0
GOAL_TF_EPOCHS = 37.0


def _set_speed_max(page) -> str:
    """Move the Speed select_slider to its last stop ('max') with the keyboard; returns what it shows."""
    thumb = page.locator(".st-key-speed input[type='range']")
    thumb.focus()
    thumb.press("End")
    page.wait_for_function("() => { const t = document.querySelector(\".st-key-speed input[type='range']\");"
                           " return t && t.getAttribute('aria-valuetext') === 'max'; }", timeout=15_000)
    return thumb.get_attribute("aria-valuetext") or ""


def _playing(page, window_s: float) -> dict:
    """Sample a playing page; rates of the epoch counter and both charts' counters."""
    time.sleep(0.5)  # let the first ticks after Play (and any full rerun) settle
    s = sample_for(page, window_s)
    return {
        "epochs": rate(s, lambda x: x["epoch"]),
        "loss_reacts": rate(s, lambda x: x["loss"]["reacts"]),
        "loss_renders": rate(s, lambda x: x["loss"]["renders"]),
        "redraws": rate(s, lambda x: x["boundary"]["frames_drawn"]),
        "dropped": (s[-1]["boundary"] or {}).get("dropped", 0) - (s[0]["boundary"] or {}).get("dropped", 0),
        "window": s[-1]["t"] - s[0]["t"], "epoch": s[-1]["epoch"],
    }


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.1f}"


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    ok, why = browser_available()
    if not ok:
        return [Row("B4", "browser benchmarks", None, detail=f"skipped: {why}")]
    window = 1.5 if tiny else 2.5 if quick else 5.0
    with chromium() as browser, streamlit_app(wait_healthy=False) as server:
        wait_until_healthy(server)
        ctx, page = open_app(browser, server.url)
        first_chart = time.monotonic() - server.launched_at
        healthy = server.healthy_at - server.launched_at
        press_play(page)
        default = _playing(page, window)
        page.locator(".st-key-play button").click()  # Pause
        ctx.close()

        tf = PRESETS["tf-playground"].config
        ctx, page = open_app(browser, server.url + "?" + urlencode(tf.to_query()))
        counter = page.locator("#epoch-counter").locator("xpath=..").inner_text()
        press_play(page)
        tf_default = _playing(page, window)
        speed = _set_speed_max(page)
        tf_max = _playing(page, window)
        ctx.close()

    w = f"{default['window']:.1f} s window"
    rows = [
        Row("B4", "launch `streamlit run` → first chart drawn", first_chart, "s", ("<=", GOAL_FIRST_CHART_S),
            digits=1, detail=f"healthy after {healthy:.1f} s"),
        Row("B4", "default preset: loss-chart updates/s while training", default["loss_reacts"], "/s",
            (">=", GOAL_LOSS_UPDATES), digits=1,
            detail=f"reacts; {_fmt(default['loss_renders'])} renders/s; {w}"),
        Row("B4", "default preset: boundary redraws/s while training", default["redraws"], "/s",
            (">=", GOAL_REDRAWS), digits=1, detail=f"frames_drawn; {default['dropped']} dropped; {w}"),
        Row("B4", "default preset: epochs/s while training (speed 40)", default["epochs"], "ep/s", digits=1,
            detail=f"to epoch {default['epoch']}"),
        Row("B4", "TF Playground setup by URL: epochs/s at speed 40 (default)", tf_default["epochs"], "ep/s",
            digits=1, detail=f"{_fmt(tf_default['redraws'])} redraws/s"),
        Row("B4", f"TF Playground setup by URL: epochs/s at speed '{speed}' (set in page)", tf_max["epochs"],
            "ep/s", (">=", GOAL_TF_EPOCHS), digits=1,
            detail=f"{_fmt(tf_max['redraws'])} redraws/s, {_fmt(tf_max['loss_reacts'])} loss updates/s; "
                   f"{'batch 10 ✓' if 'batch 10' in counter else 'URL config not applied?'}"),
    ]
    return rows


if __name__ == "__main__":
    import sys

    from benchmarks.common import table

    print(table(run(quick="--quick" in sys.argv)))

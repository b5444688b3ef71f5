"""B5, memory: server RSS per training session, and a long run's RSS growth against its history's bytes.

Browser part: a fresh `streamlit run app.py`; RSS once healthy, after one browser session has
trained, and after four sessions (four browser contexts) have trained at once; the increment
per extra session is (RSS with 4 - RSS with 1) / 3. In-process part: a child process runs the
seed-lab preset for 10,000 epochs; its RSS growth from after the first epoch to the end is
compared with trainer.history.nbytes(), the only thing a run should keep adding.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from urllib.parse import urlencode

from benchmarks.common import (
    MB,
    ROOT,
    Row,
    browser_available,
    chromium,
    open_apps,
    press_play,
    rss_bytes,
    sample,
    streamlit_app,
)
from playground.lessons import PRESETS

GOAL_SESSION_MB = 60.0
# RSS moves in pages and allocator arenas; growth within this much above the history's bytes counts as none.
SLACK_MB = 1.0
GOAL_EXTRA_MB = SLACK_MB


def _child(epochs: int) -> dict:
    """Runs in a fresh interpreter: RSS before and after `epochs` epochs of the seed-lab preset."""
    from playground.engine.train import Trainer

    trainer = Trainer(PRESETS["seed-lab"].config.replace(epochs=epochs))
    trainer.epoch()  # first step allocates autograd and optimizer state: not growth
    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    trainer.run()
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_bytes()
    return {"epochs": trainer.current_epoch, "status": trainer.status, "before": before, "after": after,
            "history_nbytes": trainer.history.nbytes(), "seconds": seconds}


def _start_child(epochs: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "benchmarks.b5_memory", "--child", str(epochs)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _child_result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=300)
    if proc.returncode:
        raise RuntimeError(f"B5 child failed ({proc.returncode}): {err.strip()[-300:]}")
    return json.loads(out.strip().splitlines()[-1])


def long_run_rows(r: dict) -> list[Row]:
    growth = (r["after"] - r["before"]) / MB
    hist = r["history_nbytes"] / MB
    return [
        Row("B5", f"RSS growth over {r['epochs']} epochs of one Trainer (seed-lab preset)", growth, "MB", digits=2,
            detail=f"{r['before'] / MB:.0f} → {r['after'] / MB:.0f} MB; history.nbytes() {hist:.2f} MB; "
                   f"{r['epochs'] / r['seconds']:.0f} ep/s"),
        Row("B5", f"RSS growth beyond history.nbytes() ({r['epochs']} epochs)", growth - hist, "MB",
            ("<=", GOAL_EXTRA_MB), digits=2, detail=f"allowance {SLACK_MB:g} MB for page/arena granularity"),
    ]


def in_process_rows(epochs: int) -> list[Row]:
    return long_run_rows(_child_result(_start_child(epochs)))


def _train_for(pages: list, seconds: float) -> None:
    """Let every page train, reading each one now and then (a sample per page per 0.5 s)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for page in pages:
            sample(page)
        time.sleep(0.5)


def browser_rows(window_s: float, sessions: int = 4, extra_args: tuple[str, ...] = ()) -> list[Row]:
    ok, why = browser_available()
    if not ok:
        return [Row("B5", "server RSS per extra training session", None, "MB", ("<=", GOAL_SESSION_MB),
                    detail=f"skipped: {why}")]
    # A high epoch limit and no early stopping (by URL) keep every session training until all have been measured.
    url_query = "?" + urlencode(PRESETS["default"].config.replace(epochs=10_000, patience=0).to_query())
    opened = []
    with chromium() as browser, streamlit_app(extra_args=extra_args) as server:
        rss0 = rss_bytes(server.pid)
        try:
            opened += open_apps(browser, [server.url + url_query])
            first = opened[0][1]
            press_play(first)
            _train_for([first], window_s)
            epochs1 = sample(first)["epoch"]
            rss1 = rss_bytes(server.pid)
            more = open_apps(browser, [server.url + url_query] * (sessions - 1))
            opened += more
            for _, page in more:
                press_play(page)
            pages = [page for _, page in opened]
            before = [sample(p)["epoch"] for p in pages]
            _train_for(pages, window_s)
            after = [sample(p)["epoch"] for p in pages]
            rss_n = rss_bytes(server.pid)
        finally:
            for ctx, _ in opened:
                ctx.close()
    per = (rss_n - rss1) / (sessions - 1) / MB
    all_training = all(b is not None and a is not None and a > b for a, b in zip(after, before, strict=True))
    return [
        Row("B5", "server RSS after the first session trained", rss1 / MB, "MB", digits=0,
            detail=f"{rss0 / MB:.0f} MB when healthy, before any session (torch not imported yet); "
                   f"session at epoch {epochs1}"),
        Row("B5", f"server RSS per extra training session ({sessions} training at once)", per, "MB",
            ("<=", GOAL_SESSION_MB), digits=1,
            detail=f"{rss1 / MB:.0f} → {rss_n / MB:.0f} MB; epochs {before} → {after}"
                   f"{'' if all_training else ' (not all sessions were training!)'}"),
    ]


def run(*, quick: bool = False, tiny: bool = False, browser: bool | None = None) -> list[Row]:
    """browser=None: the browser part unless tiny (the smoke test skips it).

    The long run goes alongside in a fresh interpreter; tiny runs it in this process instead
    (saving the child's torch import), which still exercises the same measurement.
    """
    with_browser = browser if browser is not None else not tiny
    if tiny and not with_browser:
        return long_run_rows(_child(300))
    child = _start_child(300 if tiny else 10_000)
    rows = [] if with_browser else [Row("B5", "server RSS per extra training session", None, "MB",
                                        ("<=", GOAL_SESSION_MB), detail="browser part skipped (--quick); "
                                        "run `python -m benchmarks --only B5`")]
    try:
        if with_browser:
            # --quick: one extra session instead of three (two page loads fewer).
            rows += browser_rows(window_s=2.0 if quick else 4.0, sessions=2 if quick else 4)
    finally:
        result = _child_result(child)
    return rows + long_run_rows(result)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        from benchmarks.common import table

        print(table(run(quick="--quick" in sys.argv)))

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

from benchmarks.common import MB, ROOT, Row, browser_available, chromium, open_app, press_play, rss_bytes, \
    sample, streamlit_app

GOAL_SESSION_MB = 60.0
# RSS moves in pages and allocator arenas; growth within this much above the history's bytes counts as none.
SLACK_MB = 1.0
GOAL_EXTRA_MB = SLACK_MB


def _child(epochs: int) -> dict:
    """Runs in a fresh interpreter: RSS before and after `epochs` epochs of the seed-lab preset."""
    from playground.presets import PRESETS
    from playground.train import Trainer

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


def long_run(epochs: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.b5_memory", "--child", str(epochs)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_process_rows(epochs: int) -> list[Row]:
    r = long_run(epochs)
    growth = (r["after"] - r["before"]) / MB
    hist = r["history_nbytes"] / MB
    return [
        Row("B5", f"RSS growth over {r['epochs']} epochs (seed-lab preset)", growth, "MB", digits=2,
            detail=f"{r['before'] / MB:.0f} → {r['after'] / MB:.0f} MB; history.nbytes() {hist:.2f} MB; "
                   f"{r['epochs'] / r['seconds']:.0f} ep/s"),
        Row("B5", f"RSS growth beyond history.nbytes() ({r['epochs']} epochs)", growth - hist, "MB",
            ("<=", GOAL_EXTRA_MB), digits=2, detail=f"allowance {SLACK_MB:g} MB for page/arena granularity"),
    ]


def _train_for(pages: list, seconds: float) -> None:
    """Let every page train, keeping each one's socket busy (a sample per page per 0.5 s)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for page in pages:
            sample(page)
        time.sleep(0.5)


def browser_rows(window_s: float, sessions: int = 4) -> list[Row]:
    ok, why = browser_available()
    if not ok:
        return [Row("B5", "server RSS per extra training session", None, "MB", ("<=", GOAL_SESSION_MB),
                    detail=f"skipped: {why}")]
    contexts = []
    with chromium() as browser, streamlit_app() as server:
        rss0 = rss_bytes(server.pid)
        try:
            ctx, page = open_app(browser, server.url)
            contexts.append(ctx)
            press_play(page)
            _train_for([page], window_s)
            epochs1 = sample(page)["epoch"]
            rss1 = rss_bytes(server.pid)
            pages = [page]
            for _ in range(sessions - 1):
                ctx, p = open_app(browser, server.url)
                contexts.append(ctx)
                press_play(p)
                pages.append(p)
            _train_for(pages, window_s)
            epochs = [sample(p)["epoch"] for p in pages]
            rss_n = rss_bytes(server.pid)
        finally:
            for ctx in contexts:
                ctx.close()
    per = (rss_n - rss1) / (sessions - 1) / MB
    return [
        Row("B5", "server RSS after first session trained", rss1 / MB, "MB", digits=0,
            detail=f"{rss0 / MB:.0f} MB when healthy, before any session; session at epoch {epochs1}"),
        Row("B5", f"server RSS per extra training session ({sessions} at once)", per, "MB",
            ("<=", GOAL_SESSION_MB), digits=1,
            detail=f"{rss1 / MB:.0f} → {rss_n / MB:.0f} MB; epochs {epochs}"),
    ]


def run(*, quick: bool = False, tiny: bool = False, browser: bool | None = None) -> list[Row]:
    """browser=None: the browser part unless tiny (the smoke test skips it)."""
    epochs = 300 if tiny else 10_000
    rows = []
    if browser if browser is not None else not tiny:
        rows += browser_rows(window_s=2.0 if quick else 4.0)
    return rows + in_process_rows(epochs)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        from benchmarks.common import table

        print(table(run(quick="--quick" in sys.argv)))

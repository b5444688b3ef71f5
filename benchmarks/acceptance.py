"""Issue #17's load rows: `python -m benchmarks.load --acceptance [--seconds 30]`.

On one fresh server (the load benchmark's, TTL 5 s), one headless chromium, three rounds:
1. 4 visitors (default setup, own seeds) train for --seconds: each must get >= 2 updates/s, 0 errors.
2. 8 visitors: 0 errors, and no visitor below half the median update rate.
3. Fair share: 3 default visitors train alone for --seconds, then a visitor on the heaviest allowed
   config (a 4-lane race on 2,000 points, 6 x 64 layers, batch size 1) joins for --seconds: each
   default visitor's update rate must stay at least half its rate alone.
"Updates" are the loss chart's pgStats.updates (points appended in place, or a new figure), the rate
a visitor sees the chart move; epochs/s are shown next to it. Between rounds the closed tabs'
workers are given time to stop (Worker.ABANDON_S) so they do not load the next round.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from benchmarks import load
from benchmarks.common import Row, table
from playground.live.worker import ABANDON_S

GOAL_FOUR = 2.0  # updates/s, each of 4 visitors
GOAL_SHARE = 0.5  # slowest of 8 against the median; default visitors next to the heaviest against alone
HEAVIEST = "?mode=race&n_points=2000&hidden=64,64,64,64,64,64&batch_size=1&epochs=10000&patience=0"
DEFAULT = "?seed={k}&patience=0&epochs=10000"


def _defaults(n: int, first: int = 1) -> list[str]:
    return [DEFAULT.format(k=first + k) for k in range(n)]


def _rates(sessions: list[load.Session]) -> tuple[list[float], list[float], int]:
    """Per session updates/s and epochs/s over its samples, and the errors of all of them."""
    rows = load.summarize(sessions)
    return ([r["updates_per_s"] or 0.0 for r in rows], [r["epochs_per_s"] or 0.0 for r in rows],
            sum(r["errors"] for r in rows))


def _round(browser, url: str, queries: list[str], seconds: float, every: float,
           settle_s: float) -> tuple[list, list, int]:
    sessions = load.measure(browser, url, len(queries), seconds, every, queries=queries)
    try:
        return _rates(sessions)
    finally:
        load.close_sessions(sessions)
        time.sleep(settle_s)  # the closed tabs' workers stop and free their slots


def _f(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}" for v in values)


def rows(browser, url: str, seconds: float = 30, four: int = 4, eight: int = 8, defaults: int = 3,
         every: float = 1.0, settle_s: float = ABANDON_S + 2) -> list[Row]:
    """The three acceptance rounds as table rows (sizes are parameters so a test can run them tiny)."""
    out = []
    updates, epochs, errors = _round(browser, url, _defaults(four), seconds, every, settle_s)
    out.append(Row("LOAD", f"{four} visitors × {seconds:g} s: slowest visitor", min(updates), "updates/s",
                   goal=(">=", GOAL_FOUR), digits=1, detail=f"updates/s {_f(updates)}; epochs/s {_f(epochs)}"))
    out.append(Row("LOAD", f"{four} visitors × {seconds:g} s: errors", errors, goal=("<=", 0), digits=0))
    updates, epochs, errors = _round(browser, url, _defaults(eight), seconds, every, settle_s)
    median = statistics.median(updates)
    out.append(Row("LOAD", f"{eight} visitors × {seconds:g} s: slowest / median", min(updates) / max(median, 1e-9),
                   goal=(">=", GOAL_SHARE), detail=f"updates/s {_f(updates)}; epochs/s {_f(epochs)}"))
    out.append(Row("LOAD", f"{eight} visitors × {seconds:g} s: errors", errors, goal=("<=", 0), digits=0))
    out.append(fair_share(browser, url, seconds, defaults, every))
    return out


def fair_share(browser, url: str, seconds: float, defaults: int, every: float) -> Row:
    """Default visitors alone, then next to one heaviest-config visitor: their worst rate ratio."""
    sessions = load.open_sessions(browser, url, defaults, queries=_defaults(defaults))
    heavy: list[load.Session] = []
    try:
        load.play_all(sessions)
        load.sample_all(sessions, seconds, every)
        alone_updates, alone_epochs, _ = _rates(sessions)
        heavy = load.open_sessions(browser, url, 1, queries=[HEAVIEST])
        load.play_all(heavy, timeout_s=120)  # its first epoch alone takes seconds
        for s in sessions:
            s.samples = []
        load.sample_all([*sessions, *heavy], seconds, every)
        with_updates, with_epochs, errors = _rates(sessions)
        _, heavy_epochs, heavy_errors = _rates(heavy)
    finally:
        load.close_sessions(sessions + heavy)
    ratios = [w / a if a else 0.0 for w, a in zip(with_updates, alone_updates, strict=True)]
    epoch_ratios = [w / a if a else 0.0 for w, a in zip(with_epochs, alone_epochs, strict=True)]
    return Row("LOAD", f"fair share: {defaults} default visitors next to the heaviest, worst with / alone",
               min(ratios), goal=(">=", GOAL_SHARE), failed=bool(errors + heavy_errors),
               detail=f"updates/s alone {_f(alone_updates)}, with {_f(with_updates)}; epochs/s ratio "
                      f"{_f(epoch_ratios)}; heaviest {heavy_epochs[0]:.2f} epochs/s; errors {errors + heavy_errors}")


def main(seconds: float, ttl_s: int, markdown: bool, json_path: str) -> int:
    """Start the server and chromium, run the three rounds, print the table; 0 when every goal is met."""
    from playwright.sync_api import sync_playwright

    exe = load.chromium_path()
    if exe is None:
        raise SystemExit("chromium not found on PATH (Debian's chromium is needed; never `playwright install`)")
    with load.serve(ttl_s) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=load.LOAD_CHROMIUM_ARGS)
        try:
            warm = load.open_sessions(browser, server.url, 1)  # imports torch and the app before timing
            load.close_sessions(warm)
            table_rows = rows(browser, server.url, seconds)
        finally:
            browser.close()
        crashes = load.tracebacks(server.log)
    print(f"\nLoad acceptance (issue #17): {seconds:g} s per round; {load.machine()}\n")
    print(table(table_rows, markdown=markdown))
    if crashes:
        print("server tracebacks: " + "; ".join(crashes[:10]))
    if json_path:
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"seconds": seconds, "machine": load.machine(), "tracebacks": crashes,
                                    "rows": [r.as_dict() for r in table_rows]}, indent=2))
    return 0 if all(r.met is not False for r in table_rows) and not crashes else 1

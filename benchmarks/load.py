"""Load test: N visitors train at once on one server; `python -m benchmarks.load [--sessions 8] [--seconds 60]`.

Starts its own `streamlit run app.py` on a free port on 127.0.0.1 only, with
`--server.disconnectedSessionTTL 5` (the repo's .streamlit/config.toml says 120 s) so closed
sessions are freed within the run. One headless Debian chromium (never `playwright install`)
opens N browser contexts, i.e. N independent Streamlit sessions, each on its own seed; all
press Play and train for --seconds. Per session it records the loss chart's updates
(pgStats.updates of the loss-chart iframe: a new figure, or points appended in place; renders too), the boundary
redraws (pgStats.frames_drawn), the epoch counter, console errors, page errors, Streamlit
exception boxes and "Queued" notices. Every second it records the server's RSS and CPU from
/proc/<pid>, and at the end scans the server log for tracebacks. Then it closes every
session and waits for RSS to come back near the baseline (RSS after one warm-up visit whose
session has expired: torch and the app are imported, no session holds memory).

Goals: every session's loss chart updates at least once a second, zero errors, and RSS
after close within max(50 MB, 10% of baseline) of the baseline.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import (
    CHROMIUM_ARGS,
    MB,
    READY_JS,
    ROOT,
    SAMPLE_JS,
    Server,
    chromium_path,
    cpu_seconds,
    descendants,
    readings,
    rss_bytes,
    streamlit_app,
)

# Each simulated visitor stands for a foreground tab on its own machine: keep chromium from
# throttling timers of pages it considers in the background (all N pages share one headless browser).
LOAD_CHROMIUM_ARGS = [*CHROMIUM_ARGS, "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                      "--disable-backgrounding-occluded-windows"]
GOAL_UPDATES_PER_S = 1.0
RSS_SLACK_MB = 50.0
RSS_SLACK_FRACTION = 0.10
DEFAULT_TTL_S = 5

# SAMPLE_JS plus what counts as an error on the page, and whether the visitor is queued.
PAGE_JS = f"""() => {{
  const s = ({SAMPLE_JS})();
  s.exceptions = document.querySelectorAll('[data-testid="stException"]').length;
  s.queued = [...document.querySelectorAll('[data-testid="stAlert"]')].some(a => a.innerText.includes('Queued:'));
  return s;
}}"""
COUNTER_UP_JS = ("() => { const c = document.getElementById('epoch-counter');"
                 " return c && Number(c.dataset.epoch) > 0; }")


# ---- the server and its /proc figures ------------------------------------------------------------


@contextlib.contextmanager
def serve(ttl_s: int = DEFAULT_TTL_S, timeout: float = 120) -> Iterator[Server]:
    """`streamlit run app.py` on 127.0.0.1 and a free port with a short session TTL; stopped by PID."""
    with streamlit_app(timeout=timeout, extra_args=("--server.disconnectedSessionTTL", str(ttl_s))) as server:
        yield server


def browser_cpu_s(server_pid: int) -> float:
    """CPU seconds of everything this process started except the server (chromium and its children)."""
    skip = {server_pid, *descendants(server_pid)}
    return sum(cpu_seconds(p) for p in descendants(os.getpid()) if p not in skip)


class ProcMonitor(threading.Thread):
    """Every `every` seconds: the server's RSS (bytes) and CPU, the browser's CPU, the machine's load.

    CPU figures are shares of one core since the previous sample (chromium processes that exited
    drop out, so the browser's share is a lower bound).
    """

    def __init__(self, pid: int, every: float = 1.0):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, int, float, float, float]] = []  # (time, rss, server, browser, load)
        self._halt = threading.Event()

    def run(self) -> None:
        last_t, last_cpu, last_browser = time.monotonic(), cpu_seconds(self.pid), browser_cpu_s(self.pid)
        while not self._halt.wait(self.every):
            now, cpu, browser = time.monotonic(), cpu_seconds(self.pid), browser_cpu_s(self.pid)
            dt = max(now - last_t, 1e-6)
            self.samples.append((now, rss_bytes(self.pid), (cpu - last_cpu) / dt,
                                 max(0.0, browser - last_browser) / dt, os.getloadavg()[0]))
            last_t, last_cpu, last_browser = now, cpu, browser

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)

    def window(self, start: float, end: float) -> list[tuple[float, int, float, float, float]]:
        return [s for s in self.samples if start <= s[0] <= end]


def log_size(log: Path | None) -> int:
    return log.stat().st_size if log is not None and log.exists() else 0


def tracebacks(log: Path | None, start: int = 0, end: int | None = None) -> list[str]:
    """The exception line of each traceback in the server log between byte offsets start and end."""
    if log is None or not log.exists():
        return []
    lines = log.read_bytes()[start:end].decode(errors="replace").splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            stop = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(("Traceback", "During"))),
                        len(lines))
            tail = [x for x in lines[i + 1:stop] if x and not x.startswith((" ", "\t"))]
            out.append((tail[-1] if tail else "?")[:200])
    return out


# ---- the sessions --------------------------------------------------------------------------------


@dataclass
class Session:
    """One visitor: its page, and everything recorded about it."""

    index: int
    url: str
    page: object = field(repr=False, default=None)
    context: object = field(repr=False, default=None)
    samples: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    exceptions: int = 0  # most Streamlit exception boxes seen at once
    queued: bool = False

    def watch(self) -> None:
        self.page.on("console", lambda m: self.console_errors.append(m.text[:200]) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)[:200]))

    def sample(self) -> None:
        try:
            s = self.page.evaluate(PAGE_JS)
        except Exception as exc:  # a page that cannot even be read counts as an error
            self.page_errors.append(f"sample failed: {type(exc).__name__}: {str(exc)[:120]}")
            return
        s["wall"] = time.monotonic()
        self.exceptions = max(self.exceptions, s.get("exceptions") or 0)
        self.queued = self.queued or bool(s.get("queued"))
        self.samples.append(s)

    @property
    def errors(self) -> int:
        return len(self.console_errors) + len(self.page_errors) + self.exceptions


def counter_total(samples: list[dict], get) -> tuple[float, float, float]:
    """(increase, first time, last time) of a counter that resets when its iframe remounts."""
    points = readings(samples, get)
    if len(points) < 2:
        return 0.0, 0.0, 0.0
    total = sum(b - a if b >= a else b for (_, a), (_, b) in itertools.pairwise(points))
    return total, points[0][0], points[-1][0]


def per_s(samples: list[dict], get) -> float | None:
    total, t0, t1 = counter_total(samples, get)
    return total / (t1 - t0) if t1 > t0 else None


def longest_stall(samples: list[dict]) -> float | None:
    """Longest time (s) between samples over which neither the loss chart nor the counter moved."""
    moving = [s for s in samples if s.get("loss") is not None]
    if len(moving) < 2:
        return None
    worst, since = 0.0, moving[0]["t"]
    for a, b in itertools.pairwise(moving):
        if b["loss"]["updates"] != a["loss"]["updates"] or b["epoch"] != a["epoch"]:
            since = b["t"]
        worst = max(worst, b["t"] - since)
    return worst


def open_sessions(browser, url: str, n: int, timeout_s: float = 120, queries: list[str] | None = None) -> list[Session]:
    """N contexts (N Streamlit sessions), returned once both charts are drawn.

    queries: each session's query string; by default each on its own seed with early stopping off.
    """
    queries = queries or [f"?seed={k + 1}&patience=0" for k in range(n)]  # every session trains throughout
    sessions = []
    for k, query in enumerate(queries[:n]):
        s = Session(k, url + query)
        s.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        s.page = s.context.new_page()
        s.watch()
        s.page.goto(s.url, timeout=timeout_s * 1000)
        sessions.append(s)
    for s in sessions:
        s.page.wait_for_function(READY_JS, timeout=timeout_s * 1000, polling=100)
    return sessions


def play_all(sessions: list[Session], timeout_s: float = 60) -> None:
    """Press Play on every page at (nearly) once, then wait until every counter has moved."""
    for s in sessions:
        s.page.locator(".st-key-play button").click()
    for s in sessions:
        s.page.wait_for_function(COUNTER_UP_JS, timeout=timeout_s * 1000, polling=100)


def sample_all(sessions: list[Session], seconds: float, every: float = 1.0) -> None:
    """Sample every page every `every` seconds for `seconds` (appending to each session's samples)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        tick = time.monotonic()
        for s in sessions:
            s.sample()
        time.sleep(max(0.0, every - (time.monotonic() - tick)))


def measure(browser, url: str, sessions: int, seconds: float, every: float = 1.0,
            queries: list[str] | None = None) -> list[Session]:
    """Open `sessions` visitors, press Play on all, and sample each page every `every` seconds."""
    opened = open_sessions(browser, url, sessions, queries=queries)
    play_all(opened)
    sample_all(opened, seconds, every)
    return opened


def close_sessions(sessions: list[Session]) -> None:
    for s in sessions:
        with contextlib.suppress(Exception):
            s.context.close()


def summarize(sessions: list[Session]) -> list[dict]:
    """Per session: rates over the sampled window, and its errors."""
    rows = []
    for s in sessions:
        rows.append({
            "session": s.index, "samples": len(s.samples),
            "updates_per_s": per_s(s.samples, lambda x: x["loss"]["updates"]),
            "loss_renders_per_s": per_s(s.samples, lambda x: x["loss"]["renders"]),
            "redraws_per_s": per_s(s.samples, lambda x: x["boundary"]["frames_drawn"]),
            "epochs_per_s": per_s(s.samples, lambda x: x["epoch"]),
            "longest_stall_s": longest_stall(s.samples),
            "last_epoch": s.samples[-1]["epoch"] if s.samples else None,
            "console_errors": s.console_errors[:5], "page_errors": s.page_errors[:5],
            "exception_boxes": s.exceptions, "queued": s.queued, "errors": s.errors,
        })
    return rows


# ---- the whole run -------------------------------------------------------------------------------


def _min_median(values) -> tuple[float | None, float | None]:
    values = [v for v in values if v is not None]
    return (min(values), statistics.median(values)) if values else (None, None)


def wait_rss_settles(pid: int, target: int, timeout_s: float, first_s: float) -> tuple[int, float]:
    """Wait first_s (the sessions' TTL must pass before anything can be freed), then poll RSS until
    it is at or below target or timeout_s has passed since the call; returns (RSS, seconds waited)."""
    start = time.monotonic()
    time.sleep(first_s)
    rss = rss_bytes(pid)
    while rss > target and time.monotonic() - start < timeout_s:
        time.sleep(1.0)
        rss = rss_bytes(pid)
    return rss, time.monotonic() - start


def run(sessions: int = 8, seconds: float = 60, ttl_s: int = DEFAULT_TTL_S, settle_s: float = 90,
        rounds_n: int = 1) -> dict:
    """Start the server and chromium, warm up, then `rounds_n` times: load, close, settle; returns the figures.

    A second round tells a leak (RSS climbs again by as much) from memory the allocator keeps for reuse.
    """
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise SystemExit("chromium not found on PATH (Debian's chromium is needed; never `playwright install`)")
    with serve(ttl_s) as server, sync_playwright() as p:
        monitor = ProcMonitor(server.pid)
        monitor.start()
        browser = p.chromium.launch(executable_path=exe, args=LOAD_CHROMIUM_ARGS)
        try:
            cold_rss = rss_bytes(server.pid)
            # Warm-up visit: imports torch and the app; its session then expires after the TTL.
            warm = open_sessions(browser, server.url, 1)
            close_sessions(warm)
            time.sleep(ttl_s + 5)
            baseline = rss_bytes(server.pid)
            slack = max(RSS_SLACK_MB * MB, RSS_SLACK_FRACTION * baseline)
            log_start = log_size(server.log)
            rows, rounds, load, in_load = [], [], [], []
            for _ in range(rounds_n):
                mark = log_size(server.log)
                t_start = time.monotonic()
                measured = measure(browser, server.url, sessions, seconds)
                t_end = time.monotonic()
                in_load.append((mark, log_size(server.log)))
                rows += summarize(measured)
                close_sessions(measured)
                after, waited = wait_rss_settles(server.pid, int(baseline + slack), max(settle_s, ttl_s + 10),
                                                 first_s=ttl_s + 5)
                window = monitor.window(t_start, t_end)
                load += window
                rounds.append({"peak_rss_mb": max([w[1] for w in window] + [baseline]) / MB,
                               "rss_after_close_mb": after / MB, "settle_s": round(waited, 1)})
        finally:
            browser.close()
            monitor.stop()
        gaps = [(b, a) for (_, b), (a, _) in itertools.pairwise([*in_load, (None, None)])]  # after each load
        phases = {"warm-up": tracebacks(server.log, 0, log_start),
                  "load": [t for a, b in in_load for t in tracebacks(server.log, a, b)],
                  "close": [t for a, b in gaps for t in tracebacks(server.log, a, b)]}
    updates = _min_median(r["updates_per_s"] for r in rows)
    epochs = _min_median(r["epochs_per_s"] for r in rows)
    redraws = _min_median(r["redraws_per_s"] for r in rows)
    errors = sum(r["errors"] for r in rows) + len(phases["load"])
    peak = max([s[1] for s in load] + [baseline])

    def mean(k: int) -> float | None:
        return statistics.mean(s[k] for s in load) if load else None

    result = {
        "sessions": sessions, "seconds": seconds, "ttl_s": ttl_s, "machine": machine(),
        "cold_rss_mb": cold_rss / MB, "baseline_rss_mb": baseline / MB, "peak_rss_mb": peak / MB,
        "rss_after_close_mb": after / MB, "settle_s": round(waited, 1), "rounds": rounds, "slack_mb": slack / MB,
        "updates_per_s": updates, "epochs_per_s": epochs, "redraws_per_s": redraws,
        "server_cpu_mean": mean(2), "server_cpu_peak": max((s[2] for s in load), default=None),
        "browser_cpu_mean": mean(3), "load_avg_mean": mean(4),
        "errors": errors, "tracebacks": {k: v[:10] for k, v in phases.items()},
        "queued_sessions": sum(r["queued"] for r in rows), "rows": rows, "log": str(server.log),
    }
    result["goals"] = {
        "every session >= 1 update/s": updates[0] is not None and updates[0] >= GOAL_UPDATES_PER_S,
        "zero errors": errors == 0,
        "RSS back near baseline": after <= baseline + slack,
    }
    return result


def machine() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load avg {load[0]:.1f} at the end, Python {sys.version.split()[0]}"


def _f(v, digits: int = 1) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def table(r: dict, markdown: bool = False) -> str:
    """The summary table, then one line per session."""
    head = ("sessions", "updates/s (min, median)", "epochs/s (min, median)", "errors", "peak RSS", "RSS after close")
    body = (str(r["sessions"]), f"{_f(r['updates_per_s'][0])}, {_f(r['updates_per_s'][1])}",
            f"{_f(r['epochs_per_s'][0])}, {_f(r['epochs_per_s'][1])}",
            str(r["errors"]) + (f" (+{len(r['tracebacks']['close'])} at close)" if r["tracebacks"]["close"] else ""),
            f"{r['peak_rss_mb']:.0f} MB", f"{r['rss_after_close_mb']:.0f} MB (baseline {r['baseline_rss_mb']:.0f} MB)")
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), "| " + " | ".join(body) + " |"]
    else:
        widths = [max(len(a), len(b)) for a, b in zip(head, body, strict=True)]
        out = ["  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)) for row in (head, body)]
    out.append("")
    out.append(f"boundary redraws/s (min, median): {_f(r['redraws_per_s'][0])}, {_f(r['redraws_per_s'][1])}; "
               f"server CPU mean {_f(100 * (r['server_cpu_mean'] or 0), 0)}%, "
               f"peak {_f(100 * (r['server_cpu_peak'] or 0), 0)}% of one core; browser CPU mean "
               f"{_f(100 * (r['browser_cpu_mean'] or 0), 0)}% of one core; machine load avg {_f(r['load_avg_mean'])}; "
               f"cold RSS {r['cold_rss_mb']:.0f} MB; RSS settled {r['settle_s']} s after close "
               f"(TTL {r['ttl_s']} s, slack {r['slack_mb']:.0f} MB); queued sessions {r['queued_sessions']}; "
               f"{r['machine']}")
    for row in r["rows"]:
        out.append(f"  session {row['session']}: {_f(row['updates_per_s'])} updates/s, "
                   f"{_f(row['loss_renders_per_s'])} loss renders/s, {_f(row['redraws_per_s'])} redraws/s, "
                   f"{_f(row['epochs_per_s'])} epochs/s, longest stall {_f(row['longest_stall_s'])} s, "
                   f"epoch {row['last_epoch']}, errors {row['errors']}"
                   + (f" {row['console_errors'] + row['page_errors']}" if row["errors"] else ""))
    if len(r["rounds"]) > 1:
        out.append("per round: " + "; ".join(f"round {k + 1} peak {x['peak_rss_mb']:.0f} MB, after close "
                                              f"{x['rss_after_close_mb']:.0f} MB" for k, x in enumerate(r["rounds"])))
    for phase, lines in r["tracebacks"].items():
        if lines:
            out.append(f"server tracebacks during {phase}: " + "; ".join(lines))
    out.append("goals: " + ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in r["goals"].items()))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions training at once (default 8)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they all train (default 60)")
    parser.add_argument("--ttl", type=int, default=DEFAULT_TTL_S,
                        help="--server.disconnectedSessionTTL for this run (default 5; the app's config says 120)")
    parser.add_argument("--settle", type=float, default=90, help="most seconds to wait for RSS after closing")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat load + close this many times (a leak grows every round; default 1)")
    parser.add_argument("--markdown", action="store_true", help="print the summary table as markdown")
    parser.add_argument("--acceptance", action="store_true",
                        help="the issue #17 rows instead: 4 visitors, 8 visitors, and fair share next to the "
                             "heaviest config, each for --seconds (default 30 here)")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "out" / "load.json"),
                        help="where to write every figure as JSON ('' to skip)")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0:
        parser.error("--sessions must be at least 1 and --seconds positive")
    if args.acceptance:
        from benchmarks.acceptance import main as acceptance_main

        seconds = args.seconds if "--seconds" in (argv if argv is not None else sys.argv) else 30
        return acceptance_main(seconds, args.ttl, args.markdown, args.json.replace("load.json", "acceptance.json"))
    result = run(args.sessions, args.seconds, args.ttl, args.settle, args.rounds)
    print(f"\nLoad: {args.sessions} sessions x {args.seconds:g} s x {args.rounds} round(s), server TTL {args.ttl} s\n")
    print(table(result, markdown=args.markdown))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str))
    return 0 if all(result["goals"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())


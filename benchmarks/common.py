"""Shared pieces: result rows and the table, interleaved timing, RSS, and a served app in chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# ---- rows and the table ------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the table. A goal is (op, target) with op '>=' or '<='; no goal = informational."""

    bench: str
    case: str
    value: float | None
    unit: str = ""
    goal: tuple[str, float] | None = None
    detail: str = ""  # shown after the figure, e.g. the two rates behind a ratio
    profile: str = ""  # printed under the table (e.g. cProfile of a missed goal)
    digits: int = 2
    failed: bool = False  # could not be measured because the thing under test broke: counts as missed

    @property
    def met(self) -> bool | None:
        """True/False against the goal; None when informational or not measured (False if it broke)."""
        if self.goal is None or self.value is None:
            return False if self.failed else None
        op, target = self.goal
        return self.value >= target if op == ">=" else self.value <= target

    def figure(self) -> str:
        if self.value is None:
            return ("FAILED" if self.failed else "not measured") + (f" ({self.detail})" if self.detail else "")
        text = f"{self.value:.{self.digits}f}{(' ' + self.unit) if self.unit else ''}"
        return text + (f" ({self.detail})" if self.detail else "")

    def goal_text(self) -> str:
        if self.goal is None:
            return "–"
        op, target = self.goal
        return f"{'≥' if op == '>=' else '≤'} {target:g}{(' ' + self.unit) if self.unit else ''}"

    def met_text(self) -> str:
        return {True: "✓", False: "✗", None: "–"}[self.met]

    def as_dict(self) -> dict:
        return {"bench": self.bench, "case": self.case, "value": self.value, "unit": self.unit,
                "goal": list(self.goal) if self.goal else None, "met": self.met, "detail": self.detail}


def table(rows: list[Row], markdown: bool = False) -> str:
    """The one results table: benchmark, case, measured figure, goal, met?"""
    head = ("benchmark", "case", "measured", "goal", "met?")
    body = [(r.bench, r.case, r.figure(), r.goal_text(), r.met_text()) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        return "\n".join(lines + ["| " + " | ".join(b) + " |" for b in body])
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt.format(*head), rule, *(fmt.format(*b) for b in body)])


# ---- timing --------------------------------------------------------------------------------------

def median(values) -> float:
    return float(statistics.median(values))


def calibrate(fn: Callable[[], object], target_s: float) -> int:
    """How many calls of fn make one timed block of about target_s (at least 1)."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(target_s / once))


def interleave(fns: dict[str, Callable[[], object]], *, seconds: float, min_reps: int = 5,
               block: dict[str, int] | int = 1, cpu: dict[str, list[float]] | None = None) -> dict[str, list[float]]:
    """Time each fn in turn, rep after rep, for `seconds`; per-call wall seconds of every block.

    Alternating A, B, A, B (rotating which goes first) makes load from other processes hit
    every contender alike, so a ratio of medians stays meaningful on a busy machine. Given a
    dict, `cpu` also receives each block's per-call CPU seconds of this thread (time.thread_time):
    unlike wall time it does not count the time the thread was descheduled.
    """
    names = list(fns)
    blocks = block if isinstance(block, dict) else dict.fromkeys(names, block)
    out: dict[str, list[float]] = {k: [] for k in names}
    if cpu is not None:
        cpu.update({k: [] for k in names})
    end, rep = time.perf_counter() + seconds, 0
    while rep < min_reps or time.perf_counter() < end:
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            fn, k = fns[name], blocks[name]
            start, start_cpu = time.perf_counter(), time.thread_time()
            for _ in range(k):
                fn()
            out[name].append((time.perf_counter() - start) / k)
            if cpu is not None:
                cpu[name].append((time.thread_time() - start_cpu) / k)
        rep += 1
    return out


# ---- memory --------------------------------------------------------------------------------------

def rss_bytes(pid: int | None = None) -> int:
    """Resident set size of a process (psutil when installed, else /proc/<pid>/status VmRSS)."""
    pid = os.getpid() if pid is None else pid
    try:
        import psutil

        return int(psutil.Process(pid).memory_info().rss)
    except ImportError:
        pass
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0  # the process is gone


MB = 1024 * 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def descendants(root: int) -> list[int]:
    """PIDs of every process below root (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack += children.get(pid, [])
    return out


class CpuMeter:
    """CPU used by the server and by everything else this process started (chromium) over a window."""

    def __init__(self, server_pid: int):
        self.server = server_pid
        self.others = [p for p in descendants(os.getpid()) if p != server_pid and p not in descendants(server_pid)]
        self.start = (time.monotonic(), cpu_seconds(server_pid), sum(cpu_seconds(p) for p in self.others))

    def read(self) -> dict[str, float]:
        """Seconds elapsed and the server's and the browser side's CPU seconds since start."""
        t0, s0, b0 = self.start
        return {"wall": time.monotonic() - t0, "server": cpu_seconds(self.server) - s0,
                "browser": sum(cpu_seconds(p) for p in self.others) - b0}


# ---- the app served by `streamlit run`, and chromium -------------------------------------------

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHARTS = "iframe[title$='live_chart']"  # first: decision boundary, second: loss curve

# One atomic sample of the page: the epoch counter and both charts' pgStats (same-origin iframes). `points`:
# the chart's pgStats.points (points appended so far) where the live chart exposes it, else its first trace's length.
SAMPLE_JS = """() => {
  const charts = [...document.querySelectorAll("iframe[title$='live_chart']")];
  const read = (f) => { try { const w = f.contentWindow, p = w.document.getElementById('plot'), d = p && p.data || [];
      return w.pgStats ? {...w.pgStats, traces: d.length, svg: !!(p && p.querySelector('.main-svg')),
                          points: w.pgStats.points ?? (d[0] && d[0].x ? d[0].x.length : null)} : null;
    } catch (e) { return null; } };
  const c = document.getElementById('epoch-counter');
  return {t: performance.now() / 1000, epoch: c ? Number(c.dataset.epoch) : null, charts: charts.length,
          boundary: charts[0] ? read(charts[0]) : null, loss: charts[1] ? read(charts[1]) : null};
}"""
READY_JS = f"() => {{ const s = ({SAMPLE_JS})(); return s.charts >= 2 && s.epoch !== null"
READY_JS += " && !!s.boundary && s.boundary.svg && s.boundary.traces > 0 && !!s.loss && s.loss.svg; }"


# Main-thread probe: a 20 ms timer chain; time it fires late is time the page's main thread (shared
# with the same-origin chart iframes) was busy. lagProbe() starts it and returns a reader.
LAG_PROBE_JS = """() => { const p = {late: 0, since: performance.now(), last: performance.now()};
  const tick = () => { const now = performance.now(); p.late += Math.max(0, now - p.last - 20); p.last = now;
                       p.timer = setTimeout(tick, 20); };
  clearTimeout((window.pgLag || {}).timer); window.pgLag = p; p.timer = setTimeout(tick, 20); return true; }"""
LAG_READ_JS = "() => { const p = window.pgLag; return p ? p.late / (performance.now() - p.since) : null; }"


def chromium_path() -> str | None:
    return shutil.which("chromium")


def browser_available() -> tuple[bool, str]:
    """Whether the browser benchmarks can run here, and why not."""
    if chromium_path() is None:
        return False, "chromium not on PATH"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, "playwright not installed"
    return True, ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    launched_at: float  # time.monotonic() just before Popen
    healthy_at: float = 0.0
    log: Path | None = None
    extra: dict = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.proc.pid


def stop_by_pid(proc: subprocess.Popen) -> None:
    """SIGTERM the process we started, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def streamlit_app(script: Path = ROOT / "app.py", wait_healthy: bool = True, timeout: float = 90,
                  extra_args: tuple[str, ...] = ()) -> Iterator[Server]:
    """`streamlit run script` on a free port, started here and stopped by its PID.

    It runs from the repository root, so .streamlit/config.toml applies; extra_args (e.g.
    "--runner.postScriptGC", "false") override it for an experiment.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"benchmarks_streamlit_{port}.log"
    with open(log, "wb") as out:
        launched = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}/", proc, launched, log=log)
    try:
        if wait_healthy:
            wait_until_healthy(server, timeout)
        yield server
    finally:
        stop_by_pid(proc)


def wait_until_healthy(server: Server, timeout: float = 90, path: str = "_stcore/health") -> None:
    """Poll server.url + path until it answers 200 (Streamlit's health check by default)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.proc.args[2]} exited with {server.proc.returncode}; see {server.log}")
        try:
            with urllib.request.urlopen(server.url + path, timeout=2) as r:
                if r.status == 200:
                    server.healthy_at = time.monotonic()
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.url + path} did not answer within {timeout:.0f} s; see {server.log}")


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Debian's chromium via Playwright (never `playwright install`); a fresh profile per launch."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_app(browser, url: str, timeout_s: float = 90):
    """A new context (its own session) on url; returns (context, page) once both charts are drawn."""
    return open_apps(browser, [url], timeout_s)[0]


def open_apps(browser, urls: list[str], timeout_s: float = 90) -> list[tuple]:
    """Several sessions loading at once (each in its own context); [(context, page)] once all are drawn."""
    opened = []
    for url in urls:
        ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = ctx.new_page()
        page.goto(url, timeout=timeout_s * 1000, wait_until="commit")
        opened.append((ctx, page))
    for _, page in opened:
        page.wait_for_function(READY_JS, timeout=timeout_s * 1000, polling=50)
    return opened


def sample(page, js: str = SAMPLE_JS) -> dict:
    """One atomic reading of the page (the counter and both charts' pgStats)."""
    return page.evaluate(js)


def sample_for(page, seconds: float, every: float = 0.1, js: str = SAMPLE_JS) -> list[dict]:
    """Readings every `every` seconds for `seconds`."""
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        out.append(sample(page, js))
        time.sleep(every)
    return out


def press_play(page, timeout_s: float = 30) -> None:
    """Click Play and wait until the button says Pause and the epoch counter moved."""
    page.locator(".st-key-play button").click()
    page.locator(".st-key-play button").filter(has_text="Pause").wait_for(timeout=timeout_s * 1000)
    page.wait_for_function("() => { const c = document.getElementById('epoch-counter');"
                           " return c && Number(c.dataset.epoch) > 0; }", timeout=timeout_s * 1000)


def readings(samples: list[dict], get: Callable[[dict], float | None]) -> list[tuple[float, float]]:
    """(time, value) of every sample where get(sample) is readable (a chart may briefly be missing)."""
    points = []
    for s in samples:
        try:
            v = get(s)
        except (KeyError, TypeError):
            continue
        if v is not None:
            points.append((s["t"], float(v)))
    return points


def rate(samples: list[dict], get: Callable[[dict], float | None]) -> float | None:
    """Change per second of get(sample) between the first and last readable samples."""
    points = readings(samples, get)
    if len(points) < 2 or points[-1][0] <= points[0][0]:
        return None
    return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])

"""Shared fixtures: the real app served by `streamlit run`, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.common import free_port, stop_by_pid  # one copy of the process helpers

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HEALTH_TIMEOUT_S = 60  # a cold `streamlit run` on a busy 2-core machine


def chromium_path() -> str:
    """Debian's chromium; a missing browser skips locally but fails in CI."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium not found on PATH (required in CI for browser tests)")
        pytest.skip("chromium not found on PATH; install Debian's chromium to run browser tests")
    return path


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = HEALTH_TIMEOUT_S) -> None:
    """Poll /_stcore/health until it answers 200; fail if the server dies or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"streamlit did not answer {url}_stcore/health within {timeout:.0f} s")


@dataclass
class Server:
    """A running `streamlit run` of a script: its URL and when it was launched (time.monotonic())."""

    url: str
    pid: int
    launched_at: float
    healthy_at: float
    log: Path | None = None  # the server's stdout and stderr, for a failing test's message

    def log_tail(self, lines: int = 30) -> str:
        """The last lines the server printed (warnings such as a dropped session's reconnect)."""
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_streamlit(script: Path, *, launcher: tuple[str, ...] = ("-m", "streamlit"), **env_extra: str):
    """Context-managed `streamlit run script` on a free port; yields a Server, stops it by PID.

    launcher: what python runs instead of `-m streamlit` (e.g. a script that patches Streamlit first).
    """
    port = free_port()
    cmd = [sys.executable, *launcher, "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": pythonpath, **env_extra}  # so the app can import playground
    url = f"http://127.0.0.1:{port}/"
    launched_at = time.monotonic()
    fd, name = tempfile.mkstemp(prefix="streamlit-", suffix=".log")
    os.close(fd)
    log = Path(name)
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc)
        yield Server(url=url, pid=proc.pid, launched_at=launched_at, healthy_at=time.monotonic(), log=log)
    finally:
        stop_by_pid(proc)
        log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app_server():
    """The real app (app.py) served by `streamlit run` for the whole session."""
    yield from start_streamlit(ROOT / "app.py")


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium driven by Playwright.

    Module-scoped, not session-scoped: only one sync Playwright may run at a time, and
    test_live_chart.py starts its own.
    """
    exe = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh browser context per test (its own cookies, storage and cache), 1500×1000.

    launch() already gives the browser a fresh temporary user-data-dir.
    """
    ctx = chromium.new_context(viewport={"width": 1500, "height": 1000})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def ray_local():
    """One local Ray instance (2 CPUs) shared by every sweep test of the session: Ray starts slowly."""
    from playground.engine.devices import use_one_thread
    from playground.sweeps import tune_run

    use_one_thread()  # as in Ray's workers, so in-process reference runs compute alike
    startup = tune_run.connect(tune_run.LOCAL, cpus=2)
    try:
        yield startup
    finally:
        tune_run.shutdown()


def session_events(url: str) -> dict[str, int]:
    """Streamlit's session event counters (connect, reconnect, disconnect) from /_stcore/metrics."""
    with urllib.request.urlopen(url + "_stcore/metrics", timeout=10) as r:
        text = r.read().decode()
    found = re.findall(r'^session_events_total\{type="(\w+)"\} (\S+)$', text, flags=re.M)
    return {kind: int(float(value)) for kind, value in found}


@pytest.fixture
def faulty_server(tmp_path):
    """The app on its own server whose sends tests/faulty_server.py can stall or cut (files in tmp_path)."""
    for server in start_streamlit(ROOT / "app.py", launcher=(str(ROOT / "tests" / "faulty_server.py"),),
                                  PG_FAULT_DIR=str(tmp_path)):
        server.faults = tmp_path  # touch faults / "stall" or faults / "drop"
        yield server

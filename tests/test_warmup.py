"""The server warm-up: `streamlit run app.py` serves page.py through st.App, whose lifespan warms torch."""

import asyncio
from pathlib import Path

from streamlit.web.server.app_discovery import discover_asgi_app

from playground import warmup

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_run_app_py_finds_the_st_app_and_its_page():
    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.app_name == "app"
    assert "st.App(\"page.py\", lifespan=lifespan, routes=feed.routes())" in (ROOT / "app.py").read_text()
    assert (ROOT / "page.py").exists()


def test_warm_runs_once_and_leaves_torch_and_the_first_optimizer_loaded():
    first = warmup.warm()
    assert warmup.done() and first > 0
    assert warmup.warm() == first  # a second call (every page run makes one) does nothing
    import sys

    assert {"torch", "torch._dynamo", "sklearn.metrics", "plotly.graph_objects"} <= set(sys.modules)


def test_the_lifespan_warms_on_a_thread_and_yields_at_once(monkeypatch):
    started = []
    monkeypatch.setattr(warmup, "warm", lambda: started.append(True))

    async def serve():
        async with warmup.lifespan(None):
            return True

    assert asyncio.run(serve())
    import threading
    import time

    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started and not [t for t in threading.enumerate() if t.name == "playground-warm-up" and t.is_alive()]

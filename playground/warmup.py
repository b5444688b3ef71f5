"""Warm a fresh server: import torch and the app's modules and train one epoch, once per process.

A cold first visitor used to wait for torch, sklearn and `torch._dynamo` (pulled in by the first
`torch.optim` step: 829 modules) inside their first script run. app.py starts `warm()` on a thread
as the server starts; a page that arrives early waits for that one warm-up (never a second import
racing the first on another thread).
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time

_lock = threading.Lock()
_seconds: float | None = None  # how long the warm-up took, once done


def warm() -> float:
    """Import and exercise everything a first run needs (idempotent); the seconds the first call took."""
    global _seconds
    with _lock:
        if _seconds is None:
            start = time.perf_counter()
            _exercise()
            # The ~400k objects of torch, sklearn and plotly never die: park them outside the GC's
            # reach so its automatic collections stay cheap during live training.
            gc.freeze()
            _seconds = time.perf_counter() - start
        return _seconds


def _exercise() -> None:
    import sklearn.metrics  # noqa: F401  (the Evaluation tab's confusion matrix and ROC curve)

    from playground.config import RunConfig
    from playground.engine.devices import use_one_thread
    from playground.engine.train import Trainer
    from playground.figures.boundary import boundary_figure
    from playground.figures.grid import Boundary

    use_one_thread()
    trainer = Trainer(RunConfig(epochs=1, n_points=20))
    trainer.run()  # the first optimizer step imports torch._dynamo
    trainer.evaluate()  # sklearn.metrics
    boundary = Boundary(trainer.data)
    boundary_figure(boundary, trainer.data, boundary.values(trainer))  # plotly's validators load lazily


def done() -> bool:
    """True once the warm-up has finished."""
    return _seconds is not None


@contextlib.asynccontextmanager
async def lifespan(app):
    """st.App's lifespan hook: warm on a thread, so the server accepts connections at once."""
    threading.Thread(target=warm, name="playground-warm-up", daemon=True).start()
    yield

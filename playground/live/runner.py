"""The Runner protocol: what the one live loop knows about any mode (a run, a race, later more)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Protocol, runtime_checkable

from playground.catalog import LIVE_HPARAMS, STOPPING_FIELDS, Status
from playground.config import RunConfig

# Changing any other field changes the data, model or optimizer, so the run restarts.
RESET_FIELDS = tuple(f.name for f in dataclasses.fields(RunConfig) if f.name not in LIVE_HPARAMS + STOPPING_FIELDS)


@runtime_checkable
class Runner(Protocol):
    """Anything the live area can drive: one transport, one tick loop and one chart per lane."""

    lock: threading.RLock  # held for a whole tick: Pause and Step wait for it
    labels: list[str]  # one per lane

    @property
    def current_epoch(self) -> int: ...

    @property
    def done(self) -> bool: ...

    @property
    def status(self) -> Status: ...

    @property
    def steps_per_epoch(self) -> int: ...

    @property
    def steps_left(self) -> int: ...  # steps until the current epoch ends

    @property
    def lanes(self) -> list: ...  # the Trainers whose boundaries are drawn

    @property
    def cfg(self) -> RunConfig: ...  # epoch limit, data and seeds (a SurfaceRun: its SurfaceConfig, .epochs = steps)

    def epoch(self) -> None: ...

    def step(self, k: int) -> int: ...  # up to k optimizer steps; returns epochs completed


def reset_reasons(old: RunConfig, new: RunConfig) -> list[str]:
    """Fields whose change means a new run (data, model, optimizer or seeds)."""
    return [name for name in RESET_FIELDS if getattr(old, name) != getattr(new, name)]

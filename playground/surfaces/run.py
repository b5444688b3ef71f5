"""SurfaceRun: 1-7 torch.optim optimizers, each stepping its own 2-number Parameter from one start.

A Runner for the one live loop: one epoch is one optimizer step of every path still going.
A path that leaves the plotted domain keeps going (momentum overshoots and comes back), but it
stops as "escaped" once it is outside and lower than anywhere inside (a saddle's way out), and as
"diverged" once its value is not finite or it is DIVERGE_SPANS domain widths away.
"""

from __future__ import annotations

import math
import threading

import pandas as pd
import torch

from playground.catalog import Status
from playground.config import RunConfig
from playground.engine.optim import build_optimizer
from playground.surfaces.config import SurfaceConfig
from playground.surfaces.functions import DTYPE, Surface, make_surface

DIVERGE_SPANS = 100.0


class Path:
    """One optimizer's walk: its Parameter, its torch.optim optimizer and every point it visited."""

    def __init__(self, index: int, label: str, cfg: RunConfig, surface: Surface, scfg: SurfaceConfig,
                 floor: float):
        self.index, self.label, self.cfg, self.surface = index, label, cfg, surface
        self.floor = floor  # the lowest value inside the domain
        self.param = torch.nn.Parameter(torch.tensor(scfg.start_point, dtype=DTYPE))
        self.optimizer = build_optimizer(cfg, [self.param], fast=False)  # a plain loop's bits
        self.noise, self.tol = scfg.noise, scfg.tol
        # Every path draws the same noise sequence, so paths differ only by their optimizer.
        self.generator = torch.Generator().manual_seed(scfg.seed)
        self.xs, self.ys = [scfg.start_point[0]], [scfg.start_point[1]]
        self.values = [float(surface.value(self.param.detach()))]
        self.status = Status.READY
        self.stopped_at: int | None = None  # the step at which it diverged or escaped
        self.reached: int | None = None  # the first step with f − f* < ε
        self._note_reached()

    @property
    def steps(self) -> int:
        """Optimizer steps taken."""
        return len(self.values) - 1

    @property
    def done(self) -> bool:
        """True once it diverged or escaped: it takes no more steps."""
        return self.status.done

    def gap(self, value: float) -> float:
        """f − f*, or f itself on a surface unbounded below."""
        f_star = self.surface.info.f_star
        return value - f_star if f_star is not None else value

    def step(self) -> None:
        """One optimizer step on the (optionally noisy) gradient, then the divergence and domain checks."""
        self.optimizer.zero_grad()
        self.surface.value(self.param).backward()
        if self.noise:
            self.param.grad.add_(torch.randn(2, generator=self.generator, dtype=DTYPE), alpha=self.noise)
        self.optimizer.step()
        x, y = (float(v) for v in self.param.detach())
        value = float(self.surface.value(self.param.detach()))
        self.xs.append(x)
        self.ys.append(y)
        self.values.append(value)
        self.status = Status.RUNNING
        self._note_reached()
        self._check(x, y, value)

    def _note_reached(self) -> None:
        if self.reached is None and self.surface.info.f_star is not None and self.gap(self.values[-1]) < self.tol:
            self.reached = self.steps

    def _check(self, x: float, y: float, value: float) -> None:
        (xlo, xhi), (ylo, yhi) = self.surface.info.domain
        far = DIVERGE_SPANS * max(xhi - xlo, yhi - ylo)
        if not all(map(math.isfinite, (x, y, value))) or max(xlo - x, x - xhi, ylo - y, y - yhi) > far:
            self.status, self.stopped_at = Status.DIVERGED, self.steps
        elif not self.inside(x, y) and value < self.floor:
            self.status, self.stopped_at = Status.ESCAPED, self.steps

    def inside(self, x: float, y: float) -> bool:
        """True when (x, y) lies in the plotted domain."""
        (xlo, xhi), (ylo, yhi) = self.surface.info.domain
        return xlo <= x <= xhi and ylo <= y <= yhi

    def outcome(self) -> str:
        """The table's last cell: 'diverged at step 12', 'escaped at step 40', or 'in the domain'."""
        if self.stopped_at is not None:
            return f"{self.status} at step {self.stopped_at}"
        return "in the domain" if self.inside(self.xs[-1], self.ys[-1]) else "outside the domain"


class SurfaceRun:
    """Every path of a SurfaceConfig, advanced together one step at a time."""

    def __init__(self, cfg: SurfaceConfig):
        self._cfg = cfg
        self.surface = make_surface(cfg)
        self.labels = cfg.labels()
        self.lock = threading.RLock()
        floor = self.surface.floor()
        self.paths = [Path(k, label, pcfg, self.surface, cfg, floor)
                      for k, (label, pcfg) in enumerate(zip(self.labels, cfg.path_configs(), strict=True))]
        self._steps = 0
        self._cursor = 0  # the next path to step in the current epoch

    @property
    def cfg(self) -> SurfaceConfig:
        """The config this run was built from (read-only: a change means a new run)."""
        return self._cfg

    @property
    def current_epoch(self) -> int:
        """Steps taken by every path still going."""
        return self._steps

    @property
    def lanes(self) -> list[Path]:
        """The paths the live chart draws, one per optimizer."""
        return self.paths

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps one epoch takes: one per path still going."""
        return max(1, sum(not p.done for p in self.paths))

    @property
    def done(self) -> bool:
        """At the step limit, or every path has reached ε, escaped or diverged."""
        return self._steps >= self._cfg.steps or all(p.done or p.reached is not None for p in self.paths)

    @property
    def status(self) -> Status:
        """Ready, running, finished (step limit) or stopped early (every path settled)."""
        if self._steps == 0 and not self.done:
            return Status.READY
        if not self.done:
            return Status.RUNNING
        return Status.FINISHED if self._steps >= self._cfg.steps else Status.EARLY

    @property
    def message(self) -> str:
        """What the status means here, in words."""
        if self.status == Status.FINISHED:
            return f"Finished: reached the step limit ({self._cfg.steps} steps)."
        if self.status == Status.EARLY:
            return f"Stopped at step {self._steps}: every path reached f − f* < ε, escaped or diverged."
        return ""

    @property
    def steps_left(self) -> int:
        """Path steps until the current epoch ends."""
        return max(1, sum(not p.done for p in self.paths[self._cursor:]))

    def step(self, k: int = 1) -> int:
        """Up to k path steps (one optimizer step of one path each); returns 1 once the epoch completed."""
        with self.lock:
            taken = 0
            while True:
                while self._cursor < len(self.paths) and self.paths[self._cursor].done:
                    self._cursor += 1
                if self._cursor == len(self.paths):
                    self._cursor, self._steps = 0, self._steps + 1
                    return 1
                if taken == k:
                    return 0
                self.paths[self._cursor].step()
                self._cursor, taken = self._cursor + 1, taken + 1

    def epoch(self) -> None:
        """One optimizer step of every path still going."""
        with self.lock:
            while not self.step(len(self.paths)):
                pass

    def points(self) -> list[tuple[int, float | None, None]]:
        """Per path: (its step, f − f* there, no second curve), as the live loop streams them."""
        return [(p.steps, v if math.isfinite(v := p.gap(p.values[-1])) else None, None) for p in self.paths]

    def run(self, callback=None) -> None:
        """Step until done, calling callback(run) after each step."""
        while not self.done:
            self.epoch()
            if callback:
                callback(self)

    def table(self) -> pd.DataFrame:
        """One row per path: steps, steps to reach f − f* < ε, the final value, and its outcome."""
        gap = "f − f*" if self.surface.info.f_star is not None else "f (unbounded below)"
        rows = [{"path": p.label, "steps": p.steps, "steps to ε": p.reached, "f": p.values[-1],
                 gap: p.gap(p.values[-1]), "x": p.xs[-1], "y": p.ys[-1], "outcome": p.outcome()}
                for p in self.paths]
        frame = pd.DataFrame(rows).set_index("path").astype({"steps to ε": "Int64"})
        if self.surface.info.f_star is None:
            frame = frame.drop(columns=["steps to ε", gap])  # no minimum, so no ε to reach
        return frame

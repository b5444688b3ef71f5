"""SweepConfig: two swept RunConfig settings, their values, the metric, and the trials they make. Torch-free.

An axis (sweeps.axes) is written `lo:hi:log:n` (n log-spaced values), `lo:hi:n` (n evenly spaced; without
n, 4) or as a comma list `1,8,32,0`; an empty axis takes its values from the setting's own metadata (its
choices, both booleans, or its range). A random search draws `samples` pairs instead: a range axis
log-uniformly (log) or uniformly over [lo, hi], a list axis among its values, with Ray Tune's samplers
seeded by the config's init_seed, so a link draws the same pairs again.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground import fields
from playground.catalog import CSV, OPTIMIZERS, SWEEP_METRICS, SWEEP_SEARCHES
from playground.config import (
    MAX_SEED,
    MAX_SWEEP_EPOCHS,
    MAX_SWEEP_SEEDS,
    MAX_SWEEP_TRIALS,
    RunConfig,
    format_value,
)
from playground.fields import Invalid, setting
from playground.sweeps.axes import SWEEPABLE, Space, axis_values, default_axis, draw, space

NONE = "none"
# The server setting: cores a server lends to sweeps (Ray's local instance gets that many; each trial
# takes one). 0 or "off" turns the Sweep mode off; unset, every core but one, which live training keeps.
CPUS_ENV = "PLAYGROUND_SWEEP_CPUS"


@dataclass(frozen=True)
class SweepConfig:
    """What a sweep runs: every other setting is the page's current RunConfig."""

    x: str = setting("lr", "the setting along the heatmap's columns", choices=SWEEPABLE)
    x_values: str = setting("", "its values: lo:hi:log:n, lo:hi:n or a comma list; empty: from its range")
    y: str = setting("batch_size", "the setting along the heatmap's rows", choices=SWEEPABLE)
    y_values: str = setting("", "its values, written like x_values")
    trial_epochs: int = setting(100, "epochs per trial", 1, MAX_SWEEP_EPOCHS)
    metric: str = setting("val_loss", "what each cell shows", choices=tuple(SWEEP_METRICS))
    target: float = setting(0.3, "the loss that 'epochs to target' waits for", 1e-6, 100.0)
    seeds: int = setting(1, "initial weights per cell (init_seed, +1, …): a cell shows their mean and spread",
                         1, MAX_SWEEP_SEEDS)
    compare: str = setting(NONE, "a second optimizer swept on the same grid, side by side",
                           choices=(NONE, *OPTIMIZERS))
    asha: bool = setting(False, "ASHA: Ray Tune stops the trials that trail the others early")
    search: str = setting("grid", "grid: every pair of the axes' values; random: `samples` pairs drawn from the "
                          "axes' ranges (log-uniform for a log range), seeded by init_seed",
                          choices=tuple(SWEEP_SEARCHES))
    samples: int = setting(16, "random search: how many (x, y) pairs are drawn", 1, MAX_SWEEP_TRIALS)

    @property
    def random(self) -> bool:
        """True for a random search (points drawn from the axes), False for a grid."""
        return self.search == "random"

    def values(self, axis: str) -> tuple:
        """The swept values of axis 'x' or 'y' (raises Invalid with the reason)."""
        name = getattr(self, axis)
        return axis_values(name, getattr(self, axis + "_values") or default_axis(name))

    def check(self, axis: str) -> None:
        """Raise Invalid, with the reason, if axis 'x' or 'y' cannot be swept as this search sweeps it."""
        if self.random:
            axis_space(axis, self)
        else:
            self.values(axis)

    def optimizers(self, base: RunConfig) -> tuple[str, ...]:
        """One heatmap per optimizer: the config's own, then the one compared with it."""
        return (base.optimizer,) + ((self.compare,) if self.compare != NONE else ())

    def to_query(self) -> dict[str, str]:
        """URL params of every sweep setting."""
        return {name: format_value(getattr(self, name)) for name in SWEEP_KEYS}

    @classmethod
    def from_query(cls, params: dict[str, Any]) -> tuple[SweepConfig, list[str]]:
        """The sweep settings among URL params (others are ignored); bad values fall back and are reported."""
        cfg, warnings = fields.build(cls, {k: v for k, v in params.items() if k in SWEEP_KEYS})
        if cfg.x == cfg.y:
            other = "batch_size" if cfg.x != "batch_size" else "lr"
            warnings.append(f"x and y are both '{cfg.x}'; sweeping {other} along y")
            cfg = dataclasses.replace(cfg, y=other, y_values="")
        for axis in ("x", "y"):
            try:
                cfg.check(axis)
            except Invalid as exc:
                warnings.append(f"{axis}_values: {exc}; using the values of {getattr(cfg, axis)}'s range")
                cfg = dataclasses.replace(cfg, **{axis + "_values": ""})
        return cfg, warnings


SWEEP_KEYS = tuple(fields.fields_of(SweepConfig))


@dataclass(frozen=True)
class Trial:
    """One Trainer run of a sweep: its heatmap (optimizer), its cell and its seed."""

    index: int
    optimizer: str
    ix: int
    iy: int
    seed: int
    cfg: RunConfig


def axis_space(axis: str, scfg: SweepConfig) -> Space:
    """The space a random search draws axis 'x' or 'y' from (raises Invalid with the reason)."""
    return space(getattr(scfg, axis), getattr(scfg, axis + "_values"))


def draws(scfg: SweepConfig, base: RunConfig) -> list[tuple]:
    """A random search's (x, y) pairs, drawn from one generator seeded by init_seed: a link draws them again."""
    rng = np.random.default_rng(base.init_seed)
    columns = [draw(axis_space(axis, scfg), scfg.samples, rng) for axis in ("x", "y")]
    return list(zip(*columns, strict=True))


def problem(scfg: SweepConfig, base: RunConfig) -> str | None:
    """Why this sweep cannot run over this config, in plain words; None when it can."""
    if scfg.x == scfg.y:
        return f"sweep two different settings (both are {scfg.x})"
    if scfg.compare != NONE and "optimizer" in (scfg.x, scfg.y):
        return "the optimizer is already swept: a second heatmap would repeat it"
    if scfg.compare == base.optimizer:
        return f"the second heatmap's optimizer is the config's own ({OPTIMIZERS[base.optimizer].label})"
    try:
        scfg.check("x"), scfg.check("y")
        cells = scfg.samples if scfg.random else len(scfg.values("x")) * len(scfg.values("y"))
    except Invalid as exc:
        return str(exc)
    trials = cells * scfg.seeds * len(scfg.optimizers(base))
    if trials > MAX_SWEEP_TRIALS:
        what = "samples" if scfg.random else "cells"
        return (f"{cells} {what} × {scfg.seeds} seeds × {len(scfg.optimizers(base))} optimizers is {trials} "
                f"trials; at most {MAX_SWEEP_TRIALS}")
    if base.dataset == CSV:
        return "sweeps run on the built-in datasets (an upload stays in your browser session)"
    return None


def plan(scfg: SweepConfig, base: RunConfig) -> list[Trial]:
    """Every trial: heatmap by heatmap, row by row, cell by cell, seed by seed (a random search: one row of
    samples, the same drawn pairs for every optimizer)."""
    if scfg.random:
        pairs = [((k, 0), vx, vy) for k, (vx, vy) in enumerate(draws(scfg, base))]
    else:
        xs, ys = scfg.values("x"), scfg.values("y")
        pairs = [((ix, iy), vx, vy) for iy, vy in enumerate(ys) for ix, vx in enumerate(xs)]
    trials = []
    for optimizer in scfg.optimizers(base):
        for (ix, iy), vx, vy in pairs:
            cell = cell_config(scfg, base, optimizer, vx, vy)
            for seed in range(scfg.seeds):
                cfg = cell.replace(init_seed=(cell.init_seed + seed) % (MAX_SEED + 1)) if seed else cell
                trials.append(Trial(len(trials), optimizer, ix, iy, seed, cfg))
    return trials


def cell_config(scfg: SweepConfig, base: RunConfig, optimizer: str, vx, vy) -> RunConfig:
    """The exact config of a cell's first trial: what clicking the cell opens."""
    changes = {"optimizer": optimizer, scfg.x: vx, scfg.y: vy, "epochs": scfg.trial_epochs}
    return base.replace(**{k: v for k, v in changes.items() if getattr(base, k) != v})


def label(value) -> str:
    """An axis value as a tick label: 1e-04, 32, full (batch 0), on/off."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.3g}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.0e}"
    return str(value)


def axis_label(name: str, value) -> str:
    """A tick label that says what batch size 0 and 1 mean."""
    if name == "batch_size" and value in (0, 1):
        return "full" if value == 0 else "1 (stochastic)"
    return label(value)


def finite(value) -> bool:
    """True for a real number (a metric that was measured)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def server_cpus(environ=os.environ) -> int:
    """The cores sweeps may use on this server (CPUS_ENV); 0 means sweeps are turned off."""
    raw = str(environ.get(CPUS_ENV, "")).strip().lower()
    if raw in ("off", "no", "false"):
        return 0
    default = max(1, (os.cpu_count() or 2) - 1)
    try:
        return max(0, int(raw)) if raw else default
    except ValueError:
        return default

"""Reads lessons.toml (the lessons' texts and settings, described at its top) into Lesson objects."""

from __future__ import annotations

import tomllib
from pathlib import Path
from string import Template
from typing import Any

from playground.catalog import DEFAULT_LANES, OPTIMIZERS
from playground.config import RunConfig
from playground.lessons.lesson import Lesson
from playground.surfaces.config import SurfaceConfig, normal

LESSONS_TOML = Path(__file__).with_name("lessons.toml")


def _tuples(table: dict[str, Any]) -> dict[str, Any]:
    """TOML's arrays as the tuples the configs hold."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}


def _config(settings: dict[str, Any] | None, configs: dict[str, dict]) -> RunConfig:
    """RunConfig() without settings; else the settings (over [configs.LIKE]'s), run to the epoch limit."""
    if settings is None:
        return RunConfig()
    settings = dict(settings)
    base = configs[settings.pop("like")] if "like" in settings else {}
    return RunConfig().replace(**_tuples({"patience": 0, **base, **settings}))


def _symbols(formulas: dict[str, str]) -> dict[str, str]:
    """What a formula's $NAME may stand for: the shared formulas, each optimizer's rule and its update."""
    rules = {name: info.latex for name, info in OPTIMIZERS.items() if info.latex}
    updates = {f"{name}_update": latex.split(r" \\ ", 1)[-1] for name, latex in rules.items()}
    return {**rules, **updates, **formulas}


def _surface(table: dict[str, Any] | None) -> SurfaceConfig | None:
    """A surface lesson's SurfaceConfig, its paths in the form the config stores."""
    if table is None:
        return None
    table = dict(table)
    paths = tuple(normal(path) for path in table.pop("paths", ()))
    return SurfaceConfig(**_tuples(table), **({"paths": paths} if paths else {}))


def _lesson(entry: dict[str, Any], configs: dict[str, dict], symbols: dict[str, str]) -> Lesson:
    """One [[lessons]] entry as a Lesson."""
    entry = dict(entry)
    lanes = entry.pop("lanes", ())
    return Lesson(
        config=_config(entry.pop("config", None), configs),
        lanes=DEFAULT_LANES if lanes == "default" else tuple(dict(lane) for lane in lanes),
        surface=_surface(entry.pop("surface", None)),
        formula=Template(entry.pop("formula", "")).substitute(symbols),
        controls=tuple(entry.pop("controls", ())),
        **entry,  # name, title and the prose
    )


def read(path: Path = LESSONS_TOML) -> tuple[Lesson, ...]:
    """Every lesson in the file, in its order."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    symbols = _symbols(data.get("formulas", {}))
    return tuple(_lesson(entry, data.get("configs", {}), symbols) for entry in data["lessons"])

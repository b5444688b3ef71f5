"""SurfaceConfig: the surface, the start, the noise and 1-7 optimizer paths; URL round trip. Torch-free.

A path is a RunConfig override limited to the optimizer's own settings, written the same way in
the URL (`opt1=adam:lr=0.01;betas=0.9,0.99`) and on the command line (`--opt adam:lr=0.01`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from playground import fields
from playground.catalog import DEFAULT_PATHS, OPTIMIZERS, SURFACES, SurfaceInfo
from playground.config import MAX_KAPPA, MAX_PATHS, MAX_SEED, MAX_SURFACE_STEPS, RunConfig, parse_value
from playground.fields import Items, clip, format_value, setting
from playground.race_config import lane_label, numbered

PATH_FIELDS = ("optimizer", "lr", "momentum", "nesterov", "betas", "eps", "weight_decay")
MAX_NOISE = 10.0
START = Items(float, -1000.0, 1000.0, max_len=2, too_long="the start is two numbers: x,y")
Path = tuple[tuple[str, Any], ...]  # sorted (field, value) pairs, the optimizer among them


def _frozen(path: dict) -> Path:
    return tuple(sorted(path.items()))


def normal(path: dict) -> Path:
    """A path in one form: its optimizer, its lr, and the settings it uses that differ from the defaults."""
    default = RunConfig()
    kept = {k: v for k, v in path.items() if k in ("optimizer", "lr") or v != getattr(default, k)}
    return _frozen({"lr": default.lr, **kept})


@dataclass(frozen=True)
class SurfaceConfig:
    """Everything that determines a surface run; equal configs give identical paths."""

    surface: str = setting("quadratic", "which loss surface", choices=tuple(SURFACES))
    kappa: float = setting(100.0, "condition number κ of the quadratic", 1.0, MAX_KAPPA)
    angle: float = setting(0.0, "rotation of the quadratic's axes, in degrees", -90.0, 90.0)
    start: tuple[float, ...] = setting((), "start point x,y; none = the surface's own", items=START)
    noise: float = setting(0.0, "std of the Gaussian noise added to every gradient", 0.0, MAX_NOISE)
    seed: int = setting(0, "seeds the gradient noise (every path draws the same noise)", 0, MAX_SEED)
    steps: int = setting(300, "step limit per path", 1, MAX_SURFACE_STEPS)
    tol: float = setting(1e-6, "ε: a path has converged once f − f* < ε", 1e-15, 1.0)
    paths: tuple[Path, ...] = field(default=tuple(normal(p) for p in DEFAULT_PATHS))

    @property
    def epochs(self) -> int:
        """The live counter's limit: one epoch of a surface run is one step of every path."""
        return self.steps

    @property
    def info(self) -> SurfaceInfo:
        """The surface's catalogue entry."""
        return SURFACES[self.surface]

    @property
    def start_point(self) -> tuple[float, float]:
        """Where every path starts: the chosen point, else the surface's own."""
        return (self.start[0], self.start[1]) if len(self.start) == 2 else self.info.start

    def path_configs(self) -> list[RunConfig]:
        """The RunConfig of every path (only its optimizer settings matter)."""
        return [RunConfig().replace(**dict(path)) for path in self.paths]

    def labels(self) -> list[str]:
        """Path names: the optimizer, its lr, its momentum, and the settings it changes from the defaults,
        e.g. 'SGD + momentum lr=0.019 momentum=0.9'."""
        names = []
        for path, cfg in zip(self.paths, self.path_configs(), strict=True):
            used, own = OPTIMIZERS[cfg.optimizer].hparams, dict(path)
            names.append(lane_label(cfg, [f for f in PATH_FIELDS[1:] if f in used and (f in own or f == "momentum")]))
        return numbered(names)

    def __post_init__(self) -> None:
        fields.unsign_zeros(self)  # as RunConfig: -0.0 passes range checks but is not what anyone means

    def replace(self, **changes: Any) -> SurfaceConfig:
        """A copy with some fields changed; raises ValueError if a new value breaks its rule."""
        new = dataclasses.replace(self, **changes)
        fields.validate(new, [k for k in changes if k != "paths"])
        problem = start_problem(new) or paths_problem(new.paths)
        if problem:
            raise ValueError(problem)
        return new

    def to_query(self) -> dict[str, str]:
        """URL params: every setting, then opt1..optN."""
        query = {name: format_value(getattr(self, name)) for name in SETTINGS}
        query.update({f"opt{k}": format_path(path) for k, path in enumerate(self.paths, start=1)})
        return query

    @classmethod
    def from_query(cls, params: dict[str, Any], base: SurfaceConfig | None = None
                   ) -> tuple[SurfaceConfig, list[str]]:
        """Build from URL params over base (default: the defaults); bad values fall back and are reported."""
        keys = path_keys(params)
        shared = {k: v for k, v in params.items() if k not in keys and k not in ("mode", "paths")}
        cfg, warnings = fields.build(cls, shared, base=base)
        if "paths" in params:
            warnings.append("'paths' is written opt1, opt2, …; it was ignored")
        problem = start_problem(cfg)
        if problem:
            warnings.append(f"{problem}; using its own start {format_value(cfg.info.start)}")
            cfg = dataclasses.replace(cfg, start=())
        if len(keys) > MAX_PATHS:
            warnings.append(f"at most {MAX_PATHS} paths; opt{MAX_PATHS + 1} and later were ignored")
        parsed = [p for k in keys[:MAX_PATHS] if (p := parse_path(str(params[k]), k, warnings))]
        if keys and not parsed:
            warnings.append("no valid path was given; showing the default ones")
        return (dataclasses.replace(cfg, paths=tuple(parsed)) if parsed else cfg), warnings


SETTINGS = tuple(f for f in fields.fields_of(SurfaceConfig) if f != "paths")


def path_keys(params: dict) -> list[str]:
    """opt1..opt99 in order."""
    return sorted((k for k in params if re.fullmatch(r"opt\d{1,2}", str(k))), key=lambda k: int(k[3:]))


def start_problem(cfg: SurfaceConfig) -> str | None:
    """Why the start point cannot be used (one number, or outside the plotted domain), or None."""
    if len(cfg.start) == 1:
        return "'start' needs two numbers, x,y"
    (xlo, xhi), (ylo, yhi) = cfg.info.domain
    if cfg.start and not (xlo <= cfg.start[0] <= xhi and ylo <= cfg.start[1] <= yhi):
        return (f"start {format_value(cfg.start)} is outside the {cfg.surface} domain "
                f"x in [{xlo:g}, {xhi:g}], y in [{ylo:g}, {yhi:g}]")
    return None


def paths_problem(paths: tuple[Path, ...]) -> str | None:
    """Why a tuple of paths is not valid, or None."""
    if not 1 <= len(paths) <= MAX_PATHS:
        return f"a surface run has 1 to {MAX_PATHS} paths"
    for path in paths:
        problems: list[str] = []
        if parse_path(format_path(path), "path", problems) != path or problems:
            return problems[0] if problems else f"path {format_path(path)} is not valid"
    return None


def format_path(path: Path) -> str:
    """'adam:lr=0.1;betas=0.9,0.99': the optimizer, then its settings."""
    values = dict(path)
    rest = ";".join(f"{k}={format_value(values[k])}" for k in PATH_FIELDS[1:] if k in values)
    return values.get("optimizer", "?") + (f":{rest}" if rest else "")



def parse_path(text: str, where: str, warnings: list[str]) -> Path | None:
    """One path from 'name:key=value;key=value' (',' also separates settings); None if unusable."""
    name, _, rest = text.strip().partition(":")
    name = name.strip().lower()
    if name not in OPTIMIZERS:
        warnings.append(f"{where}: '{clip(name)}' is not an optimizer (one of {', '.join(OPTIMIZERS)}); "
                        "the path was ignored")
        return None
    path, used = {"optimizer": name}, OPTIMIZERS[name].hparams
    for item in filter(str.strip, re.split(r"[;,](?=\s*[a-z_]+\s*=)", rest)):
        key, sep, raw = item.partition("=")
        key = key.strip().lower()
        if not sep or key not in PATH_FIELDS[1:]:
            warnings.append(f"{where}: '{clip(item)}' is not a path setting (key=value, key one of "
                            f"{', '.join(PATH_FIELDS[1:])}); ignored")
        elif key not in used:
            warnings.append(f"{where}: {OPTIMIZERS[name].label} does not use {key}; ignored")
        else:
            value, problem = parse_value(key, raw.strip())
            if problem:
                warnings.append(f"{where}: {problem}")
            if value is not None:
                path[key] = value
    return normal(path)

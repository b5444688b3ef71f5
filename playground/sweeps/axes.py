"""A sweep's axes: the values a grid takes from `lo:hi:log:n`, `lo:hi:n` or a comma list, and the space a
random search draws from (a range or the listed values). Torch-free; Ray only inside draw().

Every value goes through the setting's own rule (fields.parse_value), so a sweep can only run configs
the single-run page could run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground import fields
from playground.catalog import CSV
from playground.config import FIELDS, MAX_GRID, RunConfig, format_value
from playground.fields import Invalid, clip

# Scalar settings only (a tuple such as hidden is one value, not an axis); the device is not a result,
# and the epoch limit is the sweep's own trial_epochs.
SWEEPABLE = tuple(n for n, f in FIELDS.items() if not isinstance(f.default, tuple) and n not in ("device", "epochs"))
DEFAULT_AXES = {"lr": "1e-4:1:log:5", "batch_size": "1,8,32,0"}  # the question a class asks first
DEFAULT_POINTS = 4  # values of an axis drawn from a setting's range


def default_axis(name: str) -> str:
    """An axis from the setting's metadata: its choices, both booleans, or DEFAULT_POINTS across its range."""
    if name in DEFAULT_AXES:
        return DEFAULT_AXES[name]
    f = FIELDS[name]
    choices = f.metadata.get("choices")
    if choices:
        return ",".join([c for c in choices if c != CSV][:MAX_GRID])
    if isinstance(f.default, bool):
        return "0,1"
    lo, hi = f.metadata["lo"], f.metadata["hi"]
    scale = "log" if lo and lo > 0 and hi / lo >= 100 else "lin"
    return f"{lo:g}:{hi:g}:{scale}:{DEFAULT_POINTS}"


def axis_values(name: str, text: str) -> tuple:
    """Parse an axis: a range lo:hi[:log|lin]:n or a comma list, each value checked by the setting's rule."""
    if name not in SWEEPABLE:
        raise Invalid(f"'{clip(name)}' cannot be swept; sweepable settings are {', '.join(SWEEPABLE)}")
    text = str(text).strip()
    raws = _spread(name, text) if ":" in text else [r.strip() for r in text.split(",") if r.strip()]
    if not raws:
        raise Invalid("no values")
    if len(raws) > MAX_GRID:
        raise Invalid(f"at most {MAX_GRID} values per setting")
    values = []
    for raw in raws:
        value, problem = fields.parse_value(RunConfig, name, raw)
        if problem or value is None:
            raise Invalid((problem or f"'{clip(str(raw))}' is not valid").split("; ")[0])
        if value in values:
            raise Invalid(f"{format_value(value)} is listed twice")
        values.append(value)
    return tuple(values)


def _spread(name: str, text: str) -> list:
    """lo:hi:log:n or lo:hi[:lin]:n as n numbers (no n: DEFAULT_POINTS, so a random search's lo:hi:log reads as a
    grid too); integer settings are rounded (duplicates refused later)."""
    parts = [p.strip().lower() for p in text.split(":")]
    if len(parts) == 2 or (len(parts) == 3 and parts[2] in ("log", "lin")):
        parts.append(str(DEFAULT_POINTS))
    scale = parts.pop(2) if len(parts) == 4 else "lin"
    kind = type(FIELDS[name].default)
    if len(parts) != 3 or scale not in ("log", "lin") or kind not in (int, float):
        raise Invalid("write a range as lo:hi:log:n or lo:hi:n, for a numeric setting")
    try:
        lo, hi, n = fields.number(parts[0], float), fields.number(parts[1], float), fields.number(parts[2], int)
    except (TypeError, ValueError):  # a word where a number goes: the form is what is wrong
        raise Invalid("write a range as lo:hi:log:n or lo:hi:n, with numbers") from None
    if not 1 <= n <= MAX_GRID:
        raise Invalid(f"a range has 1 to {MAX_GRID} values")
    if scale == "log" and (lo <= 0 or hi <= 0):
        raise Invalid("a log range needs lo and hi above 0")
    points = np.geomspace(lo, hi, n) if scale == "log" else np.linspace(lo, hi, n)
    if kind is int:
        return [str(int(np.rint(p))) for p in points]
    return [format_value(float(f"{p:.6g}")) for p in points]  # 1e-4:1:log:5 gives 0.001, not 0.00099999


@dataclass(frozen=True)
class Space:
    """What a random search draws one setting from: `values` (a list axis), else [lo, hi], log-uniform if log."""

    name: str
    values: tuple = ()
    lo: float = 0.0
    hi: float = 0.0
    log: bool = False


def space(name: str, text: str) -> Space:
    """A random search's axis: a range lo:hi[:log|lin][:n] (n is a grid's; ignored here), else its listed values."""
    text = str(text or default_axis(name)).strip()
    if ":" not in text:
        return Space(name, values=axis_values(name, text))
    parts = [p.strip().lower() for p in text.split(":")]
    scale = next((p for p in parts[2:] if p in ("log", "lin")), "lin")
    if len(parts) > 4 or type(FIELDS[name].default) not in (int, float):
        raise Invalid("write a range as lo:hi:log or lo:hi, for a numeric setting")
    lo, hi = (axis_values(name, p)[0] for p in parts[:2])  # each end passes the setting's own rule
    if not lo < hi:
        raise Invalid(f"a range's lo must be below its hi ({format_value(lo)}:{format_value(hi)})")
    if scale == "log" and lo <= 0:
        raise Invalid("a log range needs lo and hi above 0")
    return Space(name, lo=lo, hi=hi, log=scale == "log")


def draw(space: Space, n: int, rng: np.random.Generator) -> list:
    """n values drawn by Ray Tune's own samplers: tune.choice, (log)randint or (log)uniform over [lo, hi]."""
    from ray import tune  # Ray loads with the first random search, not with the app

    if space.values:
        domain = tune.choice(list(space.values))
    elif isinstance(FIELDS[space.name].default, int):
        domain = (tune.lograndint if space.log else tune.randint)(int(space.lo), int(space.hi) + 1)
    else:
        domain = (tune.loguniform if space.log else tune.uniform)(space.lo, space.hi)
    drawn = domain.sample(size=n, random_state=rng)
    return [_kept(space, v) for v in (drawn if n > 1 else [drawn])]


def _kept(space: Space, value):
    """A drawn value as the trial's config holds it: 4 significant digits (a short, exact URL), inside [lo, hi]."""
    if space.values:
        return value
    if isinstance(FIELDS[space.name].default, int):
        return int(value)
    return min(max(float(f"{float(value):.4g}"), space.lo), space.hi)

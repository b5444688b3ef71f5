"""A parser for any frozen dataclass whose fields carry their rules: help, range, choices, items.

RunConfig, the race lanes, and later surface and sweep configs share it: a value from a URL, a
JSON file, a widget or the command line is parsed, range-checked and clamped the same way, and
every value that was not taken as given is reported in words that name the rule.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from playground.markup import encodable

MAX_PARAM_CHARS = 200  # longer URL values are ignored outright


@dataclass(frozen=True)
class Items:
    """The rule for a tuple field: item type, per-position ranges or allowed names, and allowed lengths."""

    kind: type
    lo: float | tuple | None = None  # one bound for every item, or one per position
    hi: float | tuple | None = None
    min_len: int = 0
    max_len: int | None = None
    too_long: str = ""  # the message naming the length limit
    out_of_range: str = ""  # set: an item outside its range (or choices) is invalid (else it is clamped)
    choices: tuple = ()  # set: items are names, each one of these
    unique: bool = False  # repeated items are dropped, the first kept, before the length is checked


def setting(default, help: str, lo=None, hi=None, choices=None, items: Items | None = None):
    """A dataclass field carrying its help text, valid range, choices or item rule."""
    meta = {"help": help, "lo": lo, "hi": hi, "choices": choices, "items": items}
    return field(default=default, metadata=meta)


class Invalid(ValueError):
    """A value that breaks a rule the message should name."""


def fields_of(cls) -> dict[str, dataclasses.Field]:
    """The dataclass's fields by name."""
    return {f.name: f for f in dataclasses.fields(cls)}


def format_value(value: Any) -> str:
    """A setting as URL text: 1/0 for booleans, comma lists for tuples."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(format_value(v) for v in value) if value else "none"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def clip(text: str, n: int = 40) -> str:
    """Long user text shortened for a message; unencodable characters (lone surrogates) become '?'."""
    text = encodable(text)
    return text if len(text) <= n else text[:n] + "…"


def short(value: Any) -> str:
    """A number as a reader would write it: 1e+300, not 301 digits."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.6g}"
    return clip(str(value))


def build(cls, params: dict[str, Any], base=None) -> tuple[Any, list[str]]:
    """An instance from raw values by field name (over base, else the defaults); bad values fall
    back to base's and are reported."""
    known, values, warnings = fields_of(cls), {}, []
    for key, raw in params.items():
        if key not in known:
            warnings.append(f"unknown setting '{clip(str(key))}' was ignored")
            continue
        value, problem = parse_value(cls, key, raw)
        if problem:
            warnings.append(problem)
        if value is not None:
            values[key] = value
    return (dataclasses.replace(base, **values) if base is not None else cls(**values)), warnings


def parse_value(cls, name: str, raw: Any) -> tuple[Any, str | None]:
    """Parse one field; returns (value, or None for the default; a warning or None)."""
    f = fields_of(cls)[name]
    default = f.default
    if isinstance(raw, str) and len(raw) > MAX_PARAM_CHARS:
        return None, f"'{name}' was longer than {MAX_PARAM_CHARS} characters; using {format_value(default)}"
    try:
        if f.metadata.get("items"):
            return _tuple(name, raw, f)
        value = _PARSERS[type(default)](raw)
    except Invalid as exc:  # a reason worth showing, e.g. the limit that was exceeded
        return None, f"'{name}={clip(str(raw))}' is not valid ({exc}); using {format_value(default)}"
    except (ValueError, TypeError, OverflowError):
        return None, f"'{name}={clip(str(raw))}' is not valid; using {format_value(default)}"
    return check(name, value, f)


def check(name: str, value: Any, f: dataclasses.Field) -> tuple[Any, str | None]:
    """Choices and range of a parsed value: out-of-range values are clamped, with a notice."""
    meta = f.metadata
    if meta.get("choices") and value not in meta["choices"]:
        options = ", ".join(meta["choices"])
        return None, f"'{name}={clip(str(value))}' is not one of {options}; using {f.default}"
    return _clamp(name, value, meta.get("lo"), meta.get("hi"), type(f.default))


def _clamp(name: str, value, lo, hi, kind: type) -> tuple[Any, str | None]:
    if lo is not None and value < lo:
        return kind(lo), f"'{name}={short(value)}' is below the minimum {lo}; clamped to {lo}"
    if hi is not None and value > hi:
        return kind(hi), f"'{name}={short(value)}' is above the limit {hi}; clamped to {hi}"
    return value, None


def validate(obj, names=None) -> None:
    """Raise ValueError naming the first field (of `names`, default all) whose value breaks its rule."""
    known = fields_of(type(obj))
    for name in names if names is not None else known:
        f, value = known[name], getattr(obj, name)
        parsed, problem = (_tuple(name, value, f) if f.metadata.get("items") else check(name, value, f))
        if problem or parsed != value:
            raise ValueError(problem or f"'{name}={clip(str(value))}' is not valid")


def _tuple(name: str, raw: Any, f: dataclasses.Field) -> tuple[tuple, str | None]:
    rule: Items = f.metadata["items"]
    values = [_name(v, rule) if rule.choices else number(v, rule.kind) for v in _items(raw)]
    notes = []
    if rule.unique and len(set(values)) < len(values):
        values = list(dict.fromkeys(values))
        notes.append(f"'{name}' named an item twice; kept {format_value(tuple(values))}")
    if len(values) < rule.min_len or (rule.max_len is not None and len(values) > rule.max_len):
        raise Invalid(rule.too_long or f"{rule.min_len} to {rule.max_len} numbers")
    out = []
    for k, v in enumerate(values):
        lo = rule.lo[k] if isinstance(rule.lo, tuple) else rule.lo
        hi = rule.hi[k] if isinstance(rule.hi, tuple) else rule.hi
        if rule.out_of_range and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            raise Invalid(rule.out_of_range)
        kept, note = _clamp(f"{name}[{k + 1}]", v, lo, hi, rule.kind)
        out.append(kept)
        if note:
            notes.append(note)
    return tuple(out), "; ".join(notes) or None


def _name(raw: Any, rule: Items) -> str:
    name = _str(raw)
    if name not in rule.choices:
        raise Invalid(rule.out_of_range or f"each item is one of {', '.join(rule.choices)}")
    return name


def _items(raw: Any) -> list:
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if not isinstance(raw, str):
        raise TypeError("not a list")
    text = raw.strip().strip("[]()")
    return [] if text.lower() in ("", "none") else text.split(",")


def number(raw: Any, kind: type) -> Any:
    """An int or float from text or a number; NaN, infinity, booleans and fractions of ints refused."""
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        raise TypeError("not a number")
    value = float(str(raw).strip())
    if not math.isfinite(value):
        raise ValueError("not finite")
    if kind is int:
        if value != int(value):
            raise ValueError("not an integer")
        return int(value)
    return value + 0.0  # -0.0 + 0.0 is 0.0: a signed zero would pass "x >= 0" yet break numpy


def unsign_zeros(obj) -> None:
    """Replace -0.0 by 0.0 in a frozen dataclass's float and float-tuple fields, in place."""
    for name, value in vars(obj).items():
        if isinstance(value, float) and value == 0.0:
            object.__setattr__(obj, name, 0.0)
        elif isinstance(value, tuple) and any(isinstance(v, float) and v == 0.0 for v in value):
            object.__setattr__(obj, name, tuple(0.0 if isinstance(v, float) and v == 0.0 else v for v in value))


def _bool(raw: Any) -> bool:
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean")


def _str(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError("not text")
    return raw.strip().lower()


_PARSERS = {
    int: lambda raw: number(raw, int),
    float: lambda raw: number(raw, float),
    bool: _bool,
    str: _str,
}

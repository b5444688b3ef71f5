"""RunConfig: the one frozen description of a training run, and the demo's hard limits."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from typing import Any

# Hard limits for the hosted demo. Every message that enforces one names the number.
MAX_POINTS = 2000  # synthetic points per dataset
MAX_LAYERS = 6  # hidden layers; 0 is logistic / linear regression
MAX_NEURONS = 64  # units per hidden layer
MAX_EPOCHS = 10_000
MAX_CLASSES = 5  # blobs
MAX_LANES = 4  # racing lanes
MAX_CSV_ROWS = 5000
MAX_UPLOAD_MB = 1
MAX_PARAM_CHARS = 200
MAX_TRAINING_SESSIONS = 8  # visitors training at once per server; the rest queue
MAX_STEPS_PER_S = 5000  # optimizer steps per second per session (caps "max" speed on big epochs)
MAX_HISTORY_ROWS = 5000  # past this a run's history keeps every other row  # longer URL values are ignored outright

DATASETS = (
    "moons", "circles", "xor", "spiral", "gaussian", "linear", "seedlab",
    "blobs", "sine", "plane",
    "iris", "wine", "breast_cancer", "digits", "diabetes", "csv",
)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "nesterov": "Nesterov", "rmsprop": "RMSprop",
                    "adagrad": "Adagrad", "adam": "Adam", "adamw": "AdamW"}
DEVICES = ("auto", "cpu", "cuda")


def _f(default, help, lo=None, hi=None, choices=None):
    """A dataclass field carrying its help text and valid range."""
    meta = {"help": help, "lo": lo, "hi": hi, "choices": choices}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run; equal configs give identical histories."""

    # data
    dataset: str = _f("moons", "which dataset to learn", choices=DATASETS)
    n_points: int = _f(300, "number of synthetic points", 10, MAX_POINTS)
    noise: float = _f(0.2, "label/feature noise of synthetic sets", 0.0, 1.0)
    classes: int = _f(3, "number of classes for blobs", 2, MAX_CLASSES)
    val_frac: float = _f(0.3, "share of points held out for validation", 0.0, 0.8)
    seed: int = _f(0, "seeds the data, and with init_seed the weights, shuffle and dropout", 0, 2**31 - 1)
    init_seed: int = _f(0, "Reset bumps this: new initial weights on the same data", 0, 2**31 - 1)
    # model
    hidden: tuple[int, ...] = _f((16, 16), "hidden layer sizes; () is a linear model")
    activation: str = _f("relu", "hidden non-linearity", choices=ACTIVATIONS)
    dropout: float = _f(0.0, "probability of zeroing a hidden unit while training", 0.0, 0.9)
    batch_norm: bool = _f(False, "normalize each hidden layer over the batch")
    # optimizer
    optimizer: str = _f("adam", "torch.optim algorithm", choices=OPTIMIZERS)
    lr: float = _f(0.01, "learning rate (step size)", 1e-5, 10.0)
    momentum: float = _f(0.9, "velocity decay for momentum methods", 0.0, 0.999)
    nesterov: bool = _f(False, "look-ahead gradient for SGD with momentum")
    betas: tuple[float, float] = _f((0.9, 0.999), "Adam's decay rates of the 1st and 2nd moments")
    eps: float = _f(1e-8, "denominator guard for adaptive methods", 1e-12, 1.0)
    weight_decay: float = _f(0.0, "L2 penalty (coupled in Adam, decoupled in AdamW)", 0.0, 1.0)
    # schedule
    batch_size: int = _f(32, "0 = full batch, 1 = stochastic", 0, MAX_POINTS)
    epochs: int = _f(1000, "epoch limit", 1, MAX_EPOCHS)
    # early stopping on validation loss; patience 0 turns it off
    patience: int = _f(0, "epochs without improvement before stopping; 0 = off", 0, MAX_EPOCHS)
    min_delta: float = _f(0.0, "smallest drop in val loss that counts as improvement", 0.0, 1.0)
    restore_best: bool = _f(True, "roll back to the best epoch's weights on stopping")
    device: str = _f("auto", "auto picks CUDA when present", choices=DEVICES)

    def replace(self, **changes: Any) -> RunConfig:
        """Return a copy with some fields changed (values are not re-validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    def to_json(self) -> str:
        """Serialize to a JSON object string."""
        return json.dumps(self.to_dict(), indent=2)

    def to_query(self) -> dict[str, str]:
        """Flat string dict for URL query params."""
        return {f.name: format_value(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_query(cls, params: dict[str, Any]) -> tuple[RunConfig, list[str]]:
        """Build from URL params; bad values fall back to defaults and are reported."""
        return _build(cls, params)

    @classmethod
    def from_json(cls, text: str | bytes) -> tuple[RunConfig, list[str]]:
        """Build from a JSON object string; never raises."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:
            return cls(), [f"config is not valid JSON ({type(exc).__name__}); using defaults"]
        if not isinstance(data, dict):
            return cls(), ["config JSON must be an object of settings; using defaults"]
        return _build(cls, data)


FIELDS = {f.name: f for f in dataclasses.fields(RunConfig)}
DEFAULT = RunConfig()


def format_value(value: Any) -> str:
    """A setting as URL text: 1/0 for booleans, comma lists for tuples."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(format_value(v) for v in value) if value else "none"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _build(cls, params: dict[str, Any]) -> tuple[RunConfig, list[str]]:
    values, warnings = {}, []
    for key, raw in params.items():
        key_text = _clip(str(key))
        if key not in FIELDS:
            warnings.append(f"unknown setting '{key_text}' was ignored")
            continue
        value, problem = parse_value(key, raw)
        if problem:
            warnings.append(problem)
        if value is not None:
            values[key] = value
    return cls(**values), warnings


def _short(value: Any) -> str:
    """A number as a reader would write it: 1e+300, not 301 digits."""
    return f"{value:.6g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else _clip(str(value))


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def parse_value(name: str, raw: Any) -> tuple[Any, str | None]:
    """Parse one setting; returns (value or None for default, warning or None)."""
    f = FIELDS[name]
    default = f.default
    if isinstance(raw, str) and len(raw) > MAX_PARAM_CHARS:
        return None, f"'{name}' was longer than {MAX_PARAM_CHARS} characters; using {format_value(default)}"
    try:
        value = _PARSERS[type(default)](raw, f)
    except Invalid as exc:  # a reason worth showing, e.g. the limit that was exceeded
        return None, f"'{name}={_clip(str(raw))}' is not valid ({exc}); using {format_value(default)}"
    except (ValueError, TypeError, OverflowError):
        return None, f"'{name}={_clip(str(raw))}' is not valid; using {format_value(default)}"
    return _check_range(name, value, f)


def _check_range(name: str, value: Any, f) -> tuple[Any, str | None]:
    meta = f.metadata
    if meta["choices"] and value not in meta["choices"]:
        options = ", ".join(meta["choices"])
        return None, f"'{name}={_clip(str(value))}' is not one of {options}; using {f.default}"
    lo, hi = meta["lo"], meta["hi"]
    if lo is not None and value < lo:
        return type(f.default)(lo), f"'{name}={_short(value)}' is below the minimum {lo}; clamped to {lo}"
    if hi is not None and value > hi:
        return type(f.default)(hi), f"'{name}={_short(value)}' is above the limit {hi}; clamped to {hi}"
    return value, None


class Invalid(ValueError):
    """A value that breaks a rule the message should name."""


def _number(raw: Any, kind: type) -> Any:
    if isinstance(raw, bool) or raw is None or isinstance(raw, (dict, list)):
        raise TypeError("not a number")
    number = float(str(raw).strip())
    if not math.isfinite(number):
        raise ValueError("not finite")
    if kind is int:
        if number != int(number):
            raise ValueError("not an integer")
        return int(number)
    return number


def _bool(raw: Any, f) -> bool:
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean")


def _str(raw: Any, f) -> str:
    if not isinstance(raw, str):
        raise TypeError("not text")
    return raw.strip().lower()


def _tuple(raw: Any, f) -> tuple:
    if f.name == "hidden":
        return _hidden(raw)
    return _betas(raw)


def _items(raw: Any) -> list:
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if not isinstance(raw, str):
        raise TypeError("not a list")
    text = raw.strip().strip("[]()")
    return [] if text.lower() in ("", "none") else text.split(",")


def _hidden(raw: Any) -> tuple[int, ...]:
    sizes = [_number(v, int) for v in _items(raw)]
    if len(sizes) > MAX_LAYERS:
        raise Invalid(f"at most {MAX_LAYERS} hidden layers")
    if any(s < 1 or s > MAX_NEURONS for s in sizes):
        raise Invalid(f"each layer needs 1 to {MAX_NEURONS} neurons")
    return tuple(sizes)


def _betas(raw: Any) -> tuple[float, float]:
    pair = [_number(v, float) for v in _items(raw)]
    if len(pair) != 2 or not all(0.0 <= b < 1.0 for b in pair):
        raise Invalid("betas are two numbers in [0, 1)")
    return (pair[0], pair[1])


_PARSERS = {
    int: lambda raw, f: _number(raw, int),
    float: lambda raw, f: _number(raw, float),
    bool: _bool,
    str: _str,
    tuple: _tuple,
}

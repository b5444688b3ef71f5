"""RunConfig: the one frozen description of a training run, and the demo's hard limits."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from playground import catalog, fields
from playground.fields import Items, setting

# Hard limits for the hosted demo. Every message that enforces one names the number.
MAX_POINTS = 2000  # synthetic points per dataset
MAX_LAYERS = 6  # hidden layers; 0 is logistic / linear regression
MAX_NEURONS = 64  # units per hidden layer
MAX_EPOCHS = 10_000
MAX_CLASSES = 5  # blobs
MAX_LANES = 4  # racing lanes
MAX_PATHS = 7  # optimizers on one loss surface
MAX_SURFACE_STEPS = 5000  # optimizer steps per path on a surface
MAX_KAPPA = 1000.0  # condition number of the quadratic surface
MAX_CSV_ROWS = 5000
MAX_UPLOAD_MB = 1
# |value| in a CSV feature or regression target: float32, which the network trains in, ends at 3.4e38,
# and the mean and spread of larger numbers can overflow (1e308 made the scaler's statistics NaN).
MAX_CSV_VALUE = 1e38
MAX_PARAM_CHARS = fields.MAX_PARAM_CHARS  # longer URL values are ignored outright
MAX_GRID = 8  # values per swept setting: a sweep's heatmap is at most 8 x 8 cells
MAX_SWEEP_SEEDS = 5  # initial weights per sweep cell
MAX_SWEEP_EPOCHS = 1000  # epochs per sweep trial
MAX_SWEEP_TRIALS = 256  # cells x seeds x optimizers in one sweep
MAX_TRAINING_SESSIONS = 8  # visitors training at once per server; the rest queue
MAX_STEPS_PER_S = 5000  # optimizer steps per second per session (caps "max" speed on big epochs)
MAX_HISTORY_ROWS = 5000  # past this a run's history keeps every other row
MAX_SEED = 2**31 - 1
MAX_BETAS = (0.999, 0.9999)  # the widgets' caps: a link may not set what the page cannot show
DEFAULT_PATIENCE = 50  # early stopping's default; 20 stopped some seeds of iris and TFP's circle before their best

HIDDEN = Items(int, 1, MAX_NEURONS, max_len=MAX_LAYERS, too_long=f"at most {MAX_LAYERS} hidden layers",
               out_of_range=f"each layer needs 1 to {MAX_NEURONS} neurons")
BETAS = Items(float, (0.0, 0.0), MAX_BETAS, min_len=2, max_len=2, too_long="betas are two numbers in [0, 1)")
FEATURES = Items(str, min_len=1, choices=tuple(catalog.INPUT_FEATURES), unique=True,
                 too_long="at least one input feature",
                 out_of_range=f"each input feature is one of {', '.join(catalog.INPUT_FEATURES)}")


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a run; equal configs give identical histories."""

    # data
    dataset: str = setting("moons", "which dataset to learn", choices=catalog.DATASET_NAMES)
    n_points: int = setting(300, "number of synthetic points", 10, MAX_POINTS)
    noise: float = setting(0.2, "label/feature noise of synthetic sets", 0.0, 1.0)
    classes: int = setting(3, "number of classes for blobs", 2, MAX_CLASSES)
    val_frac: float = setting(0.3, "share of points held out for validation", 0.0, 0.8)
    seed: int = setting(0, "seeds the data, and with init_seed the weights, shuffle and dropout", 0, MAX_SEED)
    init_seed: int = setting(0, "Reset bumps this: new initial weights on the same data", 0, MAX_SEED)
    # model
    features: tuple[str, ...] = setting(catalog.RAW_FEATURES, "what the first layer reads of 2-D data: the "
                                        "coordinates, their squares, product or sines", items=FEATURES)
    hidden: tuple[int, ...] = setting((16, 16), "hidden layer sizes; () is a linear model", items=HIDDEN)
    activation: str = setting("relu", "hidden non-linearity", choices=tuple(catalog.ACTIVATIONS))
    dropout: float = setting(0.0, "probability of zeroing a hidden unit while training", 0.0, 0.9)
    batch_norm: bool = setting(False, "normalize each hidden layer over the batch")
    init: str = setting("pytorch", "how the initial weights are drawn", choices=tuple(catalog.INITS))
    # optimizer
    optimizer: str = setting("adam", "torch.optim algorithm", choices=tuple(catalog.OPTIMIZERS))
    lr: float = setting(0.01, "learning rate (step size)", 1e-5, 10.0)
    momentum: float = setting(0.9, "velocity decay for momentum methods", 0.0, 0.999)
    nesterov: bool = setting(False, "look-ahead gradient for SGD with momentum")
    betas: tuple[float, float] = setting((0.9, 0.999), "Adam's decay rates of the 1st and 2nd moments",
                                         items=BETAS)
    eps: float = setting(1e-8, "denominator guard for adaptive methods", 1e-12, 1.0)
    weight_decay: float = setting(0.0, "L2 penalty (coupled in Adam, decoupled in AdamW)", 0.0, 1.0)
    # schedule
    batch_size: int = setting(32, "0 = full batch, 1 = stochastic", 0, MAX_POINTS)
    epochs: int = setting(1000, "epoch limit", 1, MAX_EPOCHS)
    # early stopping on validation loss, on by default: without it the default 1,000 Adam epochs
    # overfit (diabetes: validation R² -0.29; with patience and restore-best 0.42, level with Ridge)
    patience: int = setting(DEFAULT_PATIENCE, "epochs without improvement before stopping; 0 = off", 0, MAX_EPOCHS)
    min_delta: float = setting(0.0, "smallest drop in val loss that counts as improvement", 0.0, 1.0)
    restore_best: bool = setting(True, "roll back to the best epoch's weights on stopping")
    device: str = setting("auto", "auto picks CUDA when present", choices=catalog.DEVICES)

    def __post_init__(self) -> None:
        fields.unsign_zeros(self)  # a widget's -0.0 too: it passes "x >= 0" yet numpy's scale rejects it

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with some fields changed; raises ValueError if a new value breaks its field's rule."""
        new = dataclasses.replace(self, **changes)
        fields.validate(new, changes)
        return new

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    def to_json(self) -> str:
        """Serialize to a JSON object string."""
        return json.dumps(self.to_dict(), indent=2)

    def to_query(self, *, compact: bool = False) -> dict[str, str]:
        """Flat string dict for URL query params (compact: only the settings that differ from default)."""
        return {name: format_value(getattr(self, name)) for name in FIELDS
                if not compact or getattr(self, name) != getattr(DEFAULT, name)}

    @classmethod
    def from_query(cls, params: dict[str, Any]) -> tuple[RunConfig, list[str]]:
        """Build from URL params; bad values fall back to defaults and are reported."""
        return fields.build(cls, params)

    @classmethod
    def from_json(cls, text: str | bytes) -> tuple[RunConfig, list[str]]:
        """Build from a JSON object string; never raises."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:
            return cls(), [f"config is not valid JSON ({type(exc).__name__}); using defaults"]
        if not isinstance(data, dict):
            return cls(), ["config JSON must be an object of settings; using defaults"]
        return fields.build(cls, data)


FIELDS = fields.fields_of(RunConfig)
DEFAULT = RunConfig()
format_value = fields.format_value


def parse_value(name: str, raw: Any) -> tuple[Any, str | None]:
    """Parse one RunConfig setting; returns (value or None for default, warning or None)."""
    return fields.parse_value(RunConfig, name, raw)

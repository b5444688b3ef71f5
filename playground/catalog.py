r"""Every name the app knows, declared once and torch-free; the registries are built from it.

Adding an optimizer is one entry in OPTIMIZERS (its torch.optim class is named, not imported);
adding a bundled sklearn dataset is one entry in DATASETS (a synthetic one also needs its
generator in engine/data.py, named make_<name>). tests/test_catalog.py checks that every
registry agrees with this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Where a run stands; the value is the word shown to the learner."""

    READY = "ready"
    RUNNING = "running"
    FINISHED = "finished"
    EARLY = "stopped early"
    DIVERGED = "diverged"
    STALLED = "stalled"
    FAILED = "failed"
    ESCAPED = "escaped"  # a surface path that left the plotted domain going downhill

    @property
    def done(self) -> bool:
        """True once the run cannot train further without a change."""
        return self in (Status.FINISHED, Status.EARLY, Status.DIVERGED, Status.STALLED, Status.FAILED,
                        Status.ESCAPED)

    @property
    def broken(self) -> bool:
        """True for runs whose numbers must never be called "best": diverged, stalled or failed."""
        return self in (Status.DIVERGED, Status.STALLED, Status.FAILED)


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset's name, what it is, and where it comes from."""

    task: str  # "binary" | "multiclass" | "regression"
    description: str
    synthetic: bool = True  # 2-D (or 1-D) points drawn from a seeded generator
    loader: str = ""  # sklearn.datasets function for bundled sets, e.g. "load_iris"
    sized: bool = True  # the point count and noise sliders apply
    scaled: bool = True  # inputs standardized on the training split; False feeds raw coordinates
    inputs: int = 2  # input columns; INPUT_FEATURES apply only to 2


DATASETS: dict[str, DatasetInfo] = {
    "moons": DatasetInfo("binary", "two interleaving half circles"),
    "circles": DatasetInfo("binary", "a ring around a disc"),
    "xor": DatasetInfo("binary", "quadrants: same sign vs opposite sign"),
    "spiral": DatasetInfo("binary", "two interleaved spirals (hard)"),
    "gaussian": DatasetInfo("binary", "two overlapping Gaussian clouds"),
    "linear": DatasetInfo("binary", "almost linearly separable clusters"),
    "imbalanced": DatasetInfo("binary", "two overlapping clouds, 9 points of class 0 to each of class 1"),
    # TF Playground's four classification sets as its src/dataset.ts draws them, noise on its scale
    # (noise 0.1 here is its slider's 10), with raw coordinates in [-6, 6] as it feeds them.
    "tfp_circle": DatasetInfo("binary", "TF Playground's circle: a disc of radius 2.5 in a ring 3.5-5",
                              scaled=False),
    "tfp_xor": DatasetInfo("binary", "TF Playground's exclusive or: four padded quadrants", scaled=False),
    "tfp_gauss": DatasetInfo("binary", "TF Playground's two Gaussians at (2, 2) and (-2, -2)", scaled=False),
    "tfp_spiral": DatasetInfo("binary", "TF Playground's two spirals, 1.75 turns each", scaled=False),
    "seedlab": DatasetInfo("binary", "the seed lab's ten points", sized=False),
    "blobs": DatasetInfo("multiclass", "3 to 5 Gaussian blobs"),
    "sine": DatasetInfo("regression", "1-D noisy sine wave", inputs=1),
    "plane": DatasetInfo("regression", "2-D noisy plane"),
    "iris": DatasetInfo("multiclass", "iris flowers: 4 features, 3 species", False, "load_iris", inputs=4),
    "wine": DatasetInfo("multiclass", "wines: 13 features, 3 cultivars", False, "load_wine", inputs=13),
    "breast_cancer": DatasetInfo("binary", "tumours: 30 features, malignant vs benign", False,
                                 "load_breast_cancer", inputs=30),
    "digits": DatasetInfo("multiclass", "8x8 digits: 64 features, 10 classes", False, "load_digits", inputs=64),
    "diabetes": DatasetInfo("regression", "disease progression: 10 features", False, "load_diabetes", inputs=10),
}
CSV = "csv"  # the visitor's own upload; not in the registry, since it has no generator
DATASET_NAMES = (*DATASETS, CSV)

# TF Playground's input features of 2-D data: name -> how the picker and the network view write it.
# The network's first layer reads the chosen ones (engine/models.py InputFeatures computes each).
INPUT_FEATURES = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
                  "sin_x1": "sin x₁", "sin_x2": "sin x₂"}
RAW_FEATURES = ("x1", "x2")  # the default: both coordinates as they are, and no feature layer at all

# Hidden non-linearities by name -> the torch.nn module that implements each.
ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Identity"}

# Weight initialisations by name -> how each draws a Linear layer's weights and biases.
INITS = {"pytorch": "PyTorch's default: weights and biases U(±1/√fan_in)",
         "tfp": "TF Playground's: weights U(−0.5, 0.5), biases 0.1"}

# Config fields that change on a running optimizer (its param-group keys), as the TF Playground does.
LIVE_HPARAMS = ("lr", "momentum", "weight_decay")
# Early-stopping settings: they change the stopping rule of a running trainer, never its weights.
STOPPING_FIELDS = ("epochs", "patience", "min_delta", "restore_best")

_WD = r"g_t \leftarrow \nabla_\theta L(\theta_{t-1}) + \lambda\,\theta_{t-1}"
_MOMENTUM = _WD + r" \\ b_t \leftarrow \mu\, b_{t-1} + g_t \\ \theta_t \leftarrow \theta_{t-1} - \eta\, b_t"
_NESTEROV = (_WD + r" \\ b_t \leftarrow \mu\, b_{t-1} + g_t \\ "
             r"\theta_t \leftarrow \theta_{t-1} - \eta\,(g_t + \mu\, b_t)")
_ADAM_MOMENTS = (r"m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\ "
                 r"v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\ "
                 r"\hat m_t = \frac{m_t}{1-\beta_1^t},\ \hat v_t = \frac{v_t}{1-\beta_2^t} \\ ")
_ADAM_STEP = r"\theta_t \leftarrow \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}"


@dataclass(frozen=True)
class OptimizerInfo:
    """One optimizer: its torch.optim class name, the config fields it reads, fixed args, its rule."""

    label: str
    torch_class: str  # attribute of torch.optim
    hparams: tuple[str, ...]  # RunConfig fields passed through
    fixed: dict = field(default_factory=dict)
    latex: str = ""
    summary: str = ""
    fast: str = "fused"  # torch's fastest implementation flag for tiny nets: "fused" or "foreach"


OPTIMIZERS: dict[str, OptimizerInfo] = {
    "sgd": OptimizerInfo(
        "SGD", "SGD", ("lr", "weight_decay"), {"momentum": 0.0},
        _WD + r" \\ \theta_t \leftarrow \theta_{t-1} - \eta\, g_t",
        "Step straight down the gradient of the current batch."),
    "momentum": OptimizerInfo(
        "SGD + momentum", "SGD", ("lr", "momentum", "nesterov", "weight_decay"), {}, _MOMENTUM,
        "A velocity accumulates past gradients, smoothing noise and speeding along ravines."),
    "nesterov": OptimizerInfo(
        "Nesterov", "SGD", ("lr", "momentum", "weight_decay"), {"nesterov": True}, _NESTEROV,
        "Momentum that corrects with a look-ahead gradient, overshooting less."),
    "rmsprop": OptimizerInfo(
        "RMSprop", "RMSprop", ("lr", "eps", "weight_decay"), {"alpha": 0.99},
        _WD + r" \\ v_t \leftarrow \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \\ "
        r"\theta_t \leftarrow \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}",
        "Divides each step by a running RMS of recent gradients: per-weight step sizes.", fast="foreach"),
    "adagrad": OptimizerInfo(
        "Adagrad", "Adagrad", ("lr", "eps", "weight_decay"), {},
        _WD + r" \\ s_t \leftarrow s_{t-1} + g_t^2 \\ "
        r"\theta_t \leftarrow \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{s_t} + \epsilon}",
        "Divides by the sum of all past squared gradients, so steps only ever shrink."),
    "adam": OptimizerInfo(
        "Adam", "Adam", ("lr", "betas", "eps", "weight_decay"), {},
        _WD + r" \\ " + _ADAM_MOMENTS + _ADAM_STEP,
        "Momentum plus RMSprop scaling, with bias correction; L2 is coupled to the gradient."),
    "adamw": OptimizerInfo(
        "AdamW", "AdamW", ("lr", "betas", "eps", "weight_decay"), {},
        r"g_t \leftarrow \nabla_\theta L(\theta_{t-1}) \\ "
        r"\theta_{t-1} \leftarrow \theta_{t-1} - \eta\,\lambda\,\theta_{t-1} \\ " + _ADAM_MOMENTS + _ADAM_STEP,
        "Adam with decoupled weight decay: weights shrink directly, not through the gradient."),
    "nadam": OptimizerInfo(
        "NAdam", "NAdam", ("lr", "betas", "eps", "weight_decay"), {},
        _WD + r" \\ m_t \leftarrow \beta_1 m_{t-1} + (1-\beta_1) g_t \\ "
        r"v_t \leftarrow \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\ "
        r"\hat m_t = \frac{\mu_{t+1} m_t}{1-\prod_{i \le t+1} \mu_i} + \frac{(1-\mu_t)\, g_t}{1-\prod_{i \le t} \mu_i}"
        r",\ \hat v_t = \frac{v_t}{1-\beta_2^t} \\ " + _ADAM_STEP,
        "Adam with Nesterov's look-ahead on the first moment; its momentum μ_t warms up to β₁.",
        fast="foreach"),
}


def optimizer_rule(name: str, nesterov: bool = False) -> OptimizerInfo:
    """The entry whose rule actually runs: 'SGD + momentum' with Nesterov ticked runs Nesterov."""
    if name == "momentum" and nesterov:
        return OPTIMIZERS["nesterov"]
    return OPTIMIZERS[name]


# SGD vs momentum vs RMSprop vs Adam, each at a learning rate that suits it.
DEFAULT_LANES = ({"optimizer": "sgd", "lr": 0.1}, {"optimizer": "momentum", "lr": 0.03},
                 {"optimizer": "rmsprop", "lr": 0.01}, {"optimizer": "adam", "lr": 0.01})

DEVICES = ("auto", "cpu", "cuda", "mps")  # an unavailable one falls back to the CPU with a notice
MODES = ("single", "race", "surfaces", "sweep")  # page modes named in the URL (?mode=race)


@dataclass(frozen=True)
class SweepMetric:
    """What a sweep's heatmap shows per cell; `low`: smaller is better (the colour scale follows)."""

    label: str
    low: bool = True
    loss: bool = True  # a loss: coloured on a log scale, since losses span decades


# Measured on the validation split, or on the training rows when there is none (the page says which).
SWEEP_METRICS: dict[str, SweepMetric] = {
    "val_loss": SweepMetric("final validation loss"),
    "best_val_loss": SweepMetric("best validation loss"),
    "val_accuracy": SweepMetric("final validation accuracy", low=False, loss=False),
    "epochs_to_target": SweepMetric("epochs to the target loss", loss=False),
}

# How a sweep picks its (x, y) pairs: every pair of the axes' values, or pairs drawn at random from the axes
# (Bergstra & Bengio 2012: with one setting that matters, random search tries more of its values).
SWEEP_SEARCHES = {"grid": "grid: every pair of the values", "random": "random: pairs drawn from the ranges"}


@dataclass(frozen=True)
class SurfaceInfo:
    """A 2-D test function: its formula, the plotted box, a start that shows something, its minima."""

    label: str
    latex: str
    domain: tuple[tuple[float, float], tuple[float, float]]  # (x range, y range)
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    f_star: float | None = 0.0  # None: unbounded below
    saddles: tuple[tuple[float, float], ...] = ()  # stationary points that are not minima
    summary: str = ""


# Torch functions and analytic gradients: playground/surfaces/functions.py (one per name here).
SURFACES: dict[str, SurfaceInfo] = {
    "quadratic": SurfaceInfo(
        "Ill-conditioned quadratic",
        r"f(w) = \tfrac12\left(u^2 + \kappa\, v^2\right),\quad \binom{u}{v} = R_\theta^\top w",
        ((-3.0, 3.0), (-3.0, 3.0)), (-2.5, 1.0), ((0.0, 0.0),),
        summary="A ravine: curvature 1 along u, κ across it. Distill's 'Why Momentum Really Works'."),
    "rosenbrock": SurfaceInfo(
        "Rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2", ((-2.0, 2.0), (-1.0, 3.0)), (-1.2, 1.0),
        ((1.0, 1.0),), summary="A curved, flat-bottomed valley: easy to enter, slow to follow."),
    "beale": SurfaceInfo(
        "Beale", r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        ((-4.5, 4.5), (-4.5, 4.5)), (1.0, 1.5), ((3.0, 0.5),),
        summary="Flat plateaus and steep walls: gradient sizes differ by orders of magnitude."),
    "himmelblau": SurfaceInfo(
        "Himmelblau", r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2", ((-5.0, 5.0), (-5.0, 5.0)), (0.0, 0.0),
        ((3.0, 2.0), (-2.805118086952745, 3.131312518250573), (-3.779310253377747, -3.283185991286170),
         (3.584428340330492, -1.848126526964404)),
        summary="Four equal minima: which one a path finds depends on the optimizer."),
    "saddle": SurfaceInfo(
        "Saddle", r"f(x, y) = x^2 - y^2", ((-2.0, 2.0), (-2.0, 2.0)), (-1.5, 0.001), f_star=None,
        saddles=((0.0, 0.0),), summary="Downhill in y, uphill in x: the gradient vanishes at the saddle point."),
    "monkey": SurfaceInfo(
        "Monkey saddle", r"f(x, y) = x^3 - 3 x y^2", ((-2.0, 2.0), (-2.0, 2.0)), (1.0, 0.1), f_star=None,
        saddles=((0.0, 0.0),), summary="Three valleys meet at a point where even the curvature vanishes."),
    "rastrigin": SurfaceInfo(
        "Rastrigin", r"f(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
        ((-5.12, 5.12), (-5.12, 5.12)), (-3.3, 3.7), ((0.0, 0.0),),
        summary="A bowl covered in local minima, one near every integer point."),
}
# Quadratic ravine: plain SGD, heavy-ball momentum, RMSprop and Adam.
DEFAULT_PATHS = ({"optimizer": "sgd", "lr": 0.019}, {"optimizer": "momentum", "lr": 0.019},
                 {"optimizer": "rmsprop", "lr": 0.03}, {"optimizer": "adam", "lr": 0.1})

"""Dataset registry: synthetic 2-D sets, sklearn's bundled sets, seeded splits and scaling."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from playground.catalog import DATASETS, DatasetInfo
from playground.config import RunConfig

SEED_LAB_X = [[1, 2], [2, 1], [3, 3], [4, 5], [5, 4], [6, 1], [7, 2], [8, 3], [9, 4], [10, 5]]
SEED_LAB_Y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]


@dataclass(frozen=True)
class Dataset:
    """A train/validation split, standardized with statistics of the training split only."""

    name: str
    task: str  # "binary" | "multiclass" | "regression"
    x_train: np.ndarray  # float32 (n, d)
    y_train: np.ndarray  # int64 class ids, or float32 targets (standardized)
    x_val: np.ndarray
    y_val: np.ndarray
    n_classes: int  # 2 for binary, k for multiclass, 1 for regression
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...] = ()
    x_mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    x_std: np.ndarray = field(default_factory=lambda: np.ones(0))
    y_mean: float = 0.0  # regression targets are trained standardized; metrics undo it
    y_std: float = 1.0
    scaled: bool = True  # inputs standardized (else raw, as TF Playground feeds its own sets)

    @property
    def n_features(self) -> int:
        """Input dimension of the model."""
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Output units: one logit for binary and regression, k logits for multiclass."""
        return self.n_classes if self.task == "multiclass" else 1

    @property
    def has_val(self) -> bool:
        """Whether a validation split exists."""
        return len(self.y_val) > 0


@dataclass(frozen=True)
class Spec:
    """How to make one dataset: its catalogue entry and its generator."""

    info: DatasetInfo
    make: Callable[[RunConfig, np.random.Generator], tuple[np.ndarray, np.ndarray]]

    task = property(lambda self: self.info.task, doc="binary, multiclass or regression.")
    synthetic = property(lambda self: self.info.synthetic, doc="True for seeded 2-D (or 1-D) generators.")
    description = property(lambda self: self.info.description, doc="What the dataset is, in a few words.")


def _skd():
    # sklearn is imported when data is made, not with this module: a sweep's Ray worker gets its trials'
    # data ready-made (tune_run) and so starts 0.6 s sooner.
    from sklearn import datasets

    return datasets


def make_moons(cfg, rng):
    return _skd().make_moons(cfg.n_points, noise=cfg.noise, random_state=_int_seed(rng))


def make_circles(cfg, rng):
    return _skd().make_circles(cfg.n_points, noise=cfg.noise * 0.5, factor=0.5, random_state=_int_seed(rng))


def make_xor(cfg, rng):
    x = rng.uniform(-1, 1, size=(cfg.n_points, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    return x + rng.normal(0, cfg.noise * 0.5, x.shape), y


def make_spiral(cfg, rng):
    # Two interleaved arms: r grows with the angle, the second arm is rotated by pi.
    n = cfg.n_points // 2
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    x = np.concatenate([arm, -arm]) + rng.normal(0, cfg.noise * 0.2, (2 * n, 2))
    return x, np.repeat([0, 1], n)


def make_gaussian(cfg, rng):
    return _skd().make_blobs(cfg.n_points, centers=[[-1, -1], [1, 1]], cluster_std=0.4 + cfg.noise * 1.5,
                          random_state=_int_seed(rng))


def make_linear(cfg, rng):
    return _skd().make_classification(cfg.n_points, n_features=2, n_redundant=0, n_informative=2,
                                   n_clusters_per_class=1, class_sep=1.5, flip_y=cfg.noise * 0.2,
                                   random_state=_int_seed(rng))


def make_imbalanced(cfg, rng):
    # 9:1: a rare class 1 whose cloud overlaps the common one, so "always class 0" is 90% accurate.
    rare = max(2, round(cfg.n_points / 10))
    std = 0.5 + cfg.noise * 1.5
    x = np.concatenate([rng.normal((-1.0, 0.0), std, (cfg.n_points - rare, 2)), rng.normal((1.0, 0.0), std, (rare, 2))])
    return x, np.repeat([0, 1], [cfg.n_points - rare, rare])


# TF Playground's generators (src/dataset.ts): cfg.noise is its noise slider / 100, and
# labels come from the noisy position, so noise flips labels near the border as there.
def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _tfp_ring(rng, n: int, r_lo: float, r_hi: float) -> np.ndarray:
    r, angle = rng.uniform(r_lo, r_hi, n), rng.uniform(0, 2 * np.pi, n)
    return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)


def make_tfp_circle(cfg, rng):
    inner, outer = _halves(cfg.n_points)
    x = np.concatenate([_tfp_ring(rng, inner, 0, 2.5), _tfp_ring(rng, outer, 3.5, 5)])
    noisy = x + rng.uniform(-5, 5, x.shape) * cfg.noise
    return x, (np.hypot(noisy[:, 0], noisy[:, 1]) < 2.5).astype(int)


def make_tfp_xor(cfg, rng):
    x = rng.uniform(-5, 5, (cfg.n_points, 2))
    x += np.where(x > 0, 0.3, -0.3)  # TFP's padding keeps points off the axes
    noisy = x + rng.uniform(-5, 5, x.shape) * cfg.noise
    return x, (noisy[:, 0] * noisy[:, 1] >= 0).astype(int)


def make_tfp_gauss(cfg, rng):
    pos, neg = _halves(cfg.n_points)
    std = np.sqrt(0.5 + 7 * cfg.noise)  # TFP maps noise 0-0.5 linearly to a variance of 0.5-4
    x = np.concatenate([rng.normal(2, std, (pos, 2)), rng.normal(-2, std, (neg, 2))])
    return x, np.repeat([1, 0], [pos, neg])


def make_tfp_spiral(cfg, rng):
    half = cfg.n_points / 2
    arms = []
    for delta, count in zip((0, np.pi), _halves(cfg.n_points), strict=True):
        i = np.arange(count)
        r, t = i / half * 5, 1.75 * i / half * 2 * np.pi + delta
        arm = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        arms.append(arm + rng.uniform(-1, 1, arm.shape) * cfg.noise)
    return np.concatenate(arms), np.repeat([1, 0], [len(a) for a in arms])


def make_seedlab(cfg, rng):
    return np.array(SEED_LAB_X, dtype=float), np.array(SEED_LAB_Y)


def make_blobs(cfg, rng):
    # Centres evenly spaced on a circle, so every class touches two neighbours.
    angles = 2 * np.pi * np.arange(cfg.classes) / cfg.classes
    centers = 3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return _skd().make_blobs(cfg.n_points, centers=centers, cluster_std=0.5 + cfg.noise * 2,
                          random_state=_int_seed(rng))


def make_sine(cfg, rng):
    x = rng.uniform(-3, 3, size=(cfg.n_points, 1))
    return x, np.sin(x[:, 0]) + rng.normal(0, cfg.noise, cfg.n_points)


def make_plane(cfg, rng):
    x = rng.uniform(-2, 2, size=(cfg.n_points, 2))
    return x, 1.5 * x[:, 0] - 0.8 * x[:, 1] + rng.normal(0, cfg.noise, cfg.n_points)


@functools.cache
def _bunch(name: str):
    # Bundled with sklearn: read from local disk, never fetched.
    return getattr(_skd(), DATASETS[name].loader)()


def _bundled(name: str):
    return lambda cfg, rng: (_bunch(name).data, _bunch(name).target)


def _int_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**31 - 1))


def _maker(name: str, info: DatasetInfo):
    return _bundled(name) if info.loader else globals()[f"make_{name}"]


# Built from the catalogue: a dataset's name, task and description are declared there once.
REGISTRY: dict[str, Spec] = {name: Spec(info, _maker(name, info)) for name, info in DATASETS.items()}


def load_dataset(cfg: RunConfig) -> Dataset:
    """Generate or load cfg.dataset, split it with cfg.seed and standardize it."""
    spec = REGISTRY[cfg.dataset]
    rng = np.random.default_rng(cfg.seed)
    x, y = spec.make(cfg, rng)
    return make_dataset(cfg.dataset, spec.task, x, y, cfg, *_names(cfg.dataset, x, y), scaled=spec.info.scaled)


def _names(name: str, x: np.ndarray, y: np.ndarray) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if DATASETS[name].loader:
        bunch = _bunch(name)
        classes = tuple(str(c) for c in getattr(bunch, "target_names", ())) if name != "diabetes" else ()
        return tuple(str(f) for f in bunch.feature_names), classes
    features = tuple(f"x{i + 1}" for i in range(x.shape[1]))
    classes = () if REGISTRY[name].task == "regression" else tuple(str(c) for c in np.unique(y))
    return features, classes


def make_dataset(name: str, task: str, x: np.ndarray, y: np.ndarray, cfg: RunConfig,
                 feature_names: tuple[str, ...], class_names: tuple[str, ...] = (), *,
                 scaled: bool = True) -> Dataset:
    """Split (stratified for classes) with cfg.seed and standardize on the training split (unless not scaled)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    if task != "regression":
        # Class ids must be 0..k-1 for the loss; keep the original labels as names.
        labels, y = np.unique(y, return_inverse=True)
        class_names = class_names or tuple(str(c) for c in labels)
    from sklearn.preprocessing import StandardScaler

    x_tr, x_va, y_tr, y_va = split(x, y, task, cfg.val_frac, cfg.seed)
    scaler = StandardScaler(with_mean=scaled, with_std=scaled).fit(x_tr)
    y_mean, y_std = (float(y_tr.mean()), float(y_tr.std() or 1.0)) if task == "regression" else (0.0, 1.0)
    y_type = np.float32 if task == "regression" else np.int64
    return Dataset(
        name=name, task=task,
        x_train=scaler.transform(x_tr).astype(np.float32),
        y_train=((y_tr - y_mean) / y_std).astype(y_type),
        x_val=(scaler.transform(x_va) if len(x_va) else x_va.reshape(0, x.shape[1])).astype(np.float32),
        y_val=((y_va - y_mean) / y_std).astype(y_type),
        n_classes=1 if task == "regression" else max(2, len(class_names)),
        feature_names=tuple(feature_names), class_names=tuple(class_names),
        x_mean=scaler.mean_ if scaled else np.zeros(x.shape[1]), x_std=scaler.scale_ if scaled else np.ones(x.shape[1]),
        y_mean=y_mean, y_std=y_std, scaled=scaled,
    )


def split(x: np.ndarray, y: np.ndarray, task: str, val_frac: float, seed: int):
    """Seeded train/validation split, stratified by class when every class allows it."""
    n_val = round(len(y) * val_frac)
    if n_val == 0 or n_val >= len(y):
        return x, x[:0], y, y[:0]
    stratify = None
    if task != "regression":
        counts = np.bincount(y)
        if counts.min() >= 2 and n_val >= len(counts) and len(y) - n_val >= len(counts):
            stratify = y
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=n_val, random_state=seed, stratify=stratify)

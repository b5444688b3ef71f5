"""The MLP built from a RunConfig: [InputFeatures], then Linear, [BatchNorm], activation, [Dropout] per hidden layer."""

from __future__ import annotations

import threading

import torch
from torch import nn

from playground import catalog
from playground.config import RunConfig
from playground.engine.standalone import FEATURE_OPS  # one definition, in the exported script (torch only)

# Built from the catalogue, which names the torch.nn module of each activation.
ACTIVATIONS = {name: getattr(nn, module) for name, module in catalog.ACTIVATIONS.items()}

# Parameter init draws from torch's global RNG; sessions share it across threads,
# so seeding and building happen under one lock to keep each run reproducible.
_INIT_LOCK = threading.Lock()


class SeededDropout(nn.Dropout):
    """nn.Dropout whose masks come from a per-run generator instead of the global RNG.

    Streamlit serves many sessions from threads of one process; masks drawn from the
    shared global RNG would make a shared link replay different curves.
    """

    def __init__(self, p: float, generator: torch.Generator | None = None):
        super().__init__(p)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Inverted dropout in train mode (scale kept by 1/(1-p)); identity in eval mode."""
        if not self.training or self.p == 0 or self.generator is None:
            return super().forward(x)
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=self.generator)
        return x * keep / (1 - self.p)




class InputFeatures(nn.Module):
    """TF Playground's feature column: the chosen functions of a 2-D input, (..., 2) -> (..., len(names))."""

    def __init__(self, names: tuple[str, ...]):
        super().__init__()
        self.names = tuple(names)  # names only, no functions: the module still pickles and deep-copies

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The features of each row, in the order named; no parameters, so nothing to learn or save."""
        x1, x2 = x[..., 0], x[..., 1]
        return torch.stack([FEATURE_OPS[n](x1, x2) for n in self.names], dim=-1)

    def extra_repr(self) -> str:
        return ", ".join(self.names)


def applied_features(cfg: RunConfig, n_in: int) -> tuple[str, ...]:
    """The features the first layer reads: cfg's on 2-D data unless the raw pair; () = the raw inputs."""
    return cfg.features if n_in == 2 and cfg.features != catalog.RAW_FEATURES else ()


def features_notice(cfg: RunConfig, n_in: int) -> str | None:
    """A plain notice when cfg picks input features the data cannot have (it is not 2-D)."""
    if n_in == 2 or cfg.features == catalog.RAW_FEATURES:
        return None
    return (f"input features apply only to 2-D data; this data has {n_in} input{'s' * (n_in != 1)}, "
            "so the network reads them as they are")


def build_model(cfg: RunConfig, n_in: int, n_out: int, *, init_seed: int,
                dropout_gen: torch.Generator | None = None) -> nn.Sequential:
    """MLP initialised as cfg.init says, seeded by init_seed; no hidden layers = linear model."""
    layers: list[nn.Module] = []
    width = n_in
    features = applied_features(cfg, n_in)
    if features:  # the raw pair gets no module, so its state_dict keys stay those of a plain MLP
        layers.append(InputFeatures(features))
        width = len(features)
    for size in cfg.hidden:
        layers.append(nn.Linear(width, size))
        if cfg.batch_norm:
            layers.append(nn.BatchNorm1d(size))
        layers.append(ACTIVATIONS[cfg.activation]())
        if cfg.dropout > 0:
            layers.append(SeededDropout(cfg.dropout, dropout_gen))
        width = size
    layers.append(nn.Linear(width, n_out))
    with _INIT_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(init_seed)
        for layer in layers:
            if hasattr(layer, "reset_parameters"):
                layer.reset_parameters()
            if cfg.init == "tfp" and isinstance(layer, nn.Linear):
                # TF Playground's Link and Node: weight = Math.random() - 0.5, bias = 0.1.
                nn.init.uniform_(layer.weight, -0.5, 0.5)
                nn.init.constant_(layer.bias, 0.1)
    return nn.Sequential(*layers)


def describe(cfg: RunConfig, n_in: int, n_out: int) -> str:
    """Short architecture string, e.g. '2-16-16-1 (tanh)' or '4-8-1 (relu, features x₁, x₂, x₁², x₂²)'."""
    features = applied_features(cfg, n_in)
    sizes = "-".join(str(s) for s in (len(features) or n_in, *cfg.hidden, n_out))
    extras = [cfg.activation] if cfg.hidden else ["linear model"]
    if features:
        extras.append("features " + ", ".join(catalog.INPUT_FEATURES[n] for n in features))
    if cfg.batch_norm and cfg.hidden:
        extras.append("batch norm")
    if cfg.dropout and cfg.hidden:
        extras.append(f"dropout {cfg.dropout:g}")
    if cfg.init == "tfp":
        extras.append("TF Playground init")
    return f"{sizes} ({', '.join(extras)})"

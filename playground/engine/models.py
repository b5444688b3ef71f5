"""The MLP built from a RunConfig: Linear, [BatchNorm], activation, [Dropout] per hidden layer."""

from __future__ import annotations

import threading

import torch
from torch import nn

from playground import catalog
from playground.config import RunConfig

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


def build_model(cfg: RunConfig, n_in: int, n_out: int, *, init_seed: int,
                dropout_gen: torch.Generator | None = None) -> nn.Sequential:
    """MLP initialised as cfg.init says, seeded by init_seed; no hidden layers = linear model."""
    layers: list[nn.Module] = []
    width = n_in
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
    """Short architecture string, e.g. '2-16-16-1 tanh'."""
    sizes = "-".join(str(s) for s in (n_in, *cfg.hidden, n_out))
    extras = [cfg.activation] if cfg.hidden else ["linear model"]
    if cfg.batch_norm and cfg.hidden:
        extras.append("batch norm")
    if cfg.dropout and cfg.hidden:
        extras.append(f"dropout {cfg.dropout:g}")
    if cfg.init == "tfp":
        extras.append("TF Playground init")
    return f"{sizes} ({', '.join(extras)})"

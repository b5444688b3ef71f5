"""The surfaces as torch functions of (x, y), each with a hand-written gradient (the autograd oracle).

Every function is elementwise, so the same code evaluates one 2-parameter tensor during a run
and a whole grid for the contour plot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from playground.catalog import SURFACES, SurfaceInfo
from playground.surfaces.config import SurfaceConfig

Grad = tuple[float, float]


def _rotation(angle: float) -> tuple[float, float]:
    return math.cos(math.radians(angle)), math.sin(math.radians(angle))


def quadratic(x, y, kappa: float = 100.0, angle: float = 0.0):
    """½(u² + κ v²) with (u, v) the point in axes rotated by `angle` degrees."""
    c, s = _rotation(angle)
    u, v = c * x + s * y, -s * x + c * y
    return 0.5 * (u * u + kappa * v * v)


def quadratic_grad(x: float, y: float, kappa: float = 100.0, angle: float = 0.0) -> Grad:
    """R diag(1, κ) Rᵀ w."""
    c, s = _rotation(angle)
    u, v = c * x + s * y, -s * x + c * y
    return c * u - s * kappa * v, s * u + c * kappa * v


def rosenbrock(x, y):
    """(1 − x)² + 100 (y − x²)²."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_grad(x: float, y: float) -> Grad:
    return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


def beale(x, y):
    """(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_grad(x: float, y: float) -> Grad:
    terms = [(c - x + x * y**k, k) for c, k in ((1.5, 1), (2.25, 2), (2.625, 3))]
    return (sum(2 * t * (y**k - 1) for t, k in terms), sum(2 * t * x * k * y ** (k - 1) for t, k in terms))


def himmelblau(x, y):
    """(x² + y − 11)² + (x + y² − 7)²."""
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def himmelblau_grad(x: float, y: float) -> Grad:
    a, b = x * x + y - 11, x + y * y - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def saddle(x, y):
    """x² − y²."""
    return x * x - y * y


def saddle_grad(x: float, y: float) -> Grad:
    return 2 * x, -2 * y


def monkey(x, y):
    """x³ − 3xy²."""
    return x**3 - 3 * x * y * y


def monkey_grad(x: float, y: float) -> Grad:
    return 3 * x * x - 3 * y * y, -6 * x * y


def rastrigin(x, y):
    """20 + Σ (wᵢ² − 10 cos 2π wᵢ)."""
    return 20 + x * x - 10 * torch.cos(2 * math.pi * x) + y * y - 10 * torch.cos(2 * math.pi * y)


def rastrigin_grad(x: float, y: float) -> Grad:
    return tuple(2 * w + 20 * math.pi * math.sin(2 * math.pi * w) for w in (x, y))


FUNCTIONS: dict[str, tuple[Callable, Callable[..., Grad]]] = {
    "quadratic": (quadratic, quadratic_grad), "rosenbrock": (rosenbrock, rosenbrock_grad),
    "beale": (beale, beale_grad), "himmelblau": (himmelblau, himmelblau_grad), "saddle": (saddle, saddle_grad),
    "monkey": (monkey, monkey_grad), "rastrigin": (rastrigin, rastrigin_grad),
}
DTYPE = torch.float64  # paths of 2 numbers cost nothing; double precision keeps the theory tests exact


@dataclass(frozen=True)
class Surface:
    """One surface with its parameters bound (κ and the angle for the quadratic)."""

    name: str
    params: dict = field(default_factory=dict)

    @property
    def info(self) -> SurfaceInfo:
        """The catalogue entry: formula, domain, start, minima, f*."""
        return SURFACES[self.name]

    def value(self, w: torch.Tensor) -> torch.Tensor:
        """f at w (a tensor whose last axis is (x, y)), differentiable by autograd."""
        return FUNCTIONS[self.name][0](w[..., 0], w[..., 1], **self.params)

    def gradient(self, x: float, y: float) -> Grad:
        """The hand-written gradient at (x, y)."""
        gx, gy = FUNCTIONS[self.name][1](float(x), float(y), **self.params)
        return float(gx), float(gy)

    def grid(self, resolution: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs, ys and f over the domain, rows = y (plotly's contour order)."""
        (xlo, xhi), (ylo, yhi) = self.info.domain
        xs = torch.linspace(xlo, xhi, resolution, dtype=DTYPE)
        ys = torch.linspace(ylo, yhi, resolution, dtype=DTYPE)
        yy, xx = torch.meshgrid(ys, xs, indexing="ij")
        with torch.no_grad():
            z = self.value(torch.stack([xx, yy], dim=-1))
        return xs.numpy(), ys.numpy(), z.numpy()

    def floor(self) -> float:
        """The lowest value inside the domain: f* where known, else the grid's minimum (corners included)."""
        f_star = self.info.f_star
        return f_star if f_star is not None else float(np.nanmin(self.grid(121)[2]))


def make_surface(cfg: SurfaceConfig) -> Surface:
    """The surface a config names, with its parameters."""
    params = {"kappa": cfg.kappa, "angle": cfg.angle} if cfg.surface == "quadratic" else {}
    return Surface(cfg.surface, params)

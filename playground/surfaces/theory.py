r"""Distill's theory of gradient descent and momentum on the quadratic (Goh, "Why Momentum Really Works", 2017).

torch's SGD with momentum μ (no dampening) keeps b_t = μ b_{t-1} + g_t, with b_1 = g_1, and steps
θ_t = θ_{t-1} − η b_t. That is Distill's z^{k+1} = β z^k + ∇f(w^k), w^{k+1} = w^k − α z^{k+1} term
for term, so α = lr and β = momentum exactly. (A formulation that averages, b = β b + (1 − β) g,
would need lr = α / (1 − β) instead.) Plain SGD is the case β = 0.

In the eigenbasis of f(w) = ½ Σ λᵢ wᵢ² each coordinate follows x_{k+1} = (1 + β − αλ) x_k − β x_{k−1},
whose roots σ₁, σ₂ give the closed form of Distill's R^k, and the rate max |σ|. Pure numpy: no torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from playground.config import RunConfig
from playground.surfaces.config import SurfaceConfig

THEORY_OPTIMIZERS = ("sgd", "momentum")  # heavy ball; Nesterov and the adaptive methods have no such line here


@dataclass(frozen=True)
class Tuned:
    """A step size, a momentum and the error's contraction per step they give."""

    alpha: float
    beta: float
    rate: float


def eigenvalues(kappa: float) -> tuple[float, float]:
    """The quadratic surface's curvatures: 1 along its valley, κ across it."""
    return 1.0, float(kappa)


def gd_optimal(lmin: float, lmax: float) -> Tuned:
    """α = 2 / (λ_min + λ_max) contracts every coordinate by (κ − 1)/(κ + 1)."""
    kappa = lmax / lmin
    return Tuned(2.0 / (lmin + lmax), 0.0, (kappa - 1) / (kappa + 1))


def momentum_optimal(lmin: float, lmax: float) -> Tuned:
    """α = (2 / (√λ_max + √λ_min))², β = ((√κ − 1)/(√κ + 1))²: the rate is (√κ − 1)/(√κ + 1)."""
    root = math.sqrt(lmax / lmin)
    rate = (root - 1) / (root + 1)
    return Tuned((2.0 / (math.sqrt(lmax) + math.sqrt(lmin))) ** 2, rate**2, rate)


def roots(alpha: float, beta: float, lam: float) -> tuple[complex, complex]:
    """The two eigenvalues of Distill's 2x2 iteration matrix R for curvature λ."""
    b = 1 + beta - alpha * lam
    disc = complex(b * b - 4 * beta) ** 0.5
    return (b + disc) / 2, (b - disc) / 2


def rate(alpha: float, beta: float, lams) -> float:
    """The predicted contraction of the error per step: the largest |σ| over the curvatures."""
    return max(abs(s) for lam in lams for s in roots(alpha, beta, lam))


def component(alpha: float, beta: float, lam: float, x0: float, steps: int) -> np.ndarray:
    """x_k for k = 0..steps along one eigenvector, from x_0 and torch's first step x_1 = (1 − αλ) x_0."""
    s1, s2 = roots(alpha, beta, lam)
    x1 = (1 - alpha * lam) * x0
    k = np.arange(steps + 1)
    if abs(s1 - s2) > 1e-7 * max(1.0, abs(s1)):
        x = ((x1 - s2 * x0) * s1 ** k - (x1 - s1 * x0) * s2 ** k) / (s1 - s2)
    elif s1 == 0:
        x = np.where(k == 0, x0, 0.0)
    else:  # a double root (critical damping, e.g. at the optimal α, β): Distill's k σ^(k−1) term
        s = (s1 + s2) / 2
        x = s ** k * x0 + k * s ** (k - 1) * (x1 - s * x0)
    return np.real(x)


def predicted_values(alpha: float, beta: float, lams, u0, steps: int, shift: float = 0.0) -> np.ndarray:
    """f − f* after k = 0..steps steps: ½ Σ λᵢ xᵢ(k)², each xᵢ iterated with curvature λᵢ + shift (L2)."""
    return sum(0.5 * lam * component(alpha, beta, lam + shift, x, steps) ** 2 for lam, x in zip(lams, u0, strict=True))


def steps_to(values, tol: float) -> int | None:
    """The first step whose value is below tol, or None."""
    below = np.flatnonzero(np.asarray(values) < tol)
    return int(below[0]) if len(below) else None


def measured_rate(errors) -> float:
    """The error's contraction per step over the second half of the window (the first holds the transient)."""
    e = np.asarray(errors, dtype=np.float64)
    half = len(e) // 2
    if len(e) < 3 or not (e[half] > 0 and np.isfinite(e[-1])):
        return math.nan
    return float((e[-1] / e[half]) ** (1.0 / (len(e) - 1 - half)))


def eigen_start(scfg: SurfaceConfig) -> tuple[float, float]:
    """The start in the quadratic's eigenbasis (u along the valley, v across it)."""
    c, s = math.cos(math.radians(scfg.angle)), math.sin(math.radians(scfg.angle))
    x, y = scfg.start_point
    return c * x + s * y, -s * x + c * y


def applies(scfg: SurfaceConfig, pcfg: RunConfig) -> bool:
    """Distill's line exists: the quadratic, exact gradients, and SGD or heavy-ball momentum."""
    heavy_ball = pcfg.optimizer == "sgd" or (pcfg.optimizer == "momentum" and not pcfg.nesterov)
    return scfg.surface == "quadratic" and scfg.noise == 0 and heavy_ball


def hyper(pcfg: RunConfig) -> tuple[float, float]:
    """(α, β) of a path: torch's lr and momentum map to them one to one."""
    return pcfg.lr, (pcfg.momentum if pcfg.optimizer == "momentum" else 0.0)


def predict(scfg: SurfaceConfig, pcfg: RunConfig, steps: int) -> tuple[Tuned, np.ndarray] | None:
    """A path's predicted rate and f − f* per step, or None where the theory does not apply."""
    if not applies(scfg, pcfg):
        return None
    alpha, beta = hyper(pcfg)
    lams = eigenvalues(scfg.kappa)
    shifted = [lam + pcfg.weight_decay for lam in lams]
    values = predicted_values(alpha, beta, lams, eigen_start(scfg), steps, shift=pcfg.weight_decay)
    return Tuned(alpha, beta, rate(alpha, beta, shifted)), values

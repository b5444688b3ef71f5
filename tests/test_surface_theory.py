"""Theory is the oracle: torch's SGD and heavy-ball momentum on f(w) = ½ Σ λᵢ wᵢ² with κ = 100 contract
the error as Distill predicts, and reach f − f* < 1e-6 when its closed form says they will."""

import math

import numpy as np
import pytest

from playground.surfaces import theory
from playground.surfaces.config import SurfaceConfig, normal
from playground.surfaces.run import SurfaceRun

KAPPA = 100.0
LMIN, LMAX = 1.0, KAPPA  # the quadratic surface at angle 0 is ½ (1·x² + κ·y²)
GD_ALPHA = 2 / (LMIN + LMAX)
HB_ALPHA = (2 / (math.sqrt(LMAX) + math.sqrt(LMIN))) ** 2
HB_BETA = ((math.sqrt(KAPPA) - 1) / (math.sqrt(KAPPA) + 1)) ** 2
GD_RATE = (KAPPA - 1) / (KAPPA + 1)
HB_RATE = (math.sqrt(KAPPA) - 1) / (math.sqrt(KAPPA) + 1)


def walk(angle: float = 0.0, steps: int = 500, start=()):
    cfg = SurfaceConfig(kappa=KAPPA, angle=angle, start=start, steps=steps, tol=1e-6, paths=(
        normal({"optimizer": "sgd", "lr": GD_ALPHA}),
        normal({"optimizer": "momentum", "lr": HB_ALPHA, "momentum": HB_BETA})))
    run = SurfaceRun(cfg)
    for _ in range(steps):
        run.epoch()
    return cfg, run.paths


def test_the_optimal_parameters_are_distills():
    gd, hb = theory.gd_optimal(LMIN, LMAX), theory.momentum_optimal(LMIN, LMAX)
    assert (gd.alpha, gd.beta, gd.rate) == pytest.approx((GD_ALPHA, 0.0, GD_RATE), rel=1e-12)
    assert (hb.alpha, hb.beta, hb.rate) == pytest.approx((HB_ALPHA, HB_BETA, HB_RATE), rel=1e-12)
    assert theory.rate(GD_ALPHA, 0.0, (LMIN, LMAX)) == pytest.approx(GD_RATE, rel=1e-12)
    assert theory.rate(HB_ALPHA, HB_BETA, (LMIN, LMAX)) == pytest.approx(HB_RATE, rel=1e-6)  # a double root


@pytest.mark.parametrize("angle", [0.0, 30.0])
def test_measured_rates_over_200_steps_match_the_predicted_within_2_percent(angle):
    _, (gd, hb) = walk(angle, steps=200)
    for path, predicted in ((gd, GD_RATE), (hb, HB_RATE)):
        errors = np.hypot(path.xs, path.ys)  # distance to the minimum w* = 0
        assert len(errors) == 201
        assert theory.measured_rate(errors) == pytest.approx(predicted, rel=0.02), path.label


@pytest.mark.parametrize("angle", [0.0, 30.0])
def test_measured_steps_to_1e_6_match_the_predicted_within_10_percent(angle):
    cfg, (gd, hb) = walk(angle)
    for path, (alpha, beta) in ((gd, (GD_ALPHA, 0.0)), (hb, (HB_ALPHA, HB_BETA))):
        predicted = theory.predicted_values(alpha, beta, (LMIN, LMAX), theory.eigen_start(cfg), 500)
        expected = theory.steps_to(predicted, 1e-6)
        assert expected is not None and path.reached is not None
        assert abs(path.reached - expected) <= 0.1 * expected, (path.label, path.reached, expected)
        # The closed form is the whole curve, not just its end: f − f* per step to 1e-9 relative.
        measured = np.asarray(path.values[:200])
        assert np.allclose(measured, predicted[:200], rtol=1e-9, atol=0), path.label


def test_the_rate_alone_would_misjudge_momentum_so_the_closed_form_keeps_distills_k_term():
    """At the optimum both roots coincide: the error is (a + b k) ρ^k, not ρ^k (Distill's R^k)."""
    _, (_, hb) = walk()
    naive = math.log(1e-6 / hb.values[0]) / (2 * math.log(HB_RATE))
    assert hb.reached > 1.3 * naive  # so the prediction above is not the rate alone


def test_torch_momentum_is_distills_heavy_ball_with_alpha_lr_and_beta_momentum():
    """z ← β z + ∇f(w), w ← w − α z (Distill), written out by hand, is the path torch takes."""
    cfg, (_, hb) = walk(steps=60)
    lam = np.array([LMIN, LMAX])
    w, z = np.array(cfg.start_point, dtype=np.float64), np.zeros(2)
    for k in range(60):
        z = HB_BETA * z + lam * w
        w = w - HB_ALPHA * z
        assert w == pytest.approx([hb.xs[k + 1], hb.ys[k + 1]], rel=1e-9, abs=1e-300)


def test_predict_applies_only_where_the_theory_does():
    cfg = SurfaceConfig()
    sgd, momentum, rmsprop, adam = cfg.path_configs()
    assert theory.predict(cfg, sgd, 10) is not None and theory.predict(cfg, momentum, 10) is not None
    assert theory.predict(cfg, rmsprop, 10) is None and theory.predict(cfg, adam, 10) is None
    assert theory.predict(cfg.replace(noise=0.1), sgd, 10) is None
    assert theory.predict(cfg.replace(surface="rosenbrock"), sgd, 10) is None
    assert theory.predict(cfg, momentum.replace(nesterov=True), 10) is None
    tuned, values = theory.predict(cfg, momentum, 10)
    assert (tuned.alpha, tuned.beta) == (momentum.lr, momentum.momentum) and len(values) == 11


def test_weight_decay_shifts_the_curvatures():
    cfg = SurfaceConfig(steps=80, paths=(normal({"optimizer": "sgd", "lr": 0.01, "weight_decay": 0.5}),))
    run = SurfaceRun(cfg)
    run.run()
    _, predicted = theory.predict(cfg, run.paths[0].cfg, 80)
    assert np.allclose(run.paths[0].values, predicted[: len(run.paths[0].values)], rtol=1e-9)

"""Every surface lesson's "what to look for" is true, on seeds 0, 1 and 2 wherever noise is involved."""

import itertools
import math

import numpy as np
import pytest

from playground.catalog import Status
from playground.lessons import SURFACE_LESSONS
from playground.surfaces.run import SurfaceRun

SEEDS = (0, 1, 2)


def run_lesson(name: str, seed: int = 0) -> SurfaceRun:
    cfg = SURFACE_LESSONS[name].surface
    run = SurfaceRun(cfg.replace(seed=seed) if cfg.noise else cfg)
    run.run()
    return run


def test_every_surface_lesson_has_its_claim_tested_here():
    assert set(SURFACE_LESSONS) == {"ravine", "nesterov", "saddle", "noisy-steps"}
    assert all(lesson.surface.noise == 0 for name, lesson in SURFACE_LESSONS.items() if name != "noisy-steps")


def test_ravine_sgd_zigzags_and_crawls_momentum_arrives_distills_optimum_sooner():
    run = run_lesson("ravine")
    sgd, momentum, optimal = run.paths
    c, s = math.cos(math.radians(run.cfg.angle)), math.sin(math.radians(run.cfg.angle))
    across = [-s * x + c * y for x, y in zip(sgd.xs, sgd.ys, strict=True)]  # the steep direction
    assert all(a * b < 0 for a, b in itertools.pairwise(across))  # "zig-zags across the ravine on every step"
    assert sgd.steps == 300 and sgd.reached is None  # "after 300 steps it has not reached f − f* < 1e-6"
    assert momentum.cfg.lr == sgd.cfg.lr and momentum.reached < 200  # "at the same step size, under 200 steps"
    assert optimal.reached < 80  # "Distill's optimal step size and momentum: under 80"
    assert (optimal.cfg.lr, optimal.cfg.momentum) == pytest.approx(((2 / 11) ** 2, (9 / 11) ** 2), abs=1e-3)


def test_nesterov_overshoots_less_and_arrives_sooner_than_classical_momentum():
    run = run_lesson("nesterov")
    classical, nesterov = run.paths
    assert (classical.cfg.lr, classical.cfg.momentum) == (nesterov.cfg.lr, nesterov.cfg.momentum) == (0.01, 0.9)
    assert run.cfg.surface == "quadratic" and run.cfg.noise == 0

    def rises(path):
        return int(np.sum(np.diff(path.values) > 0))

    assert rises(classical) > rises(nesterov)  # "its f rising on more steps than Nesterov's"
    assert nesterov.reached is not None and 2 * nesterov.reached < classical.reached  # "in under half the steps"


def test_saddle_sgd_stays_stuck_near_the_saddle_point_adam_escapes():
    run = run_lesson("saddle")
    sgd, adam = run.paths
    assert sgd.steps == 300 and sgd.status == Status.RUNNING  # "still ... after 300 steps"
    assert math.hypot(sgd.xs[-1], sgd.ys[-1]) < 0.1  # "stuck near it"
    assert math.hypot(sgd.xs[0], sgd.ys[0]) > 1  # it got there by sliding in
    assert adam.status == Status.ESCAPED and adam.ys[-1] > 2  # "walks off downhill along y and escapes"


@pytest.mark.parametrize("seed", SEEDS)
def test_noisy_steps_large_step_arrives_first_small_step_sits_lower(seed):
    run = run_lesson("noisy-steps", seed)
    large, small = run.paths
    assert (large.cfg.lr, small.cfg.lr) == (0.1, 0.01) and run.cfg.noise > 0

    def first_near(path):
        return next(k for k, v in enumerate(path.values) if v < 0.5)

    assert first_near(large) <= 15 and first_near(small) > 60  # "within 15 steps" / "over 60 steps"
    assert np.mean(small.values[-100:]) < np.mean(large.values[-100:])  # "over the last 100 steps ... lower"
    assert min(large.values[first_near(large):]) < 0.05 < np.mean(large.values[-100:])  # it jitters, not settles

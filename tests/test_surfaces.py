"""Loss surfaces: autograd against hand-written gradients, stationary minima, and paths that are real
torch.optim paths (bit for bit), with divergence, escape and seeded gradient noise."""

import math
import time

import numpy as np
import pytest
import torch

from playground.catalog import OPTIMIZERS, SURFACES, Status
from playground.figures.surface import path_frames, path_patch
from playground.live.runner import Runner
from playground.live.slots import TrainingSlots
from playground.live.worker import Worker
from playground.surfaces.config import SurfaceConfig, normal
from playground.surfaces.functions import DTYPE, FUNCTIONS, Surface, make_surface
from playground.surfaces.run import SurfaceRun

ROTATED = Surface("quadratic", {"kappa": 37.0, "angle": 25.0})
ALL = [Surface(name) for name in SURFACES if name != "quadratic"] + [Surface("quadratic"), ROTATED]


def paths(*specs: dict) -> tuple:
    return tuple(normal(p) for p in specs)


def autograd(surface: Surface, x: float, y: float) -> tuple[float, float]:
    w = torch.tensor([x, y], dtype=DTYPE, requires_grad=True)
    surface.value(w).backward()
    return tuple(w.grad.tolist())


def test_every_catalogue_surface_has_a_function_and_sensible_points():
    assert set(FUNCTIONS) == set(SURFACES)
    for info in SURFACES.values():
        (xlo, xhi), (ylo, yhi) = info.domain
        for x, y in (info.start, *info.minima, *info.saddles):
            assert xlo <= x <= xhi and ylo <= y <= yhi
        assert info.latex and info.label and (info.minima or info.f_star is None)


@pytest.mark.parametrize("surface", ALL, ids=lambda s: f"{s.name}{s.params or ''}")
def test_autograd_equals_the_hand_written_gradient_at_five_points(surface):
    rng = np.random.default_rng(0)
    (xlo, xhi), (ylo, yhi) = surface.info.domain
    for x, y in zip(rng.uniform(xlo, xhi, 5), rng.uniform(ylo, yhi, 5), strict=True):
        auto, hand = autograd(surface, x, y), surface.gradient(x, y)
        assert auto == pytest.approx(hand, rel=1e-10, abs=1e-10), (x, y)


@pytest.mark.parametrize("surface", ALL, ids=lambda s: f"{s.name}{s.params or ''}")
def test_known_minima_are_stationary_and_take_the_value_f_star(surface):
    info = surface.info
    for x, y in (*info.minima, *info.saddles):
        assert max(map(abs, surface.gradient(x, y))) < 1e-9 and max(map(abs, autograd(surface, x, y))) < 1e-9
    for x, y in info.minima:
        assert float(surface.value(torch.tensor([x, y], dtype=DTYPE))) == pytest.approx(info.f_star, abs=1e-12)
        assert float(surface.value(torch.tensor([x + 0.01, y], dtype=DTYPE))) > info.f_star  # a minimum, not a max


def plain_loop(surface: Surface, name: str, start, steps: int, noise: float = 0.0, seed: int = 0, **hparams):
    """What a learner would write: a Parameter, a torch.optim optimizer and a loop."""
    info = OPTIMIZERS[name]
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    opt = getattr(torch.optim, info.torch_class)([p], **hparams, **info.fixed)
    gen = torch.Generator().manual_seed(seed)
    xs, ys = [start[0]], [start[1]]
    for _ in range(steps):
        opt.zero_grad()
        surface.value(p).backward()
        if noise:
            p.grad += noise * torch.randn(2, generator=gen, dtype=torch.float64)
        opt.step()
        xs.append(p[0].item())
        ys.append(p[1].item())
    return xs, ys


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock", "beale", "himmelblau", "rastrigin"])
@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_every_optimizer_path_equals_a_plain_torch_optim_loop_bit_for_bit(surface, noise):
    specs = [{"optimizer": name, "lr": 0.003} for name in OPTIMIZERS if name != "nadam"]  # 7 paths at most
    cfg = SurfaceConfig(surface=surface, angle=30.0, noise=noise, seed=5, steps=25, paths=paths(*specs))
    run = SurfaceRun(cfg)
    for _ in range(25):
        run.epoch()
    for path in run.paths:
        used = {k: getattr(path.cfg, k) for k in OPTIMIZERS[path.cfg.optimizer].hparams}
        assert path.steps == 25
        assert (path.xs, path.ys) == plain_loop(run.surface, path.cfg.optimizer, cfg.start_point, 25, noise, 5,
                                                **used), path.label


def test_nadam_path_equals_a_plain_loop_too():
    cfg = SurfaceConfig(surface="beale", steps=30, paths=paths({"optimizer": "nadam", "lr": 0.01}))
    run = SurfaceRun(cfg)
    run.run()
    path = run.paths[0]
    assert (path.xs, path.ys) == plain_loop(run.surface, "nadam", cfg.start_point, 30, lr=0.01,
                                            betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)


def test_a_too_large_step_diverges_and_a_saddle_is_escaped():
    run = SurfaceRun(SurfaceConfig(surface="rosenbrock", paths=paths({"optimizer": "sgd", "lr": 0.05},
                                                                      {"optimizer": "adam", "lr": 0.01})))
    run.run()
    sgd, adam = run.paths
    assert sgd.status == Status.DIVERGED and sgd.stopped_at <= 5 and sgd.outcome().startswith("diverged at step")
    assert adam.status != Status.DIVERGED and adam.steps == 300 and run.status == Status.FINISHED
    saddle = SurfaceRun(SurfaceConfig(surface="saddle", paths=paths({"optimizer": "adam", "lr": 0.05})))
    saddle.run()
    path = saddle.paths[0]
    assert path.status == Status.ESCAPED and path.values[-1] < -4 and saddle.status == Status.EARLY
    assert "steps to ε" not in saddle.table().columns  # no minimum: nothing to reach


def test_an_overshoot_that_comes_back_is_not_called_divergence():
    """Heavy ball at Distill's optimum overshoots the plotted domain across the ravine, then converges."""
    cfg = SurfaceConfig(paths=paths({"optimizer": "momentum", "lr": (2 / 11) ** 2, "momentum": (9 / 11) ** 2}))
    run = SurfaceRun(cfg)
    run.run()
    path = run.paths[0]
    assert max(map(abs, path.ys)) > 3  # outside the plotted box for a few steps
    assert path.status == Status.RUNNING and path.reached is not None and path.outcome() == "in the domain"
    assert run.status == Status.EARLY and "every path reached" in run.message


def test_noise_is_seeded_and_the_same_for_every_path():
    def run_with(seed):
        run = SurfaceRun(SurfaceConfig(noise=0.5, seed=seed, steps=20, paths=paths(
            {"optimizer": "sgd", "lr": 0.01}, {"optimizer": "sgd", "lr": 0.01, "weight_decay": 0.001})))
        run.run()
        return run.paths

    a, b, c = run_with(1), run_with(1), run_with(2)
    assert a[0].xs == b[0].xs and a[0].xs != c[0].xs
    quiet = SurfaceRun(SurfaceConfig(steps=20, paths=paths({"optimizer": "sgd", "lr": 0.01})))
    quiet.run()
    assert quiet.paths[0].xs != a[0].xs
    assert abs(a[0].xs[1] - a[1].xs[1]) < 1e-4  # same noise draw: the paths differ only by the decay


def test_a_surface_run_is_a_runner_the_live_worker_drives():
    run = SurfaceRun(SurfaceConfig(steps=30))
    assert isinstance(run, Runner) and run.status == Status.READY and not run.done
    assert run.lanes == run.paths and len(run.labels) == 4 and run.steps_per_epoch == 4 and run.cfg.epochs == 30
    assert run.step(3) == 0 and run.current_epoch == 0 and run.steps_left == 1  # mid-epoch: 3 of 4 paths
    assert run.step(1) == 1 and run.current_epoch == 1 and all(p.steps == 1 for p in run.paths)
    worker = Worker(run, path_frames, SurfaceRun.points, slots=TrainingSlots(2), sid="me", max_steps_per_s=1e9)
    worker.speed = math.inf
    worker.play()
    frames, points = [[] for _ in run.paths], [[] for _ in run.paths]
    while worker.playing or not run.done:
        got_frames, got_points, lost = worker.collect()
        assert not lost
        for k in range(4):
            frames[k] += got_frames[k]
            points[k] += got_points[k]
        time.sleep(0.01)
    frames_k, points_k, _ = worker.collect()
    for k in range(4):
        frames[k] += frames_k[k]
        points[k] += points_k[k]
    assert run.done and run.current_epoch == 30 and run.status == Status.FINISHED
    for k, path in enumerate(run.paths):  # every step's value streamed; the last frame is the whole path
        assert [p[0] for p in points[k]] == list(range(2, 31))
        assert [p[1] for p in points[k]] == [path.gap(v) for v in path.values[2:]]
        assert frames[k][-1]["patches"][0] == path_patch(k, path.xs, path.ys) and len(path.xs) == 31
    table = run.table()
    assert list(table.index) == run.labels and (table["steps"] == 30).all()
    assert math.isclose(table["f"].iloc[0], run.paths[0].values[-1])


def test_surface_parameters_reach_the_function():
    flat = make_surface(SurfaceConfig(kappa=1.0))
    steep = make_surface(SurfaceConfig(kappa=100.0, angle=90.0))
    w = torch.tensor([1.0, 0.0], dtype=DTYPE)
    assert float(flat.value(w)) == pytest.approx(0.5) and float(steep.value(w)) == pytest.approx(50.0)
    xs, ys, z = steep.grid(11)
    assert z.shape == (11, 11) and xs[0] == -3 and ys[-1] == 3 and abs(z[5, 5]) < 1e-12

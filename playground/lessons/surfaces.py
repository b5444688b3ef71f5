"""The surface lessons: torch.optim optimizers walking a 2-D function (tests/test_surface_lessons.py)."""

from __future__ import annotations

from playground.catalog import OPTIMIZERS
from playground.config import RunConfig
from playground.lessons.lesson import Lesson, paths
from playground.surfaces.config import SurfaceConfig

SURFACE_RUNS = (
    Lesson("ravine", "Momentum on a ravine", RunConfig(),
           "Plain SGD zig-zags across the ravine on every step and crawls along its floor: after 300 steps it "
           "has not reached f − f* < 10⁻⁶. Momentum at the same step size gets there in under 200 steps, and "
           "Distill's optimal step size and momentum (see Theory) in under 80.",
           surface=SurfaceConfig(angle=20.0, paths=paths(
               {"optimizer": "sgd", "lr": 0.019}, {"optimizer": "momentum", "lr": 0.019, "momentum": 0.9},
               {"optimizer": "momentum", "lr": 0.033, "momentum": 0.67})),
           explanation="An ill-conditioned quadratic is a long narrow valley: steep across, nearly flat along. A "
                       "step small enough not to blow up across it crawls along it. Momentum keeps a velocity "
                       "that cancels the zig-zag and builds up along the floor.",
           formula=OPTIMIZERS["momentum"].latex,
           question="Same step size, with and without momentum: which path reaches the minimum first, and what "
                    "does plain SGD's path look like?",
           answer="SGD zig-zags across the ravine on every step and has not arrived after 300 steps; momentum "
                  "arrives in under 200, and Distill's optimal settings in under 80."),
    Lesson("nesterov", "Nesterov vs classical momentum", RunConfig(),
           "Same step size (0.01) and μ = 0.9 on the ravine: classical momentum overshoots and swings back, its f "
           "rising on more steps than Nesterov's, which corrects with the look-ahead gradient and reaches "
           "f − f* < 10⁻⁶ in under half the steps.",
           surface=SurfaceConfig(angle=20.0, paths=paths(
               {"optimizer": "momentum", "lr": 0.01, "momentum": 0.9},
               {"optimizer": "nesterov", "lr": 0.01, "momentum": 0.9})),
           explanation="Classical momentum adds the velocity to the gradient taken where it stands; Nesterov "
                       "also adds the gradient's correction for where the velocity is taking it, so it brakes "
                       "before it overshoots.",
           formula=OPTIMIZERS["nesterov"].latex,
           question="Both paths have the same step size and momentum. Which one overshoots more?",
           answer="Classical momentum: its f rises on more steps, and Nesterov reaches the minimum in under half "
                  "the steps."),
    Lesson("saddle", "Adam on a saddle", RunConfig(),
           "SGD slides into the saddle point and is still stuck near it after 300 steps, because its steps "
           "shrink with the gradient. Adam divides each coordinate's step by that coordinate's gradient size, "
           "so it walks off downhill along y and escapes the domain.",
           surface=SurfaceConfig(surface="saddle", start=(-1.5, 0.0001), paths=paths(
               {"optimizer": "sgd", "lr": 0.01}, {"optimizer": "adam", "lr": 0.01})),
           explanation="At a saddle point the gradient vanishes though it is no minimum: downhill one way, uphill "
                       "the other. Gradient steps shrink with the gradient there.",
           formula=OPTIMIZERS["adam"].latex,
           question="Both start just off the ridge line. Which one gets past the saddle point?",
           answer="Adam: its per-coordinate scaling makes the tiny y-gradient a full step, so it walks off "
                  "downhill; SGD is still stuck near the saddle after 300 steps."),
    Lesson("noisy-steps", "Noisy gradients: a large step against a small one", RunConfig(),
           "With noise on every gradient, the larger step (lr 0.1) gets near the minimum (f < 0.5) within 15 "
           "steps, then jitters at a noise floor; the smaller step (lr 0.01) needs over 60 steps to get as "
           "near, but over the last 100 steps it sits lower on average.",
           surface=SurfaceConfig(kappa=10.0, noise=1.0, steps=500, paths=paths(
               {"optimizer": "sgd", "lr": 0.1}, {"optimizer": "sgd", "lr": 0.01})),
           explanation="A mini-batch gradient is the true gradient plus noise. A large step gets close fast but "
                       "keeps taking noisy jumps; a small step averages the noise out over many steps.",
           formula=r"\theta_t \leftarrow \theta_{t-1} - \eta\,(\nabla f(\theta_{t-1}) + \xi_t),\quad"
                   r"\xi_t \sim \mathcal N(0, \sigma^2 I)",
           question="Which step size ends closer to the minimum on average?",
           answer="The small one (lr 0.01): it takes over 60 steps to get near, but over the last 100 steps it "
                  "sits lower than the large step, which jitters at a noise floor."),
)

"""Lessons: named starting setups (single runs, races or surface runs), each with what to watch.

Adding a lesson is one [[lessons]] entry in lessons.toml; the sidebar, the race and surfaces
pages, the URL (?lesson=NAME) and the command line all list it from LESSONS. Every
lesson's "what to look for" is checked on seeds 0, 1 and 2 (tests/test_claims.py and the surface
and TF Playground test modules).
"""

from __future__ import annotations

from playground.catalog import MODES
from playground.lessons.lesson import Lesson
from playground.lessons.read import read

LESSONS: dict[str, Lesson] = {lesson.name: lesson for lesson in read()}

# The course, topic by topic: (topic, the lessons that teach it).
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Full batch vs mini-batch vs stochastic", ("batch-size", "stochastic")),
    ("Learning rate: too small, right, too large", ("learning-rate", "diverge")),
    ("Momentum", ("ravine",)),
    ("Nesterov vs classical momentum", ("nesterov",)),
    ("Adaptive methods: Adagrad, RMSprop, Adam", ("adaptive", "optimizers")),
    ("L2 weight decay, coupled (Adam) vs decoupled (AdamW)", ("adam-vs-adamw",)),
    ("Dropout", ("dropout", "regularization")),
    ("Batch normalization", ("batch-norm",)),
    ("Overfitting and early stopping", ("overfit", "early-stopping")),
    ("Metrics under class imbalance", ("imbalance",)),
    ("The seed lab", ("seed-lab",)),
)

# Views of LESSONS (derived, never declared again): single-run lessons, ready-made races, surface runs.
PRESETS: dict[str, Lesson] = {n: lesson for n, lesson in LESSONS.items() if lesson.mode == MODES[0]}
COMPARISONS: dict[str, Lesson] = {n: lesson for n, lesson in LESSONS.items() if lesson.race}
SURFACE_LESSONS: dict[str, Lesson] = {n: lesson for n, lesson in LESSONS.items() if lesson.surface}

__all__ = ["COMPARISONS", "LESSONS", "PRESETS", "SURFACE_LESSONS", "TOPICS", "Lesson"]

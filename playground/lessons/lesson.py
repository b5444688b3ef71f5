"""One lesson: a named starting setup (a single run, a race or a surface run) and what it teaches."""

from __future__ import annotations

from dataclasses import dataclass

from playground.catalog import MODES
from playground.config import RunConfig
from playground.surfaces.config import SurfaceConfig


@dataclass(frozen=True)
class Lesson:
    """A named RunConfig (the race's shared base when it has lanes) plus what to watch and ask.

    look_for is a claim about what the run shows; tests/test_claims.py (and the surface and TF
    Playground test modules) check every one on seeds 0, 1 and 2.
    """

    name: str
    title: str
    config: RunConfig
    look_for: str
    lanes: tuple[dict, ...] = ()  # a race: what each lane changes
    surface: SurfaceConfig | None = None  # a surface run (config is then unused)
    explanation: str = ""  # two or three sentences on the idea
    formula: str = ""  # the update rule or formula, in LaTeX
    question: str = ""  # "predict, then play": shown before Play
    answer: str = ""  # shown once the run is over
    controls: tuple[str, ...] = ()  # the settings projector mode keeps on screen (RunConfig fields)

    @property
    def race(self) -> bool:
        """True when the lesson is a race between lanes."""
        return bool(self.lanes)

    @property
    def mode(self) -> str:
        """The page mode the lesson opens in."""
        single, race, surfaces = MODES[:3]
        return race if self.race else surfaces if self.surface else single

    @property
    def base(self) -> RunConfig:
        """The shared config of a race's lanes."""
        return self.config


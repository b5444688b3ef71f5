"""B2, race cost: epochs of a 4-lane race against epochs of one lane (a plain Trainer), same data.

The race is the "SGD vs momentum vs RMSprop vs Adam" comparison: four lanes that share a batch
size, so they run as one stacked forward/backward with four torch.optim optimizers. A plain
Python loop over four Trainers (what the race would cost without stacking) is measured too.
Each contender runs blocks of epochs in turn (interleaved); the figure is the ratio of median
CPU seconds per epoch of this thread, so load from other processes cancels out.
"""

from __future__ import annotations

import dataclasses

from benchmarks.common import Row, calibrate, interleave, median
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.lessons import COMPARISONS
from playground.race_config import RaceConfig

GOAL = 2.0
CASES = (("batch 32", 32), ("full batch", 0), ("batch 1", 1))


def measure(batch_size: int, *, seconds: float, n_points: int = 300) -> dict:
    """Median CPU time per epoch: 4-lane race, one lane, and four Trainers in a Python loop."""
    comp = COMPARISONS["optimizers"]
    # An epoch limit beyond the config's own (replace() would refuse it): the race never ends mid-window.
    base = dataclasses.replace(comp.base.replace(batch_size=batch_size, n_points=n_points), epochs=10**9)
    race = Race(RaceConfig.of(base, list(comp.lanes)))
    one = Trainer(base.replace(**comp.lanes[-1]), race.data)  # the Adam lane on its own
    loop = [Trainer(base.replace(**lane), race.data) for lane in comp.lanes]

    def loop_epoch() -> None:
        for t in loop:
            t.epoch()

    block = calibrate(race.epoch, 0.05)
    cpu: dict[str, list[float]] = {}
    interleave({"race": race.epoch, "one": one.epoch, "loop": loop_epoch}, seconds=seconds, min_reps=5,
               block={"race": block, "one": block, "loop": block}, cpu=cpu)
    med = {k: median(v) for k, v in cpu.items()}
    return {"ratio": med["race"] / med["one"], "loop_ratio": med["loop"] / med["one"],
            "race_ms": med["race"] * 1e3, "one_ms": med["one"] * 1e3, "reps": len(cpu["race"]), "block": block}


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    """One goal row per batch size, with the unstacked loop's ratio beside it."""
    seconds = 0.3 if tiny else 3.0 if quick else 8.0
    n_points = 60 if tiny else 300
    rows = []
    for name, batch_size in CASES:
        m = measure(batch_size, seconds=seconds, n_points=n_points)
        rows.append(Row("B2", f"race of 4 lanes / 1 lane, moons {n_points}, {name}", m["ratio"], "x",
                        ("<=", GOAL), digits=2,
                        detail=f"{m['race_ms']:.2f} vs {m['one_ms']:.2f} ms/epoch; four Trainers in a Python "
                               f"loop: {m['loop_ratio']:.2f}x; {m['reps']}x{m['block']} epochs"))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table(run()))

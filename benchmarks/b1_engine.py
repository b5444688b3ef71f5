"""B1, engine overhead: Trainer epochs/s against a bare PyTorch loop doing the same training.

Same model (build_model with the Trainer's init seed; checked equal to trainer.model), same data
tensors, same batch order (torch.randperm with the Trainer's shuffle seed), same optimizer
(build_optimizer). The two run alternately, many blocks of epochs each, and the figure is
the ratio of their median epochs per second of this thread's CPU time (time.thread_time: on a
shared machine wall time also counts the time the scheduler gave to other processes, which
swamps a 100 µs epoch); the wall-clock ratio of medians is shown beside it. Afterwards both
must hold bit-identical weights, which shows they did the same work. A third contender, the
bare loop plus one no-grad validation forward and loss per epoch, shows how much of the gap
is the validation itself.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time

import torch

from benchmarks.common import Row, calibrate, interleave, median
from playground.config import RunConfig
from playground.engine.models import build_model
from playground.engine.optim import build_optimizer
from playground.engine.train import Trainer, loss_for, seeds

GOAL = 0.85
CASES = (("batch 1", 1), ("batch 32", 32), ("full batch", 0))


def config(batch_size: int, n_points: int = 1000) -> RunConfig:
    """Moons, MLP 2-20-20-1, Adam; an epoch limit that is never reached, and no early stopping."""
    return RunConfig(n_points=n_points, hidden=(20, 20), optimizer="adam", batch_size=batch_size, epochs=10**9,
                     patience=0)


class BareLoop:
    """What a learner would write by hand: shuffle, slice, zero_grad, forward, backward, step."""

    def __init__(self, trainer: Trainer, validate: bool = False):
        cfg, data = trainer.cfg, trainer.data
        s = seeds(cfg.seed, cfg.init_seed)
        self.model = build_model(cfg, data.n_features, data.n_outputs, init_seed=s["init"]).to(trainer.device)
        mine, theirs = self.model.state_dict(), trainer.model.state_dict()
        if mine.keys() != theirs.keys() or not all(torch.equal(mine[k], theirs[k]) for k in mine):
            self.model.load_state_dict(theirs)  # should not happen: same builder, same seed
        self.optimizer = build_optimizer(cfg, self.model.parameters())
        self.loss_fn = loss_for(data.task)
        self.gen = torch.Generator().manual_seed(s["shuffle"])
        self.x, self.y, self.n, self.b = trainer.x, trainer.y, len(trainer.y), trainer.batch_size
        self.x_val, self.y_val = trainer.x_val, trainer.y_val
        self.validate = validate and len(self.y_val) > 0
        self.model.train()

    def _step(self, xb: torch.Tensor, yb: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        self.loss_fn(self.model(xb), yb).backward()
        self.optimizer.step()

    def epoch(self) -> None:
        if self.b >= self.n:
            self._step(self.x, self.y)  # full batch: data order, like the Trainer
        else:
            order = torch.randperm(self.n, generator=self.gen)
            for i in range(0, self.n, self.b):
                idx = order[i:i + self.b]
                self._step(self.x[idx], self.y[idx])
        if self.validate:
            with torch.no_grad():
                float(self.loss_fn(self.model(self.x_val), self.y_val))


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def profile_epochs(trainer: Trainer, seconds: float) -> str:
    """cProfile of trainer.epoch(): playground's functions by cumulative µs per epoch, then the top self times."""
    block = calibrate(trainer.epoch, seconds)
    prof = cProfile.Profile(time.thread_time)  # CPU time of this thread: immune to other processes' load
    prof.enable()
    for _ in range(block):
        trainer.epoch()
    prof.disable()
    stats = pstats.Stats(prof)
    rows = []
    for (path, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():
        rows.append((path, line, name, ncalls, tottime, cumtime))
    total = sum(r[4] for r in rows) / block * 1e6
    out = io.StringIO()
    out.write(f"cProfile (thread CPU time) of Trainer.epoch() over {block} epochs ({total:.0f} µs/epoch under"
              " the profiler, which inflates Python-level calls):\n")
    out.write("  cumulative µs/epoch in playground/:\n")
    mine = sorted((r for r in rows if "/playground/" in r[0]), key=lambda r: -r[5])
    for path, line, name, ncalls, _tt, cum in mine[:10]:
        out.write(f"    {cum / block * 1e6:8.1f}  {path.split('/playground/')[-1]}:{line}({name})"
                  f"  x{ncalls / block:g}/epoch\n")
    out.write("  top self time µs/epoch (all code):\n")
    for path, line, name, ncalls, tt, _cum in sorted(rows, key=lambda r: -r[4])[:8]:
        where = name if path == "~" else f"{path.split('/')[-1]}:{line}({name})"
        out.write(f"    {tt / block * 1e6:8.1f}  {where}  x{ncalls / block:g}/epoch\n")
    return out.getvalue()


def measure(batch_size: int, *, seconds: float, n_points: int = 1000, block_s: float = 0.02) -> dict:
    """Interleaved epochs of Trainer, bare loop, and bare loop + validation; medians and ratios."""
    trainer = Trainer(config(batch_size, n_points))
    bare, bare_val = BareLoop(trainer), BareLoop(trainer, validate=True)
    initial_equal = same_weights(trainer.model, bare.model)
    block = calibrate(trainer.epoch, block_s)  # one warm-up epoch each, then equal blocks for all
    bare.epoch()
    bare_val.epoch()
    cpu: dict[str, list[float]] = {}
    wall = interleave({"trainer": trainer.epoch, "bare": bare.epoch, "bare+val": bare_val.epoch},
                      seconds=seconds, min_reps=5, block=block, cpu=cpu)
    med = {k: median(v) for k, v in cpu.items()}
    med_wall = {k: median(v) for k, v in wall.items()}
    return {"trainer": trainer, "reps": len(cpu["trainer"]), "block": block,
            "trainer_eps": 1 / med["trainer"], "bare_eps": 1 / med["bare"], "bare_val_eps": 1 / med["bare+val"],
            "ratio": med["bare"] / med["trainer"], "ratio_val": med["bare+val"] / med["trainer"],
            "ratio_wall": med_wall["bare"] / med_wall["trainer"],
            "trainer_eps_wall": 1 / med_wall["trainer"], "bare_eps_wall": 1 / med_wall["bare"],
            "same_weights": initial_equal and same_weights(trainer.model, bare.model)}


def run(*, quick: bool = False, tiny: bool = False, profile_misses: bool = True) -> list[Row]:
    """One goal row and one informational row per batch size."""
    seconds = 0.3 if tiny else 3.0 if quick else 12.0
    n_points = 60 if tiny else 1000
    rows = []
    for name, batch_size in CASES:
        m = measure(batch_size, seconds=seconds, n_points=n_points, block_s=0.002 if tiny else 0.02)
        case = f"moons {n_points}, 2-20-20-1 Adam, {name}"
        row = Row("B1", f"{case}: Trainer/bare epochs/s", m["ratio"], "", (">=", GOAL), digits=3,
                  detail=f"{m['trainer_eps']:.0f} vs {m['bare_eps']:.0f} ep/CPU-s; wall-clock ratio "
                         f"{m['ratio_wall']:.3f} ({m['trainer_eps_wall']:.0f} vs {m['bare_eps_wall']:.0f} ep/s); "
                         f"{m['reps']}x{m['block']} epochs, same weights {'✓' if m['same_weights'] else '✗'}")
        if profile_misses and row.met is False:
            row.profile = f"B1 {case}: ratio {m['ratio']:.3f} < {GOAL}\n" + profile_epochs(
                m["trainer"], 0.3 if tiny or quick else 1.5)
        rows.append(row)
        rows.append(Row("B1", f"{case}: Trainer / (bare + val forward)", m["ratio_val"], "", digits=3,
                        detail=f"bare+val {m['bare_val_eps']:.0f} ep/CPU-s"))
    return rows

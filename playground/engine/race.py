"""Race: 2 to 4 lanes trained in lockstep from the same data, initial weights and batch order.

Lanes that share an architecture and batch size are stepped together: their weights are
stacked and one batched forward/backward serves them all (torch.bmm over the lane axis),
while each lane keeps its own torch.optim optimizer. On tiny networks the cost of a step
is per-operation overhead, so one batched pass costs about as much as one lane's.
"""

from __future__ import annotations

import threading
import time

import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from playground.catalog import Status
from playground.engine.data import Dataset, load_dataset
from playground.engine.models import InputFeatures, SeededDropout
from playground.engine.train import Trainer
from playground.race_config import RaceConfig


class Race:
    """Trainers for every lane, advanced together one epoch at a time."""

    def __init__(self, rcfg: RaceConfig, dataset: Dataset | None = None):
        self.rcfg = rcfg
        self.data = dataset if dataset is not None else load_dataset(rcfg.base)
        self.lock = threading.RLock()  # lanes share weight storage, so they share one lock
        # Equal seeds give every lane the same initial weights and batch order.
        self.trainers = [Trainer(cfg, self.data, lock=self.lock) for cfg in rcfg.lane_configs()]
        self.labels = rcfg.labels()
        self.groups = _groups(self.trainers)
        self._pass = None  # the epoch in progress, as a generator of steps

    @property
    def current_epoch(self) -> int:
        """Epochs completed by the lanes still running (or the furthest lane)."""
        return max(t.current_epoch for t in self.trainers)

    @property
    def done(self) -> bool:
        """True when every lane has finished, stopped early, diverged or failed."""
        return all(t.done for t in self.trainers)

    @property
    def status(self) -> Status:
        """Running while any lane runs; once all are done, the first lane's final status."""
        running = [t.status for t in self.trainers if not t.done]
        return running[0] if running else self.trainers[0].status

    @property
    def lanes(self) -> list[Trainer]:
        """The runs a live view draws: one per lane."""
        return self.trainers

    @property
    def cfg(self):
        """The shared base config (epoch limit, data, seeds)."""
        return self.rcfg.base

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps one race epoch takes over all running lanes."""
        return sum(t.steps_per_epoch for t in self.trainers if not t.done)

    @property
    def steps_left(self) -> int:
        """Steps until the current race epoch ends, at most (step() stops at the epoch's end itself)."""
        return self.steps_per_epoch

    @property
    def notice(self) -> str | None:
        """The lanes' shared notice (device fallback, input features that do not apply), if any."""
        return self.trainers[0].notice

    def epoch(self) -> None:
        """Advance every running lane by one epoch."""
        with self.lock:
            while not self.step(10**9) and not self.done:
                pass

    def step(self, k: int = 1) -> int:
        """Take up to k optimizer steps of the current race epoch; returns 1 once the epoch completed."""
        with self.lock:
            for _ in range(k):
                if self._pass is None:
                    self._pass = self._epoch_steps()
                try:
                    next(self._pass)
                except StopIteration:
                    self._pass = None
                    return 1
        return 0

    def _epoch_steps(self):
        """One race epoch as a sequence of steps (one per yield): stacked groups, then lone lanes."""
        for group in self.groups:
            if isinstance(group, _Stack):
                yield from _batched_epoch(group)
            else:
                lane, target = group[0], group[0].current_epoch + 1
                while not lane.done and lane.current_epoch < target:
                    lane.step(1)
                    yield

    def run(self, epochs: int | None = None, callback=None) -> None:
        """Race to the epoch limit (or `epochs` more), calling callback(race) after each epoch."""
        stop = self.rcfg.base.epochs if epochs is None else self.current_epoch + epochs
        while not self.done and self.current_epoch < stop:
            self.epoch()
            if callback:
                callback(self)

    def stack_of(self, k: int) -> tuple[int, int] | None:
        """(lanes in the batched pass lane k trains in, its place there), or None for a lane trained alone.

        A batched pass rounds some sums differently from a lone run: a replay needs to know.
        """
        for group in self.groups:
            places = [j for j, t in enumerate(group) if t is self.trainers[k]]
            if isinstance(group, _Stack) and places:
                return len(group), places[0]
        return None

    def leaderboard(self) -> pd.DataFrame:
        """One row per lane: epoch, losses, validation score, best epoch, time per epoch, status."""
        rows = [_lane_row(label, t) for label, t in zip(self.labels, self.trainers, strict=True)]
        return pd.DataFrame(rows).set_index("lane")


def _lane_row(label: str, t: Trainer) -> dict:
    h = t.history
    score = "val RMSE" if t.data.task == "regression" else "val accuracy"
    return {"lane": label, "epoch": t.current_epoch, "train loss": h.last("train_loss"),
            "val loss": h.last("val_loss"), score: h.last("val_score"), "best epoch": t.best_epoch,
            "ms / epoch": 1000 * t.elapsed / max(t.current_epoch, 1), "status": t.status.value}


def _groups(trainers: list[Trainer]) -> list[list[Trainer]]:
    """Lanes that can share one batched pass: same layer structure and same batch size."""
    groups: dict[tuple, list[Trainer]] = {}
    for t in trainers:
        key = (t.cfg.hidden, t.cfg.activation, t.cfg.batch_norm, t.cfg.dropout > 0, t.batch_size, t.device)
        groups.setdefault(key, []).append(t)
    return [_Stack(g) if len(g) > 1 else g for g in groups.values()]


class _Stack(list):
    """Lanes whose Linear weights live in shared (lanes, out, in) tensors.

    Each lane's nn.Parameter keeps its identity (its optimizer holds it) but its storage
    becomes one slice of the stacked tensor, so the batched forward needs no torch.stack
    and the backward yields every lane's gradient as a slice, with no copies.
    """

    def __init__(self, lanes: list[Trainer]):
        super().__init__(lanes)
        self.linear = [i for i, m in enumerate(lanes[0].model) if isinstance(m, nn.Linear)]
        self.stacked: dict[tuple[int, str], torch.Tensor] = {}
        for i in self.linear:
            for name in ("weight", "bias"):
                params = [getattr(t.model[i], name) for t in lanes]
                leaf = torch.stack([p.detach() for p in params]).requires_grad_()
                for k, p in enumerate(params):
                    p.data = leaf.data[k]  # same Parameter object, storage shared with the stack
                self.stacked[i, name] = leaf
        # Batch-norm scales and shifts stay ordinary per-lane leaves.
        self.own = [[p for m in t.model if isinstance(m, nn.BatchNorm1d) for p in m.parameters()] for t in lanes]

    def step(self) -> None:
        """One optimizer step for every running lane from one batched forward/backward."""
        start = time.perf_counter()
        lanes = [t for t in self if not t.done]
        xb, yb = lanes[0].batch(lanes[0].begin_step())
        for t in lanes[1:]:
            t.begin_step()  # same seed and batch size: the same indices
        self._zero_grads()
        losses = lane_losses(lanes[0].data.task, self.forward(xb), yb)
        losses.sum().backward()  # d(sum)/d(loss_i) = 1: each lane gets exactly its own gradient
        for t in lanes:
            t.optimizer.step()
        extras = self._epoch_extras() if lanes[0].schedule.closing else {}  # after the updates
        seconds = (time.perf_counter() - start) / len(lanes)
        for t in lanes:
            k = self.index(t)
            t.end_step(losses[k], len(yb), seconds, **{name: v[k] for name, v in extras.items()})

    def _zero_grads(self) -> None:
        # The stacked gradients persist and each lane's .grad is a view of its slice, so one
        # zero_() per layer replaces lanes x (weights + biases) assignments every step.
        for (i, name), leaf in self.stacked.items():
            if leaf.grad is None:
                leaf.grad = torch.zeros_like(leaf)
                for k, t in enumerate(self):
                    getattr(t.model[i], name).grad = leaf.grad[k]
            leaf.grad.zero_()
        for params in self.own:
            for p in params:
                p.grad = None

    @torch.no_grad()
    def _epoch_extras(self) -> dict[str, list]:
        """Gradient norms, weight norms and validation outputs of every lane, computed in one pass each."""
        sq = sum(leaf.grad.reshape(len(self), -1).pow(2).sum(1) for leaf in self.stacked.values())
        own = [sum(float(p.grad.pow(2).sum()) for p in params if p.grad is not None) for params in self.own]
        norms = [(float(a) + b) ** 0.5 for a, b in zip(sq, own, strict=True)]
        weights = torch.stack([self.stacked[i, "weight"].reshape(len(self), -1).norm(dim=1) for i in self.linear])
        extras: dict[str, list] = {"grad_norm": norms, "weight_norms": weights.T.tolist()}
        if len(self[0].y_val):
            for t in self:
                t.set_mode(train=False)
            extras["val_out"] = list(self.forward(self[0].x_val))
        return extras

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """All lanes on one batch: (batch, in) -> (lanes, batch, out)."""
        features = isinstance(self[0].model[0], InputFeatures)
        if features:  # no parameters and the same for every lane: computed once, as a lone lane computes it
            x = self[0].model[0](x)
        h = x.unsqueeze(0).expand(len(self), *x.shape)
        for i, first in enumerate(self[0].model):
            if i == 0 and features:
                continue
            if i in self.linear:
                bias = self.stacked[i, "bias"].unsqueeze(1)
                h = torch.baddbmm(bias, h, self.stacked[i, "weight"].transpose(1, 2))
            elif isinstance(first, (nn.BatchNorm1d, SeededDropout, nn.Tanh, nn.Sigmoid)):
                # Per lane: batch statistics, dropout masks, and exp-based kernels (see PAD).
                h = torch.stack([t.model[i](lane_h) for t, lane_h in zip(self, h, strict=True)])
            else:
                h = first(h)  # ReLU / identity: exact, so one call serves every lane
        return h


def _batched_epoch(lanes: _Stack):
    """A stacked group's epoch, one batched step per yield."""
    running = [t for t in lanes if not t.done]
    if not running:
        return
    target = min(t.current_epoch for t in running) + 1
    while not all(t.done or t.current_epoch >= target for t in lanes):
        try:
            lanes.step()
        except (RuntimeError, ValueError) as exc:  # one broken group must not take the app down
            for t in lanes:
                if not t.done:
                    t.fail(exc)
            return
        yield


# Elementwise exp/log kernels vectorize a tensor in chunks of up to 2 x 16 floats and finish
# the leftover tail with scalar code that rounds differently. Appending this many zeros puts
# that tail in the padding, so every lane's logits take the same (vector) path.
PAD = 64


def lane_losses(task: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each lane's mean batch loss in a few calls: (lanes, batch, outputs) -> (lanes,).

    Identical lanes get bit-identical losses and gradients (see PAD).
    """
    lanes = out.shape[0]
    if task == "multiclass":  # log-softmax works row by row: every row takes the same path
        per = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.repeat(lanes), reduction="none")
    elif task == "binary":
        logits = torch.cat([out.reshape(-1), out.new_zeros(PAD)])
        target = torch.cat([y.reshape(-1).repeat(lanes), y.new_zeros(PAD)])
        per = F.binary_cross_entropy_with_logits(logits, target, reduction="none")[: out.numel()]
    else:  # squared error is exact arithmetic
        per = F.mse_loss(out, y.expand_as(out), reduction="none")
    return per.reshape(lanes, -1).mean(1)

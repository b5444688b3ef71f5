"""The batch schedule: which training rows each optimizer step of an epoch uses."""

from __future__ import annotations

import math

import torch


class BatchSchedule:
    """Seeded shuffled mini-batches; equal seeds and batch sizes give equal orders.

    Full batch keeps the data's order (shuffling would not change the gradient). With batch
    norm a trailing single sample joins the previous batch, since a batch of one cannot be
    normalized; steps_per_epoch counts exactly the steps one pass takes.
    """

    def __init__(self, n: int, batch_size: int, *, seed: int, batch_norm: bool = False):
        self.n = n
        size = n if batch_size == 0 else min(batch_size, n)
        self.batch_norm = batch_norm
        self.batch_size = max(size, 2) if batch_norm else size
        self._gen = torch.Generator().manual_seed(seed)
        self._order: torch.Tensor | None = None
        self.pos = 0  # rows of this epoch already used

    @property
    def full(self) -> bool:
        """True when one step sees every training row."""
        return self.batch_size >= self.n

    @property
    def steps_per_epoch(self) -> int:
        """1 for full batch, ceil(n/b) for mini-batch (one less when a single sample is folded), n for SGD."""
        steps = math.ceil(self.n / self.batch_size)
        if self.batch_norm and steps > 1 and self.n % self.batch_size == 1:
            steps -= 1
        return steps

    @property
    def steps_left(self) -> int:
        """Steps until the current epoch ends."""
        if self.pos == 0:
            return self.steps_per_epoch
        return self.steps_per_epoch - self.pos // self.batch_size

    def next(self) -> torch.Tensor | None:
        """Row indices of the next step, or None for the whole set in its order (full batch)."""
        if self.full:
            self.pos = self.n
            return None
        if self._order is None:
            self._order = torch.randperm(self.n, generator=self._gen)
        end = self.pos + self.batch_size
        if self.batch_norm and self.n - end == 1:
            end += 1  # fold the trailing single sample into this batch
        idx = self._order[self.pos:end]
        self.pos = min(end, self.n)
        return idx

    @property
    def closing(self) -> bool:
        """True when the step just taken was the epoch's last."""
        return self.pos >= self.n

    def end_epoch(self) -> None:
        """Start a new pass: the next step draws a fresh order."""
        self._order, self.pos = None, 0

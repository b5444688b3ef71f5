"""The stopping rule: divergence, stalling at chance, early stopping with patience, the best weights."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from playground.catalog import Status

# A training loss this many times the untrained model's loss is a spike, even if finite: BCE
# saturates, so SGD at lr=10 can blow weights up to 1e12 without ever reaching NaN.
DIVERGE_RATIO = 100.0
# A spike is divergence only once it lasts this many epochs in a row: RMSprop at lr 0.1 on
# diabetes spends up to 3 epochs above the ratio, then trains to a good fit.
SPIKE_EPOCHS = 10
# Epochs in a row at chance before a run is called stalled. Momentum can carry a network whose
# outputs went flat for 3 epochs back to life; it cannot after 20.
STALL_EPOCHS = 20
FLOOR_MARGIN = 0.01  # a loss within this fraction of the best constant guess's is no better than it
FLAT = 1e-6  # outputs whose spread is below this (relative to their size) are all the same
CHANCE_MARGIN = 0.05  # accuracy within this of the most common class's share is at chance


def constant_loss(task: str, y: np.ndarray) -> float:
    """The loss of the best constant guess on targets y: the class entropy, or the variance."""
    y = np.asarray(y)
    if task == "regression":
        return float(np.mean((y - y.mean()) ** 2)) if len(y) else 0.0
    p = np.bincount(y.astype(np.int64).ravel()) / max(len(y), 1)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def chance_kind(task: str, out: torch.Tensor, y: torch.Tensor) -> tuple[bool, str] | None:
    """Whether these outputs on targets y are all the same, and why they are no better than a guess.

    None when they are better than a guess.
    """
    spread = float((out.amax(0) - out.amin(0)).max())
    if spread <= FLAT * (1.0 + float(out.abs().max())):
        if task == "regression":
            return True, "every prediction has been the same value (the hidden units are dead or saturated)"
        return True, ("every output has been the same (the hidden units are dead or saturated): it predicts one "
                      "class, so accuracy is at chance")
    if task == "regression":
        return None
    pred = (out[:, 0] > 0).long() if task == "binary" else out.argmax(1)
    truth = y.reshape(-1).long()
    accuracy = float((pred == truth).float().mean())
    majority = float(torch.bincount(truth).max()) / len(truth)
    if accuracy <= majority + CHANCE_MARGIN:
        return False, (f"accuracy has stayed at chance ({accuracy:.2f}; the most common class is {majority:.2f} "
                       "of the points) with a loss no better than a constant guess")
    return None


class StoppingRule:
    """Watches each epoch's monitored loss (validation, else training) and says when to stop."""

    def __init__(self, initial_loss: float, task: str = "binary", targets: torch.Tensor | None = None,
                 monitor: str = "val loss"):
        self.initial_loss = initial_loss
        self.monitor = monitor  # what the loss watched is called: "val loss", or "train loss" without a split
        self.task = task
        self.targets = targets  # of the monitored split (validation, else training); None: no stall check
        # The best constant guess's loss there; 0 (a single class) turns the stall check off.
        self.floor = constant_loss(task, targets.cpu().numpy()) if targets is not None and len(targets) else 0.0
        self.best_epoch, self.best_loss, self.stop_epoch = 0, math.inf, None
        self.best_state = None  # the best epoch's weights, kept while restore-best is on
        self.best_state_epoch = 0  # the epoch best_state holds (0: none)
        self.best_val_out = None  # validation outputs at the best epoch
        self.restored_epoch = None  # the epoch whose weights were restored on stopping
        self.bad_epochs = self.spike_epochs = self.chance_epochs = 0  # epochs in a row of each
        # The lowest training and monitored losses and their epochs, whatever min_delta says.
        self.lowest = {"train": (math.inf, 0), "monitored": (math.inf, 0)}
        self.reason = ""  # why the run diverged or stalled, in plain words

    def verdict(self, epoch: int, row: dict[str, float], cfg, model, val_out: torch.Tensor | None = None,
                outputs: Callable[[], torch.Tensor] | None = None) -> Status | None:
        """Record the epoch; a final status when the run must end, else None.

        outputs() gives the eval-mode outputs on the monitored split; it is called only when
        the loss is no better than a constant guess, so a healthy run never pays for it.
        """
        monitored = row.get("val_loss", row["train_loss"])
        broken = self._broken(epoch, row["train_loss"], monitored, outputs)
        if broken is not None:
            return broken
        if monitored < self.best_loss - cfg.min_delta:
            self.best_epoch, self.best_loss, self.bad_epochs = epoch, monitored, 0
            self.best_val_out = val_out
            if cfg.restore_best:  # kept even with patience off: patience may be switched on later
                self._save(model, epoch)
        else:
            self.bad_epochs += 1
        if cfg.patience and self.bad_epochs >= cfg.patience:
            self.stop_epoch = epoch
            return Status.EARLY
        if epoch >= cfg.epochs:
            return Status.FINISHED
        return None

    def _broken(self, epoch: int, train_loss: float, monitored: float, outputs) -> Status | None:
        if not (math.isfinite(train_loss) and math.isfinite(monitored)):
            self.reason = "the loss became NaN or infinite"
            return Status.DIVERGED
        spiking = train_loss > DIVERGE_RATIO * max(self.initial_loss, 1e-3)
        self.spike_epochs = self.spike_epochs + 1 if spiking else 0
        if self.spike_epochs >= SPIKE_EPOCHS:
            self.reason = f"the loss stayed over {DIVERGE_RATIO:g}x its starting value for {SPIKE_EPOCHS} epochs"
            return Status.DIVERGED
        for name, value in (("train", train_loss), ("monitored", monitored)):
            if value < self.lowest[name][0]:
                self.lowest[name] = (value, epoch)
        kind = self._at_chance(epoch, monitored, outputs)
        if kind is not None:
            self.reason = f"for {STALL_EPOCHS} epochs {kind}"
            return Status.STALLED
        return None

    def _at_chance(self, epoch: int, monitored: float, outputs) -> str | None:
        """Why the run has been at chance for STALL_EPOCHS epochs, if it has.

        Outputs that are all the same mean dead units; accuracy at chance counts only while neither
        loss makes a new low, since a network on a plateau creeps down and then learns.
        """
        kind = None
        if self.floor > 0 and outputs is not None and monitored >= (1 - FLOOR_MARGIN) * self.floor:
            kind = chance_kind(self.task, outputs(), self.targets)
        self.chance_epochs = self.chance_epochs + 1 if kind else 0
        if kind is None or self.chance_epochs < STALL_EPOCHS:
            return None
        flat, why = kind
        stuck = all(epoch - low_epoch >= STALL_EPOCHS for _, low_epoch in self.lowest.values())
        return why if flat or stuck else None

    def restore(self, model, restore_best: bool, epoch: int, now: float) -> str:
        """On an early stop, roll back to the best epoch's weights if they were kept; says which weights remain."""
        head = (f"stopped early at epoch {epoch}; the best was epoch {self.best_epoch} "
                f"({self.monitor} {self.best_loss:.4f})")
        if restore_best and self.best_state_epoch == self.best_epoch:
            model.load_state_dict(self.best_state)
            self.restored_epoch = self.best_epoch
            return head + ", and its weights are restored"
        why = ("its weights could not be restored (restore-best was off at that epoch)" if restore_best
               else "restore-best is off")
        return head + f"; {why}, so the model keeps epoch {epoch}'s weights ({self.monitor} {now:.4f})"

    @torch.no_grad()
    def _save(self, model, epoch: int) -> None:
        state = model.state_dict()
        if self.best_state is None:
            self.best_state = {k: v.detach().clone() for k, v in state.items()}
        else:  # copy into the kept tensors: no allocation per new best
            for k, v in state.items():
                self.best_state[k].copy_(v)
        self.best_state_epoch = epoch

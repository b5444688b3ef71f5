"""Trainer: advances a model by steps or epochs and records its history. It never draws.

Its jobs are split: the batch schedule (schedule.py), the stopping rule (stopping.py), the
live hyperparameters (optim.set_live, their one writer) and evaluation (evaluation.py).
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import numpy as np
import torch
from torch import nn

from playground.catalog import LIVE_HPARAMS, STOPPING_FIELDS, Status
from playground.config import MAX_HISTORY_ROWS, RunConfig
from playground.engine.data import Dataset, load_dataset
from playground.engine.devices import fallback_notice, resolve_device
from playground.engine.errors import plain_reason
from playground.engine.evaluation import Evaluation
from playground.engine.history import History
from playground.engine.internals import Internals
from playground.engine.models import build_model, features_notice
from playground.engine.optim import build_optimizer, hparams_for, live_values, set_live
from playground.engine.schedule import BatchSchedule
from playground.engine.stopping import StoppingRule


def seeds(seed: int, init_seed: int = 0) -> dict[str, int]:
    """Independent seeds for weight init, shuffle order and dropout masks, derived from two."""
    init, shuffle, dropout = np.random.SeedSequence([seed, init_seed]).generate_state(3)
    return {"init": int(init), "shuffle": int(shuffle), "dropout": int(dropout)}


def loss_for(task: str) -> nn.Module:
    """BCE-with-logits for binary, cross-entropy for multiclass, MSE for regression."""
    return {"binary": nn.BCEWithLogitsLoss, "multiclass": nn.CrossEntropyLoss,
            "regression": nn.MSELoss}[task]()


class Trainer(Evaluation):
    """Owns model, optimizer, data tensors and history for one run."""

    def __init__(self, cfg: RunConfig, dataset: Dataset | None = None, *, metrics_every: int = 0,
                 lock: threading.RLock | None = None):
        self._cfg = cfg
        self.data = dataset if dataset is not None else load_dataset(cfg)
        self.device = resolve_device(cfg.device)
        # Settings that cannot apply here, in plain words: an absent device, input features of non-2-D data.
        notices = fallback_notice(cfg.device), features_notice(cfg, self.data.n_features)
        self.notice = "; ".join(filter(None, notices)) or None
        self.metrics_every = metrics_every  # record sklearn metrics every N epochs (0 = never)
        s = seeds(cfg.seed, cfg.init_seed)
        self._dropout_gen = torch.Generator(device=self.device).manual_seed(s["dropout"])
        self.model = build_model(cfg, self.data.n_features, self.data.n_outputs,
                                 init_seed=s["init"], dropout_gen=self._dropout_gen).to(self.device)
        self.params = list(self.model.parameters())
        self._weights = [m.weight for m in self.model if isinstance(m, nn.Linear)]  # per-layer internals
        # Only dropout and batch norm behave differently in train and eval mode; flipping just
        # them is ~20x cheaper than model.train()/eval(), which walk every module each epoch.
        self._modal = [m for m in self.model.modules() if isinstance(m, (nn.Dropout, nn.BatchNorm1d))]
        self.optimizer = build_optimizer(cfg, self.params)
        self.internals = Internals(self._weights, self.params, self.optimizer)  # per-layer columns
        self.loss_fn = loss_for(self.data.task)
        self.x, self.y = self._tensors(self.data.x_train, self.data.y_train)
        self.x_val, self.y_val = self._tensors(self.data.x_val, self.data.y_val)
        self.n = len(self.y)
        self.schedule = BatchSchedule(self.n, cfg.batch_size, seed=s["shuffle"],
                                      batch_norm=cfg.batch_norm and bool(cfg.hidden))
        self.history = History(max_rows=MAX_HISTORY_ROWS)
        self.status, self.message = Status.READY, ""
        # Streamlit may start a new script run while a live tick is still training on another
        # thread; two threads inside one model's autograd crashed the server. One lock per run
        # (a Race passes one lock to all its lanes) makes them take turns.
        self.lock = lock or threading.RLock()
        self.current_epoch = self.steps = 0  # epochs and optimizer steps taken
        self._val_out = None  # the latest validation outputs
        self._loss_sum = torch.zeros((), device=self.device)
        self.elapsed = 0.0
        self.initial_loss = self._loss_on(self.x, self.y)  # reference for divergence
        monitored_y = self.y_val if len(self.y_val) else self.y
        self.stopping = StoppingRule(self.initial_loss, self.data.task, monitored_y,
                                     monitor="val loss" if len(self.y_val) else "train loss")

    @property
    def cfg(self) -> RunConfig:
        """The run's config; only configure() changes it, and its live values mirror the optimizer."""
        return self._cfg

    batch_size = property(lambda self: self.schedule.batch_size, doc="Rows per step (all of them for full batch).")
    steps_left = property(lambda self: self.schedule.steps_left, doc="Steps until the current epoch ends.")
    steps_per_epoch = property(lambda self: self.schedule.steps_per_epoch,
                               doc="1 for full batch, about ceil(n/b) for mini-batch, n for stochastic.")

    # The stopping rule's record, read through the trainer.
    best_epoch = property(lambda self: self.stopping.best_epoch, doc="Epoch of the lowest monitored loss (0: none).")
    best_loss = property(lambda self: self.stopping.best_loss, doc="The lowest monitored loss so far.")
    stop_epoch = property(lambda self: self.stopping.stop_epoch, doc="Epoch where early stopping ended the run.")
    weights_epoch = property(lambda self: self.stopping.restored_epoch or self.current_epoch,
                             doc="The epoch whose weights the model holds: the best one once restored.")

    @property
    def done(self) -> bool:
        """True once the run finished, stopped early, diverged, stalled or failed."""
        return self.status.done

    lanes = property(lambda self: [self], doc="The runs a live view draws: just this one (a Race has one per lane).")
    labels = property(lambda self: [""], doc="One label per lane.")

    @torch.no_grad()
    def _loss_on(self, x: torch.Tensor, y: torch.Tensor) -> float:
        self.set_mode(train=False)
        return float(self.loss_fn(self.model(x), y))

    def _tensors(self, x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        xt = torch.as_tensor(x, device=self.device)
        yt = torch.as_tensor(y, device=self.device)
        # BCE wants float targets shaped like the (n, 1) logits; MSE likewise.
        return xt, (yt.float().unsqueeze(1) if self.data.task != "multiclass" else yt)

    # ---- training ------------------------------------------------------------------------------

    def step(self, k: int = 1) -> int:
        """Take up to k optimizer steps, finishing epochs as they complete; returns epochs done."""
        epochs_before = self.current_epoch
        with self.lock:
            try:
                for _ in range(k):
                    if self.done:
                        break
                    self._one_step()
            except (RuntimeError, ValueError) as exc:  # a broken run must not take the app down
                self.fail(exc)
        return self.current_epoch - epochs_before

    def epoch(self) -> None:
        """Train until the current epoch completes: exactly one pass over the training rows."""
        with self.lock:  # a whole epoch at a time, even with another thread waiting
            self.step(self.schedule.steps_left)

    def run(self, epochs: int | None = None, callback=None) -> None:
        """Train for `epochs` more epochs (default: to the limit), calling callback(trainer) each."""
        stop = self.cfg.epochs if epochs is None else min(self.cfg.epochs, self.current_epoch + epochs)
        while self.current_epoch < stop and not self.done:
            self.epoch()
            if callback:
                callback(self)

    def _one_step(self) -> None:
        start = time.perf_counter()
        xb, yb = self.batch(self.begin_step())
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(xb), yb)
        loss.backward()
        self.optimizer.step()
        self.end_step(loss, len(yb), time.perf_counter() - start)

    def begin_step(self) -> torch.Tensor | None:
        """Start a step: train mode, and the next batch's row indices (None = every row)."""
        self.status = Status.RUNNING
        self.set_mode(train=True)  # dropout and batch-norm batch statistics on
        return self.schedule.next()

    def batch(self, idx: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """The training rows at idx (all of them for None)."""
        if idx is None:
            return self.x, self.y
        idx = idx.to(self.device)
        return self.x[idx], self.y[idx]

    def set_mode(self, train: bool) -> None:
        """Train mode (dropout on, batch statistics) or eval mode (no dropout, running statistics)."""
        if self.model.training != train:
            self.model.training = train
            for m in self._modal:
                m.training = train

    def end_step(self, loss: torch.Tensor, size: int, seconds: float, *, val_out: torch.Tensor | None = None,
                 grad_norm: float | None = None, weight_norms: list[float] | None = None) -> None:
        """Finish a step whose update is done: account the loss and close the epoch on its last batch.

        A caller that already computed the validation outputs, gradient norm or weight norms (a
        race, for all its lanes in one pass) passes them in.
        """
        self._loss_sum.add_(loss.detach(), alpha=size)
        self.steps += 1
        self.elapsed += seconds
        if self.schedule.closing:
            self._finish_epoch(val_out, grad_norm, weight_norms)

    def _finish_epoch(self, val_out: torch.Tensor | None, grad_norm: float | None,
                      weight_norms: list[float] | None = None) -> None:
        self.current_epoch += 1
        self.schedule.end_epoch()
        train_loss = float(self._loss_sum) / self.n  # the one host sync per epoch
        self._loss_sum.zero_()
        row = {"epoch": self.current_epoch, "steps": self.steps, "train_loss": train_loss, "time": self.elapsed}
        row.update(live_values(self.optimizer))
        row.update(self.internals.record(grad_norm, weight_norms))  # gradient and weight norms: one host sync
        row.update(self._validate(val_out))
        if self.metrics_every and self.current_epoch % self.metrics_every == 0:
            row.update(self._prefixed(self.evaluate()))
        self.history.append(row)
        verdict = self.stopping.verdict(self.current_epoch, row, self.cfg, self.model, self._val_out,
                                        self._monitored_outputs)
        if verdict is not None:
            self._end(verdict)

    @torch.no_grad()
    def _monitored_outputs(self) -> torch.Tensor:
        """Eval-mode outputs on the split the stopping rule watches (validation, else training)."""
        if self._val_out is not None:
            return self._val_out
        self.set_mode(train=False)
        return self.model(self.x)

    @torch.no_grad()
    def _validate(self, out: torch.Tensor | None = None) -> dict[str, float]:
        if not len(self.y_val):
            return {}
        if out is None:
            self.set_mode(train=False)
            out = self.model(self.x_val)
        self._val_out = out  # kept so the best epoch's metrics can be computed later
        loss = float(self.loss_fn(out, self.y_val))
        if self.data.task == "regression":
            score = math.sqrt(float(((out - self.y_val) ** 2).mean())) * self.data.y_std  # RMSE
        elif self.data.task == "binary":
            score = float(((out > 0).float() == self.y_val).float().mean())  # accuracy
        else:
            score = float((out.argmax(1) == self.y_val).float().mean())
        return {"val_loss": loss, "val_score": score}

    # ---- ending ----------------------------------------------------------------------------------

    def _end(self, status: Status) -> None:
        self.status = status
        if status.broken:
            self.message = (f"{status} at epoch {self.current_epoch}: {self.stopping.reason}. This usually means "
                            "the learning rate is too large for this optimizer. "
                            f"Try a smaller learning rate than {self.lr:g}.")
            self.history.events.append((self.current_epoch, str(status)))
        elif status == Status.EARLY:
            now = self.history.last("val_loss" if len(self.y_val) else "train_loss")
            self.message = self.stopping.restore(self.model, self.cfg.restore_best, self.current_epoch, now)
            self.history.events.append((self.current_epoch, "stopped early"))
        else:
            self.message = f"finished {self.current_epoch} epochs"

    def fail(self, exc: Exception) -> None:
        """Stop the run with a one-line reason in plain words instead of raising."""
        self.status = Status.FAILED
        self.message = f"training stopped at epoch {self.current_epoch}: {plain_reason(exc)}"

    # ---- live changes ------------------------------------------------------------------------------

    @property
    def lr(self) -> float:
        """Current learning rate of the live optimizer."""
        return live_values(self.optimizer)["lr"]

    def set_hparams(self, **values: float) -> dict[str, tuple[float, float]]:
        """Apply lr/momentum/weight_decay to the running optimizer and log each change."""
        usable = {k: v for k, v in values.items() if k in hparams_for(self._cfg.optimizer)}
        with self.lock:
            changed = set_live(self.optimizer, **usable)
        for key, (old, new) in changed.items():
            self.history.events.append((self.current_epoch, f"{key} {old:g} → {new:g}"))
        # The config mirrors what the optimizer now holds; unused values are remembered for the URL.
        self._cfg = dataclasses.replace(self._cfg, **{**values, **live_values(self.optimizer)})
        return changed

    def configure(self, new: RunConfig) -> list[str]:
        """Apply new's live hyperparameters and stopping settings in place; returns what changed."""
        changed = [f"{k} {old:g} → {v:g}" for k, (old, v) in
                   self.set_hparams(**{k: getattr(new, k) for k in LIVE_HPARAMS}).items()]
        stopping = {k: getattr(new, k) for k in STOPPING_FIELDS if getattr(self._cfg, k) != getattr(new, k)}
        if stopping:
            with self.lock:
                self._cfg = dataclasses.replace(self._cfg, **stopping)
                if self.status == Status.FINISHED and self.current_epoch < self._cfg.epochs:
                    self.status = Status.READY  # a raised epoch limit lets a finished run go on
            changed += [f"{k} → {v}" for k, v in stopping.items()]
        return changed

    @staticmethod
    def _prefixed(result: dict[str, dict[str, float]]) -> dict[str, float]:
        return {f"{split}_{k}": v for split, vals in result.items() for k, v in vals.items()}

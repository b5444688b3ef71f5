"""Trainer: advances a model by steps or epochs and records its history. It never draws."""

from __future__ import annotations

import copy
import math
import threading
import time

import numpy as np
import torch
from torch import nn

from playground.config import MAX_HISTORY_ROWS, RunConfig
from playground.data import Dataset, load_dataset
from playground.errors import plain_reason
from playground.evaluation import Evaluation
from playground.history import History
from playground.models import build_model
from playground.optim import build_optimizer, hparams_for, set_live

# Tiny networks run fastest on one thread; more threads only contend (measured 30x slower
# with 2 threads on a busy 2-core machine). Set once when the engine is imported.
torch.set_num_threads(1)

# A loss this many times the untrained model's loss counts as divergence, even if finite:
# BCE saturates, so SGD at lr=10 can blow weights up to 1e12 without ever reaching NaN.
DIVERGE_RATIO = 100.0

RUNNING, READY, FINISHED, EARLY, DIVERGED, FAILED = (
    "running", "ready", "finished", "stopped early", "diverged", "failed")


def resolve_device(device: str) -> torch.device:
    """'auto' picks CUDA when it is available, else the CPU."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


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

    def __init__(self, cfg: RunConfig, dataset: Dataset | None = None, *, metrics_every: int = 0):
        self.cfg = cfg
        self.data = dataset if dataset is not None else load_dataset(cfg)
        self.device = resolve_device(cfg.device)
        self.metrics_every = metrics_every  # record sklearn metrics every N epochs (0 = never)
        s = seeds(cfg.seed, cfg.init_seed)
        self._shuffle_gen = torch.Generator().manual_seed(s["shuffle"])
        self._dropout_gen = torch.Generator(device=self.device).manual_seed(s["dropout"])
        self.model = build_model(cfg, self.data.n_features, self.data.n_outputs,
                                 init_seed=s["init"], dropout_gen=self._dropout_gen).to(self.device)
        self.params = list(self.model.parameters())
        # Only dropout and batch norm behave differently in train and eval mode; flipping just
        # them is ~20x cheaper than model.train()/eval(), which walk every module each epoch.
        self._modal = [m for m in self.model.modules() if isinstance(m, (nn.Dropout, nn.BatchNorm1d))]
        self.optimizer = build_optimizer(cfg, self.params)
        self.loss_fn = loss_for(self.data.task)
        self.x, self.y = self._tensors(self.data.x_train, self.data.y_train)
        self.x_val, self.y_val = self._tensors(self.data.x_val, self.data.y_val)
        self.n = len(self.y)
        self.batch_size = self._batch_size(cfg)
        self.history = History(max_rows=MAX_HISTORY_ROWS)
        self.status, self.message = READY, ""
        # Streamlit may start a new script run while a live tick is still training on another
        # thread; two threads inside one model's autograd crashed the server (B4). One lock per
        # run (a Race shares one across its lanes) makes them take turns.
        self.lock = threading.RLock()
        self.current_epoch = self.steps = 0  # epochs and optimizer steps taken
        self.best_epoch, self.best_loss, self.stop_epoch = 0, math.inf, None
        self._best_state, self._bad_epochs = None, 0
        self._val_out = self._best_val_out = None  # validation outputs: latest, and at the best epoch
        self._order: torch.Tensor | None = None
        self._pos = 0
        self._loss_sum = torch.zeros((), device=self.device)
        self.elapsed = 0.0
        self.initial_loss = self._loss_on(self.x, self.y)  # reference for divergence

    @torch.no_grad()
    def _loss_on(self, x: torch.Tensor, y: torch.Tensor) -> float:
        self.set_mode(train=False)
        return float(self.loss_fn(self.model(x), y))

    def _tensors(self, x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        xt = torch.as_tensor(x, device=self.device)
        yt = torch.as_tensor(y, device=self.device)
        # BCE wants float targets shaped like the (n, 1) logits; MSE likewise.
        return xt, (yt.float().unsqueeze(1) if self.data.task != "multiclass" else yt)

    def _batch_size(self, cfg: RunConfig) -> int:
        size = self.n if cfg.batch_size == 0 else min(cfg.batch_size, self.n)
        # Batch norm cannot normalize a batch of one sample.
        return max(size, 2) if cfg.batch_norm and cfg.hidden else size

    @property
    def steps_per_epoch(self) -> int:
        """1 for full batch, ceil(n/b) for mini-batch, n for stochastic."""
        return math.ceil(self.n / self.batch_size)

    @property
    def done(self) -> bool:
        """True once the run finished, stopped early, diverged or failed."""
        return self.status in (FINISHED, EARLY, DIVERGED, FAILED)

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
        """Train until the current epoch completes."""
        with self.lock:  # a whole epoch at a time, even with another thread waiting
            target = self.current_epoch + 1
            while self.current_epoch < target and not self.done:
                self.step(self.steps_per_epoch)

    def run(self, epochs: int | None = None, callback=None) -> None:
        """Train for `epochs` more epochs (default: to the limit), calling callback(trainer) each."""
        stop = self.cfg.epochs if epochs is None else min(self.cfg.epochs, self.current_epoch + epochs)
        while self.current_epoch < stop and not self.done:
            self.epoch()
            if callback:
                callback(self)

    def _one_step(self) -> None:
        start = time.perf_counter()
        xb, yb, size = self.next_batch()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.model(xb), yb)
        loss.backward()
        self.optimizer.step()
        self.end_step(loss, size, time.perf_counter() - start)

    def next_batch(self, fetch: bool = True) -> tuple[torch.Tensor, torch.Tensor, int] | None:
        """Begin a step: the next mini-batch; equal seeds and batch sizes give equal orders.

        With fetch=False only the position advances (a race lane reusing another's batch).
        """
        self.status = RUNNING
        if self._order is None:
            # Full batch keeps the data's order; shuffling would not change the gradient.
            self._order = (torch.randperm(self.n, generator=self._shuffle_gen)
                           if self.batch_size < self.n else None)
        self.set_mode(train=True)  # dropout and batch-norm batch statistics on
        return self._batch(fetch)

    def set_mode(self, train: bool) -> None:
        """Train mode (dropout on, batch statistics) or eval mode (no dropout, running statistics)."""
        if self.model.training != train:
            self.model.training = train
            for m in self._modal:
                m.training = train

    @property
    def closing_epoch(self) -> bool:
        """True when the batch just taken is the epoch's last."""
        return self._pos >= self.n

    def end_step(self, loss: torch.Tensor, size: int, seconds: float, *,
                 val_out: torch.Tensor | None = None, grad_norm: float | None = None) -> None:
        """Finish a step whose optimizer update is done: account the loss, close the epoch.

        A race passes the validation outputs and gradient norm it computed for all lanes at once.
        """
        self._loss_sum.add_(loss.detach(), alpha=size)
        self.steps += 1
        self.elapsed += seconds
        if self.closing_epoch:
            self._finish_epoch(val_out, grad_norm)

    def _batch(self, fetch: bool = True) -> tuple[torch.Tensor, torch.Tensor, int] | None:
        if self._order is None:
            self._pos = self.n
            return self.x, self.y, self.n
        end = self._pos + self.batch_size
        if self.n - end == 1 and self.cfg.batch_norm:
            end += 1  # fold a trailing single sample into this batch: batch norm needs two
        if not fetch:
            self._pos = min(end, self.n)
            return None
        idx = self._order[self._pos:end].to(self.device)
        self._pos = min(end, self.n)
        return self.x[idx], self.y[idx], len(idx)

    def _finish_epoch(self, val_out: torch.Tensor | None = None, grad_norm: float | None = None) -> None:
        self.current_epoch += 1
        self._order, self._pos = None, 0
        train_loss = float(self._loss_sum) / self.n  # the one host sync per epoch
        self._loss_sum.zero_()
        row = {"epoch": self.current_epoch, "steps": self.steps, "train_loss": train_loss,
               "grad_norm": self._grad_norm() if grad_norm is None else grad_norm, "time": self.elapsed}
        row.update(self._group_values())
        row.update(self._validate(val_out))
        if self.metrics_every and self.current_epoch % self.metrics_every == 0:
            row.update(self._prefixed(self.evaluate()))
        self.history.append(row)
        self._check_end(row)

    def _group_values(self) -> dict[str, float]:
        group = self.optimizer.param_groups[0]
        return {k: float(group[k]) for k in ("lr", "momentum", "weight_decay") if k in group}

    def _grad_norm(self) -> float:
        grads = [p.grad for p in self.params if p.grad is not None]
        return float(torch.linalg.vector_norm(torch.cat([g.reshape(-1) for g in grads]))) if grads else 0.0

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

    def _check_end(self, row: dict[str, float]) -> None:
        monitored = row.get("val_loss", row["train_loss"])
        limit = DIVERGE_RATIO * max(self.initial_loss, 1e-3)
        if not (math.isfinite(row["train_loss"]) and math.isfinite(monitored)) or row["train_loss"] > limit:
            return self._diverged()
        if monitored < self.best_loss - self.cfg.min_delta:
            self.best_epoch, self.best_loss, self._bad_epochs = self.current_epoch, monitored, 0
            self._best_val_out = self._val_out
            if self.cfg.patience and self.cfg.restore_best:
                self._best_state = copy.deepcopy(self.model.state_dict())
        else:
            self._bad_epochs += 1
        if self.cfg.patience and self._bad_epochs >= self.cfg.patience:
            return self._stop_early()
        if self.current_epoch >= self.cfg.epochs:
            self.status, self.message = FINISHED, f"finished {self.current_epoch} epochs"

    def _diverged(self) -> None:
        self.status = DIVERGED
        self.message = (f"diverged at epoch {self.current_epoch}: the loss blew up (NaN, infinite or over "
                        f"{DIVERGE_RATIO:g}x its starting value). "
                        f"Try a smaller learning rate than {self.lr:g}.")
        self.history.events.append((self.current_epoch, "diverged"))

    def _stop_early(self) -> None:
        self.status, self.stop_epoch = EARLY, self.current_epoch
        if self._best_state is not None:
            self.model.load_state_dict(self._best_state)
        self.message = (f"stopped early at epoch {self.current_epoch}; best was epoch {self.best_epoch} "
                        f"(val loss {self.best_loss:.4f})")
        self.history.events.append((self.current_epoch, "stopped early"))

    def fail(self, exc: Exception) -> None:
        """Stop the run with a one-line reason in plain words instead of raising."""
        self.status = FAILED
        self.message = f"training stopped at epoch {self.current_epoch}: {plain_reason(exc)}"

    @property
    def lr(self) -> float:
        """Current learning rate of the live optimizer."""
        return float(self.optimizer.param_groups[0]["lr"])

    def set_hparams(self, **values: float) -> dict[str, tuple[float, float]]:
        """Apply lr/momentum/weight_decay to the running optimizer and log each change."""
        usable = {k: v for k, v in values.items() if k in hparams_for(self.cfg.optimizer)}
        with self.lock:
            changed = set_live(self.optimizer, **usable)
        for key, (old, new) in changed.items():
            self.history.events.append((self.current_epoch, f"{key} {old:g} → {new:g}"))
        if changed:
            self.cfg = self.cfg.replace(**{k: v for k, (_, v) in changed.items()})
        return changed

    @staticmethod
    def _prefixed(result: dict[str, dict[str, float]]) -> dict[str, float]:
        return {f"{split}_{k}": v for split, vals in result.items() for k, v in vals.items()}

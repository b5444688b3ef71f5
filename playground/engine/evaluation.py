"""Evaluation for a Trainer: eval-mode predictions and sklearn metrics, kept apart from training."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
import torch

from playground.engine import metrics as M


class Evaluation:
    """Mixed into Trainer: needs self.model, self.data, self.device, self.set_mode, self.stopping."""

    @torch.no_grad()
    def outputs(self, x: np.ndarray | torch.Tensor) -> torch.Tensor:
        """The model's raw eval-mode outputs (logits, or standardized targets)."""
        with self.lock:  # never while another thread trains these weights
            self.set_mode(train=False)
            return self.model(torch.as_tensor(x, dtype=torch.float32, device=self.device))

    def predict(self, x: np.ndarray | torch.Tensor) -> np.ndarray:
        """Eval-mode predictions: P(class 1), class probabilities, or targets in original units."""
        return self._outputs_to_pred(self.outputs(x))

    def scores(self, x: np.ndarray | torch.Tensor) -> np.ndarray:
        """What ROC curves rank: binary logits, or class log-probabilities (float64, never saturated)."""
        return self._ranking(self.outputs(x))

    def _outputs_to_pred(self, out: torch.Tensor) -> np.ndarray:
        if self.data.task == "binary":
            return torch.sigmoid(out[:, 0]).cpu().numpy()
        if self.data.task == "multiclass":
            return torch.softmax(out, dim=1).cpu().numpy()
        # Original units in float64: a large target's squared errors overflow float32.
        return out[:, 0].cpu().numpy().astype(np.float64) * self.data.y_std + self.data.y_mean

    def _ranking(self, out: torch.Tensor) -> np.ndarray:
        # float32 sigmoid rounds every logit over ~17 to exactly 1.0, tying points ROC-AUC must rank.
        if self.data.task == "binary":
            return out[:, 0].double().cpu().numpy()
        return torch.log_softmax(out.double(), dim=1).cpu().numpy()

    def evaluate(self) -> dict[str, dict[str, float]]:
        """sklearn metrics for the train and validation splits at the current weights."""
        result = {"train": self._split_metrics(self.data.x_train, self.data.y_train)}
        if self.data.has_val:
            result["val"] = self._split_metrics(self.data.x_val, self.data.y_val)
        return result

    def best_metrics(self) -> dict[str, float] | None:
        """sklearn metrics of the validation split at the best epoch (None before it exists)."""
        best = self.stopping.best_val_out
        if best is None:
            return None
        return self._metrics_from(best, self.data.y_val)

    @torch.no_grad()
    def eval_losses(self) -> dict[str, float]:
        """The training loss of each split in eval mode at the current weights (no dropout)."""
        splits = {"train": (self.x, self.y)}
        if self.data.has_val:
            splits["val"] = (self.x_val, self.y_val)
        return {name: float(self.loss_fn(self.outputs(x), y)) for name, (x, y) in splits.items()}

    def _split_metrics(self, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        return self._metrics_from(self.outputs(x), y)

    def _metrics_from(self, out: torch.Tensor, y: np.ndarray) -> dict[str, float]:
        pred = self._outputs_to_pred(out)
        if self.data.task == "regression":
            return M.regression_metrics(y.astype(np.float64) * self.data.y_std + self.data.y_mean, pred)
        return M.classification_metrics(y, pred, self._ranking(out))


class Report(NamedTuple):
    """The metrics table, the generalization gap, the overfitting warning and where val loss bottomed out."""

    table: pd.DataFrame
    gap: float
    warning: str | None
    low_epoch: int | None


def metrics_report(trainer) -> Report:
    """The metrics table: one column per model state, each labelled with the epoch of its weights.

    Every column is measured in eval mode on one set of weights, loss row included, so the
    train column and the gap never mix dropout-on running losses with eval-mode metrics.
    """
    result, losses = trainer.evaluate(), trainer.eval_losses()
    epoch = trainer.weights_epoch
    state = f"epoch {epoch}, restored best" if trainer.stopping.restored_epoch else f"epoch {epoch}"
    columns = {f"train ({state})": {"loss": losses["train"], **result["train"]}}
    if "val" in result:
        columns[f"validation ({state})"] = {"loss": losses["val"], **result["val"]}
    best = trainer.best_metrics()
    if best and trainer.best_epoch != epoch:
        columns[f"validation (best epoch {trainer.best_epoch})"] = {"loss": trainer.best_loss, **best}
    table = M.metrics_table(columns, M.metric_labels(trainer.data.task, trainer.data.class_names))
    gap = losses["val"] - losses["train"] if "val" in losses else math.nan
    h = trainer.history
    low_epoch, warning = M.overfitting(h.column("epoch"), h.column("train_loss"), h.column("val_loss"))
    return Report(table, gap, warning, low_epoch)

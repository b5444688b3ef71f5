"""Evaluation for a Trainer: eval-mode predictions and sklearn metrics, kept apart from training."""

from __future__ import annotations

import numpy as np
import torch

from playground import metrics as M


class Evaluation:
    """Mixed into Trainer: needs self.model, self.data, self.device, self.set_mode, self._best_val_out."""

    @torch.no_grad()
    def predict(self, x: np.ndarray | torch.Tensor) -> np.ndarray:
        """Eval-mode predictions: P(class 1), class probabilities, or targets in original units."""
        with self.lock:  # never while another thread trains these weights
            self.set_mode(train=False)
            return self._outputs_to_pred(self.model(torch.as_tensor(x, dtype=torch.float32, device=self.device)))

    def _outputs_to_pred(self, out: torch.Tensor) -> np.ndarray:
        if self.data.task == "binary":
            return torch.sigmoid(out[:, 0]).cpu().numpy()
        if self.data.task == "multiclass":
            return torch.softmax(out, dim=1).cpu().numpy()
        return (out[:, 0] * self.data.y_std + self.data.y_mean).cpu().numpy()

    def evaluate(self) -> dict[str, dict[str, float]]:
        """sklearn metrics for the train and validation splits at the current weights."""
        result = {"train": self._split_metrics(self.data.x_train, self.data.y_train)}
        if self.data.has_val:
            result["val"] = self._split_metrics(self.data.x_val, self.data.y_val)
        return result

    def best_metrics(self) -> dict[str, float] | None:
        """sklearn metrics of the validation split at the best epoch (None before it exists)."""
        if self._best_val_out is None:
            return None
        return self._metrics_from(self._outputs_to_pred(self._best_val_out), self.data.y_val)

    def _split_metrics(self, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
        return self._metrics_from(self.predict(x), y)

    def _metrics_from(self, pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
        if self.data.task == "regression":
            return M.regression_metrics(y * self.data.y_std + self.data.y_mean, pred)
        return M.classification_metrics(y, pred)

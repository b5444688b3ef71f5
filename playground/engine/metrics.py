"""The metrics table's numbers (numpy, checked against sklearn.metrics) as plain dicts and DataFrames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from playground.engine import fastmetrics as fm

CLASSIFICATION = ("accuracy", "precision", "recall", "f1", "roc_auc")
REGRESSION = ("mse", "rmse", "mae", "r2")
# How a reader writes each metric: the table's row names, never the identifiers.
NAMES = {"accuracy": "accuracy", "precision": "precision", "recall": "recall", "f1": "F1", "roc_auc": "ROC-AUC",
         "mse": "MSE", "rmse": "RMSE", "mae": "MAE", "r2": "R²"}
AVERAGED = ("precision", "recall", "f1")  # over the positive class, or the macro average of every class


def classification_metrics(y_true: np.ndarray, proba: np.ndarray, scores: np.ndarray | None = None) -> dict[str, float]:
    """Accuracy, precision, recall, F1, ROC-AUC; macro and one-vs-rest for more than 2 classes.

    `proba` is P(class 1) with shape (n,) for binary problems, or (n, k) class probabilities.
    `scores` ranks the points for ROC-AUC in their place: binary logits, or class log-probabilities,
    which keep the order that float32 probabilities lose once they round to exactly 1.0.
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=np.float64)
    binary = proba.ndim == 1
    y_pred = (proba >= 0.5).astype(int) if binary else proba.argmax(axis=1)
    labels = None if binary else np.arange(proba.shape[1])
    precision, recall, f1 = fm.precision_recall_f1(y_true, y_pred, labels)
    out = {"accuracy": fm.accuracy(y_true, y_pred), "precision": precision, "recall": recall, "f1": f1}
    out["roc_auc"] = _roc_auc(y_true, proba if scores is None else np.asarray(scores, dtype=np.float64), binary)
    return {k: float(v) for k, v in out.items()}


def _roc_auc(y_true: np.ndarray, scores: np.ndarray, binary: bool) -> float:
    # ROC-AUC is undefined when the split holds a single class; report NaN, not an error.
    if len(np.unique(y_true)) < 2 or not np.isfinite(scores).all():
        return math.nan
    if binary:
        return fm.roc_auc(y_true, scores)
    k = scores.shape[1]
    if len(np.unique(y_true)) < k:
        return math.nan
    # One-vs-rest macro average, as sklearn's multi_class="ovr", which accepts only probabilities.
    return float(np.mean([fm.roc_auc(y_true == c, scores[:, c]) for c in range(k)]))


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MSE, RMSE, MAE and R² (in the target's original units)."""
    if not np.isfinite(y_pred).all():
        return dict.fromkeys(REGRESSION, math.nan)
    mse, mae, r2 = fm.regression(y_true, y_pred)
    return {"mse": mse, "rmse": math.sqrt(mse), "mae": mae, "r2": r2 if len(y_true) > 1 else math.nan}


def metric_labels(task: str, class_names: tuple[str, ...] = ()) -> dict[str, str]:
    """Row names as words that say what each metric averages: the positive class, or the macro average."""
    if task == "regression":
        return {"loss": "loss (MSE of standardized targets)", **{m: NAMES[m] for m in REGRESSION}}
    if task == "binary":
        positive = f"positive class {class_names[1] if len(class_names) > 1 else '1'}"
        return {"loss": "loss (BCE)", **NAMES, **{m: f"{NAMES[m]} ({positive})" for m in AVERAGED}}
    return {"loss": "loss (cross-entropy)", **NAMES, **{m: f"{NAMES[m]} (macro)" for m in AVERAGED},
            "roc_auc": "ROC-AUC (one-vs-rest, macro)"}


def metrics_table(columns: dict[str, dict[str, float]], labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Rows are metrics; one column per named model state (e.g. 'train (epoch 40)')."""
    table = pd.DataFrame({name: pd.Series(values, dtype=float) for name, values in columns.items()})
    table = table.rename(index=labels or {})
    table.index.name = "metric"
    return table


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Confusion matrix with rows = true class, columns = predicted class."""
    from sklearn import metrics as skm  # only the Evaluation tab draws it

    return skm.confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def roc_points(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False and true positive rates of the binary ROC curve, ranking by scores (logits)."""
    from sklearn import metrics as skm  # only the Evaluation tab draws it

    fpr, tpr, _ = skm.roc_curve(y_true, scores)
    return fpr, tpr


SMOOTH = 10  # epochs averaged before comparing, so mini-batch noise neither raises nor hides the warning
RISE = 0.2  # validation loss this fraction above its low is well above it...
MIN_RISE = 0.02  # ...and by at least this much


def overfitting(epochs: np.ndarray, train_loss: np.ndarray, val_loss: np.ndarray) -> tuple[int | None, str | None]:
    """The epoch where validation loss bottomed out, and a warning while it stays well above that low.

    Compared as SMOOTH-epoch averages: the warning stays up while validation loss is over
    RISE above its lowest average and training loss is no higher than it was then, the classic
    sign that the model memorizes its training points.
    """
    val = np.asarray(val_loss, dtype=np.float64)
    if not np.isfinite(val).any():
        return None, None
    low = int(np.nanargmin(val))
    if len(val) < 2 * SMOOTH or not np.isfinite(val[-SMOOTH:]).all():
        return int(epochs[low]), None
    kernel = np.ones(SMOOTH) / SMOOTH
    val_avg = np.convolve(val, kernel, mode="valid")
    train_avg = np.convolve(np.asarray(train_loss, dtype=np.float64), kernel, mode="valid")
    at = int(np.nanargmin(val_avg))
    bottom, now = val_avg[at], val_avg[-1]
    if now > (1 + RISE) * bottom and now - bottom > MIN_RISE and train_avg[-1] <= train_avg[at]:
        return int(epochs[low]), (
            f"Overfitting: validation loss bottomed out at {val[low]:.3f} (epoch {int(epochs[low])}, marked on "
            f"the loss chart) and is now {now:.3f} (average of the last {SMOOTH} epochs), while training loss "
            f"fell from {train_avg[at]:.3f} to {train_avg[-1]:.3f}. Try L2, dropout, more data or early stopping.")
    return int(epochs[low]), None

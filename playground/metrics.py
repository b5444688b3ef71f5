"""Thin wrappers over sklearn.metrics that return plain dicts and DataFrames."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sklearn import metrics as skm

CLASSIFICATION = ("accuracy", "precision", "recall", "f1", "roc_auc")
REGRESSION = ("mse", "rmse", "mae", "r2")


def classification_metrics(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Accuracy, precision, recall, F1, ROC-AUC; macro and one-vs-rest for more than 2 classes.

    `proba` is P(class 1) with shape (n,) for binary problems, or (n, k) class probabilities.
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=np.float64)
    binary = proba.ndim == 1
    y_pred = (proba >= 0.5).astype(int) if binary else proba.argmax(axis=1)
    avg = "binary" if binary else "macro"
    labels = None if binary else np.arange(proba.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # undefined precision on an empty class -> 0, not a warning
        out = {
            "accuracy": skm.accuracy_score(y_true, y_pred),
            "precision": skm.precision_score(y_true, y_pred, average=avg, labels=labels, zero_division=0),
            "recall": skm.recall_score(y_true, y_pred, average=avg, labels=labels, zero_division=0),
            "f1": skm.f1_score(y_true, y_pred, average=avg, labels=labels, zero_division=0),
        }
    out["roc_auc"] = _roc_auc(y_true, proba, binary)
    return {k: float(v) for k, v in out.items()}


def _roc_auc(y_true: np.ndarray, proba: np.ndarray, binary: bool) -> float:
    # ROC-AUC is undefined when the split holds a single class; report NaN, not an error.
    if len(np.unique(y_true)) < 2 or not np.isfinite(proba).all():
        return math.nan
    if binary:
        return skm.roc_auc_score(y_true, proba)
    k = proba.shape[1]
    if len(np.unique(y_true)) < k:
        return math.nan
    return skm.roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=np.arange(k))


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MSE, RMSE, MAE and R² (in the target's original units)."""
    if not np.isfinite(y_pred).all():
        return dict.fromkeys(REGRESSION, math.nan)
    mse = skm.mean_squared_error(y_true, y_pred)
    r2 = skm.r2_score(y_true, y_pred) if len(y_true) > 1 else math.nan
    return {"mse": float(mse), "rmse": float(math.sqrt(mse)),
            "mae": float(skm.mean_absolute_error(y_true, y_pred)), "r2": float(r2)}


def metrics_table(train: dict[str, float], val: dict[str, float] | None,
                  best: dict[str, float] | None = None) -> pd.DataFrame:
    """Rows are metrics; columns are train, validation and (optionally) the best epoch."""
    table = pd.DataFrame({"train": train})
    if val:
        table["validation"] = pd.Series(val)
    if best:
        table["best epoch"] = pd.Series(best)
    table.index.name = "metric"
    return table


def confusion(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Confusion matrix with rows = true class, columns = predicted class."""
    return skm.confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def roc_points(y_true: np.ndarray, proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False and true positive rates of the binary ROC curve."""
    fpr, tpr, _ = skm.roc_curve(y_true, proba)
    return fpr, tpr


def generalization_gap(train_loss: np.ndarray, val_loss: np.ndarray, window: int = 20) -> tuple[float, str | None]:
    """Validation minus train loss now, and a plain warning when the gap has grown for a while.

    The warning fires when, comparing the last window/2 epochs with the window/2 before them
    (averages, so mini-batch noise does not trigger it), validation loss rose by over 5%
    while training loss did not: the classic sign that the model memorizes its training points.
    """
    if len(val_loss) == 0 or not np.isfinite(val_loss[-1]):
        return math.nan, None
    gap = float(val_loss[-1] - train_loss[-1])
    half = window // 2
    if len(val_loss) < window:
        return gap, None
    val_old, val_new = val_loss[-window:-half].mean(), val_loss[-half:].mean()
    train_old, train_new = train_loss[-window:-half].mean(), train_loss[-half:].mean()
    if val_new > 1.05 * val_old and train_new <= train_old and val_new - train_new > val_old - train_old:
        return gap, (f"Overfitting: over the last {window} epochs validation loss rose "
                     f"({val_old:.3f} → {val_new:.3f}) while training loss did not "
                     f"({train_old:.3f} → {train_new:.3f}). Try L2, dropout, more data or early stopping.")
    return gap, None

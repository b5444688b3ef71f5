"""The table's metrics in plain numpy: ~100x cheaper per call than sklearn.metrics, which tests use as the oracle.

sklearn.metrics validates its inputs and builds a multilabel confusion matrix on every call (~1 ms
each, ~20 ms for the whole table); the live table is refreshed while a run plays, so the same
definitions are computed here directly. tests/test_fastmetrics.py checks every function against
sklearn on random cases with ties, empty classes and constant targets.
"""

from __future__ import annotations

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of exact matches (sklearn's accuracy_score)."""
    return float(np.mean(y_true == y_pred))


def _counts(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, ...]:
    """True positives, false positives and false negatives per label."""
    hit = (y_pred[:, None] == labels) & (y_true[:, None] == labels)
    tp = hit.sum(axis=0)
    return tp, (y_pred[:, None] == labels).sum(axis=0) - tp, (y_true[:, None] == labels).sum(axis=0) - tp


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0 where den is 0 (sklearn's zero_division=0)."""
    return np.divide(num, den, out=np.zeros(len(num)), where=den > 0)


def precision_recall_f1(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray | None) -> tuple[float, ...]:
    """Precision, recall and F1 of class 1 (labels None) or their macro average over labels, zero_division=0."""
    tp, fp, fn = _counts(np.asarray(y_true), np.asarray(y_pred), np.array([1]) if labels is None else labels)
    precision, recall, f1 = _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn)
    return float(precision.mean()), float(recall.mean()), float(f1.mean())


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks of x, ties sharing their average rank (scipy's rankdata 'average')."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2.0)[inverse]


def roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Binary ROC-AUC as the Mann-Whitney statistic (ties count one half), as sklearn's roc_auc_score."""
    positive = np.asarray(y_true).astype(bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    ranks = _average_ranks(np.asarray(scores, dtype=np.float64))
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def regression(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, float, float]:
    """MSE, MAE and R² (sklearn's r2_score with force_finite: 1 for a perfect fit of a constant, else 0)."""
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    err = y_true - y_pred
    ss_res, ss_tot = float(np.sum(err**2)), float(np.sum((y_true - y_true.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)
    return float(np.mean(err**2)), float(np.mean(np.abs(err))), r2

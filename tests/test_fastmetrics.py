"""The numpy metrics against sklearn.metrics as the oracle: random cases with ties, empty classes, constants."""

import math
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from playground.engine import fastmetrics as fm
from playground.engine.metrics import classification_metrics, regression_metrics

CASES = 300


def sk_prf(y, p, labels):
    avg = "binary" if labels is None else "macro"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return tuple(f(y, p, average=avg, labels=labels, zero_division=0)
                     for f in (skm.precision_score, skm.recall_score, skm.f1_score))


@pytest.mark.parametrize("seed", range(CASES))
def test_classification_metrics_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(2, 60)), int(rng.integers(2, 5))
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, n))  # some right, some wrong, classes may be empty
    labels = None if k == 2 else np.arange(k)
    assert fm.accuracy(y, pred) == pytest.approx(skm.accuracy_score(y, pred), abs=1e-12)
    assert fm.precision_recall_f1(y, pred, labels) == pytest.approx(sk_prf(y, pred, labels), abs=1e-12)
    # Scores rounded to one decimal: many ties, which count one half in the AUC.
    positive = y == 1
    scores = np.round(rng.normal(size=n) + positive, 1)
    if 0 < positive.sum() < n:
        assert fm.roc_auc(positive, scores) == pytest.approx(skm.roc_auc_score(positive, scores), abs=1e-12)


@pytest.mark.parametrize("seed", range(CASES))
def test_regression_metrics_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    y = rng.normal(size=n) if seed % 10 else np.full(n, 3.0)  # every tenth target is constant
    pred = y + rng.normal(scale=0.5, size=n) if seed % 20 else y.copy()  # some fits are perfect
    mse, mae, r2 = fm.regression(y, pred)
    assert mse == pytest.approx(skm.mean_squared_error(y, pred), abs=1e-12)
    assert mae == pytest.approx(skm.mean_absolute_error(y, pred), abs=1e-12)
    assert r2 == pytest.approx(skm.r2_score(y, pred), abs=1e-12)


def test_the_table_functions_agree_with_sklearn_binary_and_multiclass():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 200)
    logits = rng.normal(size=200) + 2 * y
    proba = 1 / (1 + np.exp(-logits))
    got = classification_metrics(y, proba, logits)
    pred = (proba >= 0.5).astype(int)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert got["f1"] == pytest.approx(skm.f1_score(y, pred))
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(y, logits))
    y3 = rng.integers(0, 3, 200)
    p3 = rng.dirichlet(np.ones(3), 200)
    got3 = classification_metrics(y3, p3)
    assert got3["roc_auc"] == pytest.approx(skm.roc_auc_score(y3, p3, multi_class="ovr", average="macro"))
    assert got3["recall"] == pytest.approx(skm.recall_score(y3, p3.argmax(1), average="macro"))
    assert math.isnan(classification_metrics(np.zeros(5, int), np.full(5, 0.3))["roc_auc"])  # one class
    reg = regression_metrics(np.arange(5.0), np.arange(5.0) + 1)
    assert reg == pytest.approx({"mse": 1.0, "rmse": 1.0, "mae": 1.0, "r2": skm.r2_score(np.arange(5.0),
                                                                                      np.arange(5.0) + 1)})


def test_numpy_metrics_are_much_cheaper_than_sklearn_per_call():
    """Not a timing assertion: a count of Python-level work (sklearn validates inputs on every call)."""
    import cProfile
    import pstats

    y = np.random.default_rng(0).integers(0, 2, 300)
    proba = np.random.default_rng(1).random(300)

    def calls(fn) -> int:
        prof = cProfile.Profile()
        prof.runcall(fn)
        return pstats.Stats(prof).total_calls

    ours = calls(lambda: classification_metrics(y, proba))
    theirs = calls(lambda: sk_prf(y, (proba >= 0.5).astype(int), None) and skm.roc_auc_score(y, proba))
    assert ours * 10 < theirs, (ours, theirs)

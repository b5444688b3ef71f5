"""Metrics equal sklearn's computed directly, for binary, multiclass and regression."""

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from playground.metrics import classification_metrics, confusion, metrics_table, regression_metrics

Y_BIN = np.array([0, 0, 1, 1, 1, 0, 1, 0, 1, 1])
P_BIN = np.array([0.1, 0.6, 0.8, 0.4, 0.9, 0.2, 0.55, 0.45, 0.3, 0.95])
Y_MC = np.array([0, 1, 2, 2, 1, 0, 2, 1, 0, 2])
P_MC = np.array([[.7, .2, .1], [.2, .5, .3], [.1, .2, .7], [.3, .4, .3], [.6, .3, .1],
                 [.8, .1, .1], [.2, .2, .6], [.1, .8, .1], [.4, .4, .2], [.1, .1, .8]])


def test_binary_metrics_equal_sklearn():
    got = classification_metrics(Y_BIN, P_BIN)
    pred = (P_BIN >= 0.5).astype(int)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(Y_BIN, pred))
    assert got["precision"] == pytest.approx(skm.precision_score(Y_BIN, pred))
    assert got["recall"] == pytest.approx(skm.recall_score(Y_BIN, pred))
    assert got["f1"] == pytest.approx(skm.f1_score(Y_BIN, pred))
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(Y_BIN, P_BIN))
    assert got["accuracy"] == 0.7  # 7 of 10 right: a value that can be checked by hand


def test_multiclass_metrics_equal_sklearn_macro_and_ovr():
    got = classification_metrics(Y_MC, P_MC)
    pred = P_MC.argmax(1)
    assert got["accuracy"] == pytest.approx(skm.accuracy_score(Y_MC, pred))
    for name, fn in (("precision", skm.precision_score), ("recall", skm.recall_score), ("f1", skm.f1_score)):
        assert got[name] == pytest.approx(fn(Y_MC, pred, average="macro")), name
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(Y_MC, P_MC, multi_class="ovr"))


def test_regression_metrics_equal_sklearn():
    y = np.array([1.0, 2.0, 3.0, 4.5, -1.0])
    p = np.array([1.5, 1.0, 3.5, 4.0, 0.0])
    got = regression_metrics(y, p)
    assert got["mse"] == pytest.approx(skm.mean_squared_error(y, p))
    assert got["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(y, p)))
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y, p))
    assert got["r2"] == pytest.approx(skm.r2_score(y, p))


def test_undefined_cases_give_nan_not_errors():
    assert math.isnan(classification_metrics(np.ones(4, int), np.full(4, 0.7))["roc_auc"])
    assert all(math.isnan(v) for v in regression_metrics(np.ones(3), np.array([1, np.nan, 2])).values())


def test_confusion_and_table_shapes():
    cm = confusion(Y_MC, P_MC.argmax(1), 3)
    assert cm.sum() == 10 and np.trace(cm) == (P_MC.argmax(1) == Y_MC).sum()
    table = metrics_table({"accuracy": 0.9}, {"accuracy": 0.8}, {"accuracy": 0.85})
    assert list(table.columns) == ["train", "validation", "best epoch"]


def test_generalization_gap_warns_only_when_it_grows():
    epochs = np.arange(100)
    train = 1.0 / (1 + epochs)
    healthy = train + 0.05
    overfit = np.where(epochs < 50, train + 0.05, train + 0.05 + (epochs - 50) * 0.01)
    from playground.metrics import generalization_gap

    gap, warning = generalization_gap(train, healthy)
    assert gap == pytest.approx(0.05) and warning is None
    gap, warning = generalization_gap(train, overfit)
    assert gap == pytest.approx(0.54) and "Overfitting" in warning
    assert generalization_gap(train[:5], overfit[:5])[1] is None

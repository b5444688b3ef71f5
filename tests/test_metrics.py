"""Metrics equal sklearn's computed directly, for binary, multiclass and regression."""

import math

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from playground.config import RunConfig
from playground.engine.metrics import (
    classification_metrics,
    confusion,
    metric_labels,
    metrics_table,
    overfitting,
    regression_metrics,
    roc_points,
)

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


def test_multiclass_auc_on_log_probabilities_equals_sklearn_ovr_on_probabilities():
    got = classification_metrics(Y_MC, P_MC, np.log(P_MC))
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(Y_MC, P_MC, multi_class="ovr", average="macro"))


def test_auc_ranks_the_logits_where_float32_probabilities_saturate():
    # Logits over ~17 all round to exactly 1.0 in float32: the probabilities tie, the logits do not.
    y = np.array([0, 1, 0, 1, 1, 0, 1, 1])
    logits = np.array([-3.0, 18.0, 20.0, 25.0, 30.0, 19.0, 40.0, 2.0])
    proba = torch.sigmoid(torch.tensor(logits, dtype=torch.float32)).numpy()
    assert (proba == 1.0).sum() == 6
    got = classification_metrics(y, proba, logits)["roc_auc"]
    assert got == pytest.approx(skm.roc_auc_score(y, logits)) and got != pytest.approx(skm.roc_auc_score(y, proba))


def test_trainer_auc_and_roc_curve_rank_the_logits_on_breast_cancer():
    from playground.engine.train import Trainer

    trainer = Trainer(RunConfig(dataset="breast_cancer", epochs=100, patience=0))
    trainer.run()
    x, y = trainer.data.x_val, trainer.data.y_val
    assert (trainer.predict(x) == 1.0).sum() > 50  # most validation probabilities have saturated
    with torch.no_grad():
        trainer.model.eval()
        logits = trainer.model(torch.as_tensor(x))[:, 0].double().numpy()
    auc = trainer.evaluate()["val"]["roc_auc"]
    assert auc == pytest.approx(skm.roc_auc_score(y, logits), abs=1e-12)
    assert auc > skm.roc_auc_score(y, trainer.predict(x)) + 0.002
    fpr, tpr = roc_points(y, trainer.scores(x))
    assert np.trapezoid(tpr, fpr) == pytest.approx(auc)


def test_confusion_and_table_shapes():
    cm = confusion(Y_MC, P_MC.argmax(1), 3)
    assert cm.sum() == 10 and np.trace(cm) == (P_MC.argmax(1) == Y_MC).sum()
    table = metrics_table({"train (epoch 3)": {"accuracy": 0.9}, "validation (epoch 3)": {"accuracy": 0.8}},
                          metric_labels("binary", ("malignant", "benign")))
    assert list(table.columns) == ["train (epoch 3)", "validation (epoch 3)"]
    labels = metric_labels("binary", ("malignant", "benign"))
    assert labels["precision"] == "precision (positive class benign)" and labels["loss"] == "loss (BCE)"
    assert metric_labels("multiclass")["f1"] == "F1 (macro)"


def rising_after(low: int, n: int, rise: float = 0.01) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    epochs = np.arange(1, n + 1)
    train = 1.0 / epochs
    val = np.where(epochs <= low, 0.3 + 1.0 / epochs, 0.3 + 1.0 / low + (epochs - low) * rise)
    return epochs, train, val


def test_overfitting_warning_marks_the_low_and_stays_up_while_val_loss_stays_high():
    epochs, train, val = rising_after(40, 300)
    for n in (45, 60, 100, 300):  # from soon after the low to long after it
        low, warning = overfitting(epochs[:n], train[:n], val[:n])
        assert low == 40
        if n >= 60:
            assert warning and "bottomed out at" in warning and "epoch 40" in warning, n
    assert overfitting(epochs[:45], train[:45], val[:45])[1] is None  # barely above the low yet
    healthy = 0.3 + 1.0 / epochs
    assert overfitting(epochs, train, healthy) == (300, None)
    # Validation loss that comes back down near its low turns the warning off again.
    back = np.concatenate([val[:100], np.full(30, val[39] * 1.05)])
    assert overfitting(np.arange(1, 131), train[:130], back)[1] is None
    # Both losses rising is not overfitting (the run is breaking down, not memorizing).
    assert overfitting(epochs, val, val)[1] is None
    assert overfitting(epochs[:5], train[:5], np.full(5, np.nan)) == (None, None)

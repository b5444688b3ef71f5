"""The metrics report: every column one labelled model state, honest losses, and the overfitting warning."""

import pytest
import torch

from playground.config import RunConfig
from playground.engine.evaluation import metrics_report
from playground.engine.metrics import overfitting
from playground.engine.train import Trainer
from playground.lessons import LESSONS

OVERFIT = LESSONS["overfit"].config.replace(patience=0)


def eval_loss(trainer: Trainer, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        trainer.model.eval()
        return float(trainer.loss_fn(trainer.model(x), y))


def test_every_column_is_one_model_state_in_eval_mode_with_dropout_on_in_training():
    trainer = Trainer(RunConfig(n_points=200, dropout=0.5, epochs=30, patience=0))
    trainer.run()
    report = metrics_report(trainer)
    table = report.table
    assert list(table.columns)[:2] == ["train (epoch 30)", "validation (epoch 30)"]
    train_loss = eval_loss(trainer, trainer.x, trainer.y)
    val_loss = eval_loss(trainer, trainer.x_val, trainer.y_val)
    assert table.loc["loss (BCE)", "train (epoch 30)"] == pytest.approx(train_loss, abs=1e-6)
    assert abs(train_loss - trainer.history.last("train_loss")) > 0.01  # the running dropout-on loss differs
    assert table.loc["loss (BCE)", "validation (epoch 30)"] == pytest.approx(val_loss, abs=1e-6)
    assert report.gap == pytest.approx(val_loss - train_loss, abs=1e-6)
    if trainer.best_epoch != 30:
        best = f"validation (best epoch {trainer.best_epoch})"
        assert table.loc["loss (BCE)", best] == trainer.history.column("val_loss")[trainer.best_epoch - 1]


def test_after_restore_best_the_columns_show_the_restored_weights():
    trainer = Trainer(OVERFIT.replace(patience=20, restore_best=True))
    trainer.run()
    assert trainer.status == "stopped early" and trainer.current_epoch == trainer.best_epoch + 20
    best = trainer.best_epoch
    table = metrics_report(trainer).table
    label = f"epoch {best}, restored best"
    assert list(table.columns) == [f"train ({label})", f"validation ({label})"]
    assert table.loc["loss (BCE)", f"validation ({label})"] == pytest.approx(
        trainer.history.column("val_loss")[best - 1], abs=1e-6)
    assert table.loc["accuracy", f"validation ({label})"] == trainer.evaluate()["val"]["accuracy"]


def test_early_stopping_without_a_validation_split_names_the_train_loss():
    trainer = Trainer(RunConfig(val_frac=0.0, optimizer="sgd", lr=1.0, patience=2, epochs=500))
    trainer.run()
    assert trainer.status == "stopped early"
    assert "(train loss " in trainer.message and "val loss" not in trainer.message
    assert list(metrics_report(trainer).table.columns) == [f"train (epoch {trainer.best_epoch}, restored best)"]


def test_precision_recall_and_f1_name_the_positive_class():
    trainer = Trainer(RunConfig(dataset="breast_cancer", epochs=2))
    trainer.run()
    index = list(metrics_report(trainer).table.index)
    assert trainer.data.class_names == ("malignant", "benign")
    for name in ("precision", "recall", "F1"):  # as a reader writes it, not the identifier f1
        assert f"{name} (positive class benign)" in index
    iris = Trainer(RunConfig(dataset="iris", epochs=1))
    iris.run()
    assert "F1 (macro)" in metrics_report(iris).table.index


@pytest.mark.parametrize(("cfg", "epochs"), [(RunConfig(patience=0), 300),
                                             (RunConfig(dataset="breast_cancer", patience=0), 100)],
                         ids=["moons", "breast_cancer"])
def test_overfitting_warning_shows_on_the_default_runs(cfg, epochs):
    trainer = Trainer(cfg.replace(epochs=epochs))
    trainer.run()
    report = metrics_report(trainer)
    val = trainer.history.column("val_loss")
    assert val[-10:].mean() > 1.5 * val.min()  # validation loss has risen well above its low
    assert report.warning and "Overfitting" in report.warning
    assert report.low_epoch == int(val.argmin()) + 1 and f"epoch {report.low_epoch}" in report.warning


def warning_now(trainer: Trainer) -> str | None:
    h = trainer.history
    return overfitting(h.column("epoch"), h.column("train_loss"), h.column("val_loss"))[1]


def test_overfitting_warning_stays_up_while_validation_loss_stays_high():
    trainer = Trainer(OVERFIT.replace(epochs=300))
    shown = []  # the report's warning after each epoch (overfitting() alone: sklearn metrics are slow)
    trainer.run(callback=lambda t: shown.append(warning_now(t) is not None))
    assert metrics_report(trainer).warning == warning_now(trainer)
    val = trainer.history.column("val_loss")
    assert val[-1] > 3 * val.min()
    first = shown.index(True)
    assert first < 40 and all(shown[first:]), "the warning must not flash on and off"

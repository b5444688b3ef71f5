"""Every lesson's and ready-made race's "what to look for", checked headless on seeds 0, 1 and 2.

Each check names the phrases of the claim it verifies, so a reworded claim fails here until its
check is reviewed. A claim about the first epochs is checked over those epochs only, which keeps
this module quick; claims about a whole run train the whole run.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch
from sklearn.linear_model import LogisticRegression

from playground.engine.evaluation import metrics_report
from playground.engine.metrics import overfitting
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.figures.loss import loss_markers, lowest_val_epoch
from playground.lessons import LESSONS
from playground.race_config import RaceConfig

SEEDS = (0, 1, 2)
# Checked where their settings are built (TF Playground's data; the weight-norm history; the
# surface lessons in tests/test_surface_lessons.py).
OWNED_ELSEWHERE = {"tf-playground", "adam-vs-adamw"} | {n for n, lesson in LESSONS.items() if lesson.surface}


def single(name: str, seed: int, epochs: int | None = None, **changes) -> Trainer:
    trainer = Trainer(LESSONS[name].config.replace(seed=seed, **changes))
    trainer.run(epochs)
    return trainer


@functools.cache  # the stochastic lesson's run is also the batch-size race's batch-1 lane
def stochastic_run(seed: int) -> Trainer:
    return single("stochastic", seed, epochs=15)


def race(name: str, seed: int, epochs: int | None = None) -> list[Trainer]:
    lesson = LESSONS[name]
    runner = Race(RaceConfig.of(lesson.base.replace(seed=seed), list(lesson.lanes)))
    runner.run(epochs)
    return runner.trainers


def col(trainer: Trainer, name: str = "val_loss") -> np.ndarray:
    return np.asarray(trainer.history.column(name))


def last_hidden(trainer: Trainer, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        trainer.set_mode(train=False)
        return trainer.model[:-1](x)


def check_default(seed: int) -> None:
    trainer = single("default", seed, epochs=30)
    d = trainer.data
    linear = LogisticRegression().fit(d.x_train, d.y_train).score(d.x_val, d.y_val)
    accuracy = trainer.history.last("val_score")
    assert accuracy >= 0.95 and accuracy >= linear + 0.05, (accuracy, linear)  # a straight line cannot do it


def check_seed_lab(seed: int) -> None:
    trainer = single("seed-lab", seed)
    loss = col(trainer, "train_loss")
    rises = float(np.mean(np.diff(loss) > 0))
    assert 0.35 <= rises <= 0.65, rises
    assert loss[:20].mean() > 10 * loss[-20:].mean()
    assert trainer.evaluate()["train"]["accuracy"] == 1.0


def check_overfit(seed: int) -> None:
    trainer = single("overfit", seed)
    val, train, epochs = col(trainer), col(trainer, "train_loss"), col(trainer, "epoch")
    low = int(val.argmin())
    assert low < 30 and val[-1] > 5 * val[low]  # validation loss turns upward early and keeps rising
    blocks = train.reshape(-1, 100).mean(1)
    assert np.all(np.diff(blocks) <= 0) and train[-1] < train[low] / 100  # training loss keeps falling
    shown = [overfitting(epochs[:k], train[:k], val[:k])[1] is not None for k in range(1, len(val) + 1)]
    assert shown.index(True) < 40 and all(shown[shown.index(True):])  # the gap warning says so throughout


def check_diverge(seed: int) -> None:
    trainer = single("diverge", seed)
    assert col(trainer, "train_loss")[0] > 3 * trainer.initial_loss
    assert trainer.status == "stalled" and trainer.current_epoch <= 25
    assert "every output has been the same" in trainer.message and trainer.history.last("val_score") == 0.5
    assert float(last_hidden(trainer, trainer.x).abs().max()) == 0.0  # every last-layer ReLU unit is dead
    sine = single("diverge", seed, dataset="sine")
    assert sine.status == "diverged" and "NaN or infinite" in sine.message


def check_stochastic(seed: int) -> None:
    trainer = stochastic_run(seed)
    assert trainer.steps_per_epoch == trainer.n and trainer.steps == 15 * trainer.n
    assert np.mean(np.diff(col(trainer)) > 0) >= 1 / 4
    batched = single("stochastic", seed, epochs=15, batch_size=32)
    assert np.all(np.diff(col(batched)) < 0)


def check_optimizers(seed: int) -> None:
    lanes = {t.cfg.optimizer: col(t, "train_loss") for t in race("optimizers", seed)}
    for epoch in (1, 5, 10):
        adaptive = max(lanes["rmsprop"][epoch - 1], lanes["adam"][epoch - 1])
        assert adaptive < min(lanes["sgd"][epoch - 1], lanes["momentum"][epoch - 1]), epoch
    assert lanes["sgd"][49] == max(loss[49] for loss in lanes.values())  # SGD lags
    assert np.all(np.diff(lanes["sgd"].reshape(4, 50).mean(1)) < 0)  # but keeps descending


def check_batch_size(seed: int) -> None:
    lanes = {t.cfg.batch_size: t for t in race("batch-size", seed, epochs=5)}
    assert lanes[1].steps_per_epoch == lanes[1].n and lanes[0].steps_per_epoch == 1
    # The batch-1 lane is the stochastic lesson's run: the same config, data, weights and order.
    stochastic = stochastic_run(seed)
    assert lanes[1].cfg == stochastic.cfg.replace(epochs=lanes[1].cfg.epochs)
    assert np.array_equal(col(lanes[1]), col(stochastic)[:5])
    assert np.mean(np.diff(col(stochastic)) > 0) >= 0.25  # noisy: validation loss often goes up
    full = single("batch-size", seed, batch_size=0)  # the full-batch lane alone, over the whole run
    assert np.array_equal(col(lanes[0]), col(full)[:5])
    assert np.all(np.diff(col(full)) <= 0) and np.all(np.diff(col(full, "train_loss")) <= 0)
    assert col(lanes[1])[-1] < col(lanes[32])[-1] < col(lanes[0])[-1]  # per epoch: batch 1 furthest
    assert stochastic.n == 210 and full.steps == 200  # per step: full batch furthest
    assert col(full, "train_loss")[-1] < col(stochastic, "train_loss")[0]


def check_regularization(seed: int) -> None:
    lanes = {(t.cfg.weight_decay > 0, t.cfg.dropout > 0): t for t in race("regularization", seed, epochs=200)}
    at_200 = {key: t.history.last("val_loss") for key, t in lanes.items()}
    assert all(t.current_epoch == 200 for t in lanes.values())
    plain = at_200[False, False]
    assert plain == max(at_200.values())
    assert at_200[True, False] < plain / 3 and at_200[True, True] < plain / 3


def check_batch_norm(seed: int) -> None:
    plain, normed = race("batch-norm", seed)
    assert not plain.cfg.batch_norm and normed.cfg.batch_norm
    assert plain.status == "stalled" and plain.current_epoch <= 60 and "every output has been the same" in plain.message
    assert normed.status == "finished" and normed.history.last("val_score") >= 0.9


def check_early_stopping(seed: int) -> None:
    trainer = single("early-stopping", seed)
    assert trainer.status == "stopped early" and trainer.best_epoch < 30
    assert trainer.stop_epoch == trainer.best_epoch + 50 and trainer.stopping.restored_epoch == trainer.best_epoch
    assert lowest_val_epoch(trainer.history) == trainer.best_epoch
    labels = [note["text"] for note in loss_markers(trainer.history, best_epoch=trainer.best_epoch,
                                                    stop_epoch=trainer.stop_epoch)["annotations"]]
    assert labels == ["lowest val loss", "stopped"]
    report = metrics_report(trainer)
    assert report.table.columns[1] == f"validation (epoch {trainer.best_epoch}, restored best)"
    assert trainer.eval_losses()["val"] == trainer.best_loss


def check_imbalance(seed: int) -> None:
    trainer = single("imbalance", seed)
    assert np.mean(trainer.data.y_train) == pytest.approx(0.1, abs=0.01)  # 9:1
    val = trainer.evaluate()["val"]
    assert val["accuracy"] > 0.9 and val["recall"] < 0.5 and val["f1"] < 0.6, val


def check_learning_rate(seed: int) -> None:
    small, right, large = race("learning-rate", seed)
    assert (small.cfg.lr, right.cfg.lr, large.cfg.lr) == (0.001, 0.3, 10.0)
    assert small.current_epoch == 200 and small.history.last("train_loss") > 0.8 * small.initial_loss
    assert right.history.last("val_score") > 0.95
    assert large.status == "stalled" and large.history.last("val_score") == 0.5
    assert "every output has been the same" in large.message  # the answer: every unit is dead


def check_adaptive(seed: int) -> None:
    lanes = {t.cfg.optimizer: t.history.last("train_loss") for t in race("adaptive", seed)}
    assert lanes["adagrad"] == max(lanes.values()), lanes


def check_dropout(seed: int) -> None:
    plain, dropped = race("dropout", seed)
    assert (plain.cfg.dropout, dropped.cfg.dropout) == (0.0, 0.5)
    eval_plain, eval_dropped = plain.eval_losses(), dropped.eval_losses()
    assert dropped.history.last("train_loss") > eval_dropped["train"]
    gap = {name: e["val"] - e["train"] for name, e in (("plain", eval_plain), ("dropout", eval_dropped))}
    assert gap["dropout"] < gap["plain"], gap


# lesson -> (phrases of its claim that the check verifies, the check)
CLAIMS = {
    "default": (("bends around both moons", "a few dozen epochs"), check_default),
    "seed-lab": (("jagged", "about half the time", "more than tenfold", "accuracy reaches 1.0"), check_seed_lab),
    "overfit": (("Train loss keeps falling", "validation loss turns upward"), check_overfit),
    "diverge": (("past 3x its start", "every ReLU unit dies", "chance (0.5)", "20 epochs later", "'stalled'",
                 "sine", "'diverged'"), check_diverge),
    "stochastic": (("each epoch takes n steps", "rises on a quarter of the epochs or more",
                    "with batches of 32 it first falls smoothly"), check_stochastic),
    "optimizers": (("Adaptive methods drop the loss fastest early", "plain SGD lags but keeps descending"),
                   check_optimizers),
    "batch-size": (("batch size 1 takes n noisy steps", "full batch one smooth step", "after 5 epochs",
                    "the lowest of the three and full batch's the highest", "200 steps reach a lower training loss",
                    "first n = 210"), check_batch_size),
    "regularization": (("by epoch 200", "climbed highest of the four", "both lanes with L2 sit under a third"),
                       check_regularization),
    "early-stopping": (("bottoms out within 30 epochs", "50 epochs without a new low later", "stops early",
                        "marks the lowest validation loss and the stop", "exactly the best one"), check_early_stopping),
    "imbalance": (("Nine points in ten", "above 0.9", "recall under 0.5", "F1 stays under 0.6"), check_imbalance),
    "learning-rate": (("fallen by less than a fifth after 200 epochs", "passes 0.95 validation accuracy", "'stalled'"),
                      check_learning_rate),
    "adaptive": (("its training loss is the highest of the three",), check_adaptive),
    "dropout": (("sits above the same weights' eval-mode training loss", "smaller than the plain lane's"),
                check_dropout),
    "batch-norm": (("At lr=4", "every ReLU unit is dead", "stalls at chance", "within 60 epochs",
                    "past 0.9 accuracy"), check_batch_norm),
}


def test_every_lesson_and_race_has_a_check_of_its_claim():
    assert set(CLAIMS) == set(LESSONS) - OWNED_ELSEWHERE
    for name, (phrases, _) in CLAIMS.items():
        for phrase in phrases:
            assert phrase in LESSONS[name].look_for, (name, phrase)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_the_claim_holds(name, seed):
    CLAIMS[name][1](seed)

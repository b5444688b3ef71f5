"""Trainer behaviour: steps per epoch, determinism, divergence, live changes, early stopping."""

import math

import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.history import History
from playground.presets import PRESETS
from playground.train import Trainer

SMALL = RunConfig(dataset="moons", n_points=100, val_frac=0.2, epochs=5)


@pytest.mark.parametrize(("batch_size", "expected"), [(0, 1), (32, math.ceil(80 / 32)), (1, 80)])
def test_steps_per_epoch_full_mini_and_stochastic(batch_size, expected):
    trainer = Trainer(SMALL.replace(batch_size=batch_size))
    assert trainer.n == 80
    trainer.epoch()
    assert trainer.steps == expected and trainer.current_epoch == 1
    trainer.epoch()
    assert trainer.steps == 2 * expected and len(trainer.history) == 2


def test_step_k_crosses_epoch_boundaries():
    trainer = Trainer(SMALL.replace(batch_size=32))  # 3 steps per epoch
    assert trainer.step(7) == 2
    assert trainer.steps == 7 and trainer.current_epoch == 2
    assert list(trainer.history.column("steps")) == [3, 6]


def test_equal_configs_give_identical_histories():
    cfg = SMALL.replace(dropout=0.3, batch_size=16, epochs=8, batch_norm=True)
    a, b = Trainer(cfg), Trainer(cfg)
    a.run()
    b.run()
    for name in ("train_loss", "val_loss", "val_score", "grad_norm"):
        assert np.array_equal(a.history.column(name), b.history.column(name)), name
    c = Trainer(cfg.replace(seed=1))
    c.run()
    assert not np.array_equal(a.history.column("train_loss"), c.history.column("train_loss"))


def test_seed_lab_preset_reaches_accuracy_one():
    trainer = Trainer(PRESETS["seed-lab"].config)
    trainer.run()
    assert trainer.status == "finished" and trainer.current_epoch == 200
    loss = trainer.history.column("train_loss")
    assert loss[199] < loss[39] < loss[0]
    assert trainer.evaluate()["train"]["accuracy"] == 1.0


def test_sgd_lr_10_on_moons_diverges_without_exception():
    trainer = Trainer(RunConfig(dataset="moons", optimizer="sgd", lr=10.0, epochs=200))
    trainer.run()
    assert trainer.status == "diverged"
    assert trainer.current_epoch < 200 and "diverged at epoch" in trainer.message
    assert trainer.step(5) == 0  # a diverged run stays stopped


def test_nan_loss_is_diverged_not_an_exception():
    trainer = Trainer(SMALL)
    with torch.no_grad():
        trainer.model[0].weight.fill_(float("nan"))
    trainer.epoch()
    assert trainer.status == "diverged"


def test_live_hparam_changes_apply_and_are_recorded():
    trainer = Trainer(SMALL.replace(optimizer="momentum", epochs=10))
    trainer.epoch()
    changed = trainer.set_hparams(lr=0.1, momentum=0.5, weight_decay=0.01)
    assert set(changed) == {"lr", "momentum", "weight_decay"}
    group = trainer.optimizer.param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.1, 0.5, 0.01)
    trainer.epoch()
    assert list(trainer.history.column("lr")) == [0.01, 0.1]
    assert (1, "lr 0.01 → 0.1") in trainer.history.events
    assert trainer.cfg.lr == 0.1


def test_unused_hparams_do_not_leak_into_the_optimizer():
    trainer = Trainer(SMALL.replace(optimizer="sgd"))
    assert trainer.set_hparams(momentum=0.9) == {}
    assert trainer.optimizer.param_groups[0]["momentum"] == 0.0


def test_history_of_10000_epochs_stays_compact():
    history = History()
    for i in range(10_000):
        history.append({"epoch": i + 1, "steps": i + 1, "train_loss": 1.0 / (i + 1), "val_accuracy": 0.5})
    assert len(history) == 10_000
    assert history.nbytes() < 3 * 1024 * 1024
    assert history.to_frame()["epoch"].iloc[-1] == 10_000


def test_history_decimates_past_its_bound():
    history = History(max_rows=1000)
    for i in range(5000):
        history.append({"epoch": i + 1, "train_loss": float(i)})
    assert len(history) <= 1000
    epochs = history.column("epoch")
    assert epochs[0] == 1 and epochs[-1] == 5000 and np.all(np.diff(epochs) > 0)


def test_early_stopping_restores_the_best_epoch_exactly():
    # Small noisy data and a wide network with no regularization: validation loss turns up.
    cfg = RunConfig(dataset="moons", n_points=60, noise=0.35, val_frac=0.5, hidden=(64, 64, 64),
                    lr=0.01, batch_size=0, epochs=2000, patience=30, restore_best=True)
    trainer = Trainer(cfg)
    trainer.run()
    assert trainer.status == "stopped early"
    assert trainer.current_epoch < cfg.epochs
    assert trainer.stop_epoch == trainer.best_epoch + cfg.patience
    best_val = trainer.history.column("val_loss")[trainer.best_epoch - 1]
    with torch.no_grad():
        trainer.model.eval()
        restored = float(trainer.loss_fn(trainer.model(trainer.x_val), trainer.y_val))
    assert restored == best_val
    assert trainer.best_metrics() == trainer.evaluate()["val"]  # the table's "best epoch" column
    assert f"best was epoch {trainer.best_epoch}" in trainer.message


def test_metrics_every_records_sklearn_metrics():
    trainer = Trainer(SMALL, metrics_every=2)
    trainer.run()
    f1 = trainer.history.column("val_f1")
    assert np.isnan(f1[0]) and not np.isnan(f1[1])
    assert trainer.history.column("val_accuracy")[1] == pytest.approx(trainer.history.column("val_score")[1])


def test_other_tasks_train():
    for cfg in (RunConfig(dataset="blobs", classes=4, epochs=3), RunConfig(dataset="sine", epochs=3),
                RunConfig(dataset="iris", epochs=3, hidden=())):
        trainer = Trainer(cfg)
        trainer.run()
        assert trainer.status == "finished", cfg.dataset
        assert set(trainer.evaluate()) == {"train", "val"}


def test_auto_device_picks_cuda_when_present(monkeypatch):
    from playground.train import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_two_threads_on_one_trainer_take_turns():
    # Streamlit can start a rerun while a live tick still trains on another thread.
    import threading

    trainer = Trainer(SMALL.replace(epochs=1000, dropout=0.2, batch_norm=True))
    errors = []

    def train():
        try:
            for _ in range(15):
                trainer.epoch()
                trainer.predict(trainer.data.x_val)
        except Exception as exc:  # any escape is the failure under test
            errors.append(exc)

    threads = [threading.Thread(target=train) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and trainer.current_epoch == 45 and len(trainer.history) == 45
    assert list(trainer.history.column("epoch")) == list(range(1, 46))

"""The live loop's engine side: which changes restart a run, and what one tick produces."""

from playground.boundary import Boundary, decode_grid
from playground.config import RunConfig
from playground.live import advance, apply_live, frame, metrics_report, reset_reasons
from playground.race import Race
from playground.race_config import RaceConfig
from playground.train import Trainer

CFG = RunConfig(n_points=100, epochs=20)


def test_data_and_architecture_changes_restart_but_lr_does_not():
    assert reset_reasons(CFG, CFG.replace(dataset="xor", hidden=(4,))) == ["dataset", "hidden"]
    assert reset_reasons(CFG, CFG.replace(optimizer="sgd")) == ["optimizer"]
    assert reset_reasons(CFG, CFG.replace(lr=0.1, weight_decay=0.01, epochs=50, patience=5)) == []


def test_apply_live_changes_the_running_optimizer_and_stopping():
    trainer = Trainer(CFG.replace(epochs=2))
    trainer.run()
    assert trainer.status == "finished"
    changed = apply_live(trainer, trainer.cfg.replace(lr=0.05, epochs=4))
    assert changed == ["lr 0.01 → 0.05", "epochs → 4"]
    assert trainer.status == "ready" and trainer.optimizer.param_groups[0]["lr"] == 0.05
    trainer.run()
    assert trainer.current_epoch == 4


def test_a_tick_gives_one_frame_per_epoch_within_its_quota():
    trainer = Trainer(CFG)
    tick = advance(trainer, Boundary(trainer.data), budget_s=10.0, max_epochs=5, max_frames=40)
    assert tick.epochs == 5 and [f["epoch"] for f in tick.frames] == [1, 2, 3, 4, 5]
    assert tick.frames[-1]["title"].startswith("epoch 5 · val loss")


def test_fast_epochs_are_sampled_and_the_last_is_always_drawn():
    trainer = Trainer(CFG.replace(epochs=200, batch_size=0))
    tick = advance(trainer, Boundary(trainer.data), budget_s=10.0, max_epochs=200, max_frames=10)
    assert tick.epochs == 200 and 1 <= len(tick.frames) <= 11 and tick.frames[-1]["epoch"] == 200


def test_frames_show_the_weights_of_their_epoch():
    trainer = Trainer(CFG)
    boundary = Boundary(trainer.data)
    trainer.run(3)
    grid = decode_grid(frame(trainer, boundary)["patches"][0]["z"])
    assert abs(grid - boundary.values(trainer)).max() <= 1 / 255 + 1e-6


def test_a_race_tick_draws_every_lane():
    race = Race(RaceConfig.of(CFG, [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "adam"}]))
    tick = advance(race, Boundary(race.data), budget_s=10.0, max_epochs=3, lanes=race.trainers)
    assert len(tick.lanes) == 2 and all(len(frames) == 3 for frames in tick.lanes)
    assert tick.lanes[0][-1]["patches"] != tick.lanes[1][-1]["patches"]


def test_metrics_report_has_train_validation_and_best_columns():
    trainer = Trainer(CFG)
    trainer.run(5)
    table, gap, warning = metrics_report(trainer)
    assert list(table.columns) == ["train", "validation", f"best (epoch {trainer.best_epoch})"]
    assert "loss" in table.index and "roc_auc" in table.index and warning is None
    assert abs(gap - (trainer.history.last("val_loss") - trainer.history.last("train_loss"))) < 1e-12


def test_a_tick_stops_as_soon_as_it_should_not_go_on():
    trainer = Trainer(CFG)
    calls = []

    def keep_going():  # "still playing?": true for the first two epochs, then Pause
        calls.append(trainer.current_epoch)
        return len(calls) <= 2

    tick = advance(trainer, None, budget_s=10.0, max_epochs=10, keep_going=keep_going)
    assert tick.epochs == 2 and trainer.current_epoch == 2

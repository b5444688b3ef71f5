"""The live loop's engine side: which changes restart a run, frames, and the Runner protocol."""

from playground.config import RunConfig
from playground.engine.evaluation import metrics_report
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.figures.codec import decode_grid
from playground.figures.grid import Boundary
from playground.live.loop import frame
from playground.live.runner import Runner, reset_reasons
from playground.race_config import RaceConfig

CFG = RunConfig(n_points=100, epochs=20, patience=0)  # runs to its limit: the ticks are under test


def test_data_and_architecture_changes_restart_but_lr_does_not():
    assert reset_reasons(CFG, CFG.replace(dataset="xor", hidden=(4,))) == ["dataset", "hidden"]
    assert reset_reasons(CFG, CFG.replace(optimizer="sgd")) == ["optimizer"]
    assert reset_reasons(CFG, CFG.replace(lr=0.1, weight_decay=0.01, epochs=50, patience=5)) == []


def test_configure_changes_the_running_optimizer_and_stopping():
    trainer = Trainer(CFG.replace(epochs=2))
    trainer.run()
    assert trainer.status == "finished"
    changed = trainer.configure(trainer.cfg.replace(lr=0.05, epochs=4))
    assert changed == ["lr 0.01 → 0.05", "epochs → 4"]
    assert trainer.status == "ready" and trainer.optimizer.param_groups[0]["lr"] == 0.05
    trainer.run()
    assert trainer.current_epoch == 4


def test_frames_show_the_weights_of_their_epoch():
    trainer = Trainer(CFG)
    boundary = Boundary(trainer.data)
    trainer.run(3)
    grid = decode_grid(frame(trainer, boundary)["patches"][0]["z"])
    assert abs(grid - boundary.values(trainer)).max() <= 1 / 255 + 1e-6


def test_metrics_report_has_train_validation_and_best_columns():
    trainer = Trainer(CFG)
    trainer.run(5)
    table, gap, warning, low_epoch = metrics_report(trainer)
    assert list(table.columns)[:2] == ["train (epoch 5)", "validation (epoch 5)"]
    if trainer.best_epoch != 5:
        assert list(table.columns)[2] == f"validation (best epoch {trainer.best_epoch})"
    assert "loss (BCE)" in table.index and "ROC-AUC" in table.index and warning is None
    assert gap == table.iloc[0, 1] - table.iloc[0, 0] and low_epoch == trainer.best_epoch


def test_a_run_and_a_race_are_both_runners():
    trainer = Trainer(CFG)
    race = Race(RaceConfig.of(CFG, [{"optimizer": "sgd"}, {"optimizer": "adam"}]))
    for runner, lanes in ((trainer, [trainer]), (race, race.trainers)):
        assert isinstance(runner, Runner)
        assert runner.lanes == lanes and len(runner.labels) == len(lanes)
        assert runner.status == "ready" and not runner.done and runner.cfg.epochs == CFG.epochs
    assert race.steps_per_epoch == sum(t.steps_per_epoch for t in race.trainers)


def test_race_points_extend_each_lanes_weight_norm_traces_after_the_loss_traces():
    from playground.figures.loss import race_loss_spec
    from playground.figures.weights import with_weight_norms
    from playground.live.loop import loss_points, point_traces

    race = Race(RaceConfig.of(CFG.replace(epochs=3), [{"optimizer": "adam"}, {"optimizer": "sgd"}]))
    got = []
    for _ in range(2):
        race.epoch()
        got.append(loss_points(race))
    points = [[p[k] for p in got] for k in range(2)]  # per lane, as the worker hands them over
    spec = with_weight_norms(race_loss_spec(race.trainers, race.labels, validation=True), race.trainers,
                             race.labels, height=500)
    ext = point_traces(points, validation=True, weight_norms=True)
    assert ext["traces"] == list(range(len(spec["data"])))  # 2 lanes x (train, val) then 2 lanes x 3 layers
    norm = ext["traces"].index(4 + 3 + 2)  # lane 2's output layer
    assert spec["data"][9]["name"] == f"{race.labels[1]} · output ‖W‖"
    assert ext["x"][norm] == [1, 2]
    assert ext["y"][norm] == list(race.trainers[1].history.column("weight_norm_3"))

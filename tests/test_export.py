"""Exports: the standalone script replays the Trainer bit for bit, weights go only through safetensors,
and the HTML report stands alone."""

from __future__ import annotations

import ast
import json
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.engine import export
from playground.engine.devices import use_one_thread
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.html_report import race_report, run_report
from playground.lessons import LESSONS
from playground.race_config import RaceConfig


@pytest.fixture(autouse=True)
def one_thread():
    """The app trains on one thread (devices.use_one_thread), and so does the script: two threads round differently."""
    before = torch.get_num_threads()
    use_one_thread()
    yield
    torch.set_num_threads(before)


def script_history(text: str, tmp_path) -> list[dict]:
    """Run an exported script in a fresh, isolated interpreter (no project on the path)."""
    path = tmp_path / "run.py"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-I", str(path)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [json.loads(line) for line in proc.stdout.splitlines()]


def assert_replays(trainer: Trainer, rows: list[dict]) -> None:
    """Every epoch's train and validation loss, and the steps, equal the Trainer's exactly."""
    h = trainer.history
    assert len(rows) == len(h) == trainer.current_epoch
    for name in ("train_loss", "val_loss", "val_score", "steps") if trainer.data.has_val else ("train_loss", "steps"):
        mine = np.array([row[name] for row in rows], dtype=np.float64)
        assert np.array_equal(mine, h.column(name)), (name, np.flatnonzero(mine != h.column(name))[:5])


def test_the_script_imports_only_torch_and_the_standard_library():
    text = export.script(LESSONS["seed-lab"].config)
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(text)) if isinstance(node, ast.ImportFrom)}
    assert imported == {"json", "math", "sys", "torch"}
    assert "playground" not in re.sub(r"#.*|\"\"\".*?\"\"\"", "", text, flags=re.S)


def test_numbers_read_back_exactly():
    values = np.array([0.1, 1 / 3, -2.5e-8, 12345.678, 0.0, -0.0, 3.4e38, 1e-45], dtype=np.float32)
    back = np.array(ast.literal_eval(export.numbers(values)), dtype=np.float64).astype(np.float32)
    assert np.array_equal(back.view(np.int32), values.view(np.int32))


@pytest.mark.parametrize("name", ["seed-lab", "overfit"])
def test_the_lessons_script_replays_the_trainer_bit_for_bit(name, tmp_path):
    cfg = LESSONS[name].config
    trainer = Trainer(cfg)
    trainer.run()
    assert_replays(trainer, script_history(export.script(cfg), tmp_path))


def test_dropout_batch_norm_mini_batches_and_early_stopping_replay(tmp_path):
    # Shuffled batches of 7 (a lone last row folded into the batch before it), dropout masks, batch
    # statistics, and an early stop at patience 20 with the best weights restored.
    cfg = LESSONS["overfit"].config.replace(dropout=0.3, batch_norm=True, batch_size=7, epochs=300, patience=20,
                                            n_points=58, seed=1)
    trainer = Trainer(cfg)
    trainer.run()
    assert trainer.status == "stopped early" and trainer.n == 29 and trainer.steps_per_epoch == 4
    assert_replays(trainer, script_history(export.script(cfg), tmp_path))


def test_one_lane_of_a_race_replays(tmp_path):
    lesson = LESSONS["regularization"]
    base = lesson.base.replace(batch_norm=True, batch_size=16, epochs=120)
    race = Race(RaceConfig.of(base, list(lesson.lanes)))
    race.run()
    lane = race.trainers[3]  # L2 and dropout 0.3, with batch norm on every lane
    assert lane.cfg.dropout == 0.3 and lane.cfg.weight_decay == 0.01 and lane.cfg.batch_norm
    assert race.stack_of(3) == (2, 1)  # the two dropout lanes share one batched pass
    assert_replays(lane, script_history(export.script(lane.cfg, race.data, stack=(2, 1)), tmp_path))


def test_a_lane_alone_replays_as_a_single_run(tmp_path):
    lesson = LESSONS["learning-rate"]
    cfg = RaceConfig.of(lesson.base.replace(epochs=40), list(lesson.lanes)).lane_configs()[1]
    alone = Trainer(cfg)
    alone.run()
    assert_replays(alone, script_history(export.script(cfg), tmp_path))


def test_weights_round_trip_through_safetensors():
    cfg = LESSONS["seed-lab"].config.replace(batch_norm=True, epochs=30)
    trained = Trainer(cfg)
    trained.run()
    data = export.weights_bytes(trained.model, trained.cfg, trained.current_epoch)
    fresh = Trainer(cfg)
    assert export.import_weights(fresh, data) is None
    for (k, a), b in zip(trained.model.state_dict().items(), fresh.model.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    assert np.array_equal(fresh.predict(fresh.data.x_train), trained.predict(trained.data.x_train))
    assert (0, "weights imported") in fresh.history.events


@pytest.mark.parametrize("make", [
    lambda m: pickle.dumps(m.state_dict()),
    lambda m: _torch_save(m),
    lambda m: b"not a weights file at all",
    lambda m: b"",
])
def test_anything_but_safetensors_is_refused_and_changes_nothing(make):
    trainer = Trainer(LESSONS["seed-lab"].config)
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    problem = export.import_weights(trainer, make(trainer.model))
    assert problem and "safetensors" in problem and "nothing was imported" in problem.lower()
    assert all(torch.equal(before[k], v) for k, v in trainer.model.state_dict().items())
    assert trainer.history.events == []


def test_a_pickle_is_named_as_such():
    trainer = Trainer(LESSONS["seed-lab"].config)
    problem = export.import_weights(trainer, pickle.dumps(trainer.model.state_dict()))
    assert problem.startswith("this looks like a pickle")


def test_weights_of_another_network_are_refused():
    other = Trainer(LESSONS["seed-lab"].config.replace(hidden=(7,)))
    data = export.weights_bytes(other.model, other.cfg, 0)
    trainer = Trainer(LESSONS["seed-lab"].config)
    assert "another network" in export.import_weights(trainer, data)


def _torch_save(model) -> bytes:
    import io

    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()


def test_the_run_report_stands_alone():
    trainer = Trainer(LESSONS["overfit"].config.replace(epochs=40))
    trainer.run()
    page = run_report(trainer)
    assert page.startswith("<!DOCTYPE html>") and page.count("<div id=") >= 2
    assert page.count("plotly.js v") == 1  # plotly.js inlined once, with the first figure
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=", page)  # nothing fetched from anywhere
    assert "validation (epoch 40)" in page and "learning rate (step size)" in page  # metrics and settings


def test_the_race_report_has_every_lane():
    lesson = LESSONS["batch-norm"]
    race = Race(RaceConfig.of(lesson.base.replace(epochs=3), list(lesson.lanes)))
    race.run()
    page = race_report(race)
    assert page.count("plotly.js v") == 1 and all(label in page for label in race.labels)
    assert page.count("class=\"plotly-graph-div\"") == 1 + len(race.labels)


def test_the_command_line_prints_the_script(capsys):
    from playground.cli import main

    assert main(["train", "--preset", "seed-lab", "--script", "epochs=7"]) == 0
    text = capsys.readouterr().out
    assert text == export.script(LESSONS["seed-lab"].config.replace(epochs=7), title="seed-lab")
    assert "EPOCHS, PATIENCE, MIN_DELTA, RESTORE_BEST = 7, 0" in text


def test_a_run_with_input_features_replays(tmp_path):
    cfg = RunConfig(dataset="tfp_circle", features=("x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2"),
                    n_points=150, hidden=(5,), activation="tanh", batch_size=16, epochs=25)
    trainer = Trainer(cfg)
    trainer.run()
    text = export.script(cfg)
    assert "FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sin_x1', 'sin_x2']" in text
    assert_replays(trainer, script_history(text, tmp_path))
    assert "FEATURES = []" in export.script(cfg.replace(dataset="iris"))  # not 2-D: the raw inputs


def test_a_race_lane_with_input_features_replays_its_batched_pass(tmp_path):
    base = RunConfig(dataset="circles", features=("x1sq", "x2sq", "sin_x1"), n_points=120, hidden=(4,), epochs=20)
    race = Race(RaceConfig.of(base, [{"lr": 0.05}, {"lr": 0.01}]))
    race.run()
    assert race.stack_of(1) == (2, 1)
    assert_replays(race.trainers[1], script_history(export.script(race.trainers[1].cfg, race.data, stack=(2, 1)),
                                                    tmp_path))


def test_the_scripts_features_are_the_apps():
    from playground.engine import models, standalone

    assert standalone.FEATURE_OPS.keys() == models.FEATURE_OPS.keys()
    x = torch.randn(300, 2, generator=torch.Generator().manual_seed(0)) * 4
    names = tuple(models.FEATURE_OPS)
    assert torch.equal(standalone.InputFeatures(names)(x), models.InputFeatures(names)(x))

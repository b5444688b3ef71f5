"""Input features of 2-D data (TF Playground's x₁², sin x₁ …): training, the network view, other data, app."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from playground.catalog import INPUT_FEATURES
from playground.config import RunConfig
from playground.engine.models import InputFeatures
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.figures import network as N
from playground.figures.grid import Boundary
from playground.race_config import RaceConfig
from tests.apptest import counter, launch, seen, ui
from tests.apptest import runner as trainer_of

SQUARES = ("x1", "x2", "x1sq", "x2sq")
NOT_2D = "input features apply only to 2-D data"
# A linear model: only the squares make a disc in a ring separable, so the features visibly matter.
CIRCLE = RunConfig(dataset="tfp_circle", n_points=200, hidden=(), lr=0.05, batch_size=0, epochs=300, patience=0)


def numpy_features(x: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The features in numpy, (n, 2) -> (n, len(names))."""
    a, b = x[:, 0], x[:, 1]
    table = {"x1": a, "x2": b, "x1sq": a * a, "x2sq": b * b, "x1x2": a * b, "sin_x1": np.sin(a), "sin_x2": np.sin(b)}
    return np.stack([table[n] for n in names], axis=1)


@pytest.mark.parametrize("dataset", ["tfp_circle", "circles"])
def test_a_seeded_run_with_squares_learns_the_circle_a_linear_model_cannot(dataset):
    cfg = CIRCLE.replace(dataset=dataset, features=SQUARES)
    trainer = Trainer(cfg)
    first = next(m for m in trainer.model if isinstance(m, nn.Linear))
    assert isinstance(trainer.model[0], InputFeatures) and first.in_features == 4
    assert trainer.notice is None
    trainer.run()
    assert trainer.current_epoch == cfg.epochs and trainer.history.last("val_score") > 0.95
    again = Trainer(cfg)
    again.run()
    assert np.array_equal(again.history.column("train_loss"), trainer.history.column("train_loss"))  # seeded
    raw = Trainer(CIRCLE.replace(dataset=dataset))
    raw.run()
    assert raw.history.last("val_score") < 0.7


def test_the_network_views_first_column_is_the_feature_maps():
    names = ("x1", "x1sq", "x1x2", "sin_x2")
    trainer = Trainer(CIRCLE.replace(features=names, hidden=(3,), activation="tanh", epochs=5))
    trainer.run()
    boundary = Boundary(trainer.data)
    maps = N.layer_maps(trainer, boundary)
    assert maps[0].shape[0] == len(names) and maps[1].shape[0] == 3
    points = N.unit_points(boundary).numpy().astype(np.float64)
    want = numpy_features(points, names)
    side = maps[0].shape[1]
    for k in range(len(names)):
        np.testing.assert_allclose(maps[0][k], want[:, k].reshape(side, side), rtol=1e-5, atol=1e-5)
    frame = N.network_frame(trainer, boundary)
    inputs = frame["columns"][0]
    assert inputs["name"] == "features" and inputs["total"] == len(names)
    assert [u["label"] for u in inputs["units"]] == ["x₁", "x₁²", "x₁x₂", "sin x₂"]
    assert [INPUT_FEATURES[n] for n in names] == [u["label"] for u in inputs["units"]]
    assert len(frame["links"][0]) == len(names) * 3  # every feature feeds every unit of layer 1
    plain = N.network_frame(Trainer(CIRCLE.replace(hidden=(3,))), boundary)["columns"][0]
    assert plain["name"] == "inputs" and [u["label"] for u in plain["units"]] == ["x1", "x2"]  # as before


@pytest.mark.parametrize("dataset", ["iris", "sine"])
def test_data_that_is_not_2d_trains_on_its_raw_inputs_with_a_notice(dataset):
    cfg = RunConfig(dataset=dataset, features=SQUARES, n_points=60, epochs=3)
    trainer = Trainer(cfg)
    assert not any(isinstance(m, InputFeatures) for m in trainer.model)
    assert trainer.model[0].in_features == trainer.data.n_features != 2
    assert trainer.notice.startswith(NOT_2D) and f"{trainer.data.n_features} input" in trainer.notice
    trainer.run()
    assert trainer.current_epoch == 3 and np.isfinite(trainer.history.last("train_loss"))
    assert Trainer(RunConfig(dataset=dataset, n_points=60)).notice is None  # the default asks for nothing


def test_race_lanes_with_features_train_as_they_would_alone():
    base = CIRCLE.replace(features=("x1sq", "x2sq", "sin_x1"), hidden=(4,), epochs=15)
    race = Race(RaceConfig.of(base, [{"lr": 0.05}, {"lr": 0.01}]))
    race.run()
    assert race.stack_of(0) == (2, 0) and race.notice is None  # one batched pass serves both lanes
    for lane in race.trainers:
        alone = Trainer(lane.cfg)
        alone.run()
        # A batched pass adds some sums in another order than a lone run (Race.stack_of), hence not exact.
        np.testing.assert_allclose(lane.history.column("train_loss"), alone.history.column("train_loss"), rtol=1e-5)
    assert race.trainers[0].model[1].in_features == 3


def test_the_input_features_widget_writes_the_config_and_the_link():
    at = launch(check=True)
    picker = at.multiselect(key="w_features")
    assert picker.value == ["x1", "x2"] and picker.options == list(INPUT_FEATURES.values())
    old = trainer_of(at)
    picker.set_value(["x1", "x2", "x1sq"]).run()
    assert not at.exception
    assert ui(at).cfg.features == ("x1", "x2", "x1sq") and at.query_params["features"] == "x1,x2,x1sq"
    new = trainer_of(at)
    assert new is not old and new.model[0].names == ("x1", "x2", "x1sq") and new.model[1].in_features == 3
    assert "features x₁, x₂, x₁²" in counter(at)["detail"]  # the status line names them
    at.multiselect(key="w_features").set_value([]).run()  # the network needs an input: the last choice stays
    assert not at.exception
    assert ui(at).cfg.features == ("x1", "x2", "x1sq")
    assert at.multiselect(key="w_features").value == ["x1", "x2", "x1sq"]
    assert any("at least one input feature" in seen(t.value) for t in at.toast)


def test_a_link_with_features_for_iris_hides_the_picker_and_says_why():
    at = launch({"dataset": "iris", "features": "x1,x1sq"}, check=True)
    assert not at.warning  # a valid setting, just not one this data can use
    assert "w_features" not in [w.key for w in at.multiselect]
    assert any(seen(c.value).startswith(NOT_2D) for c in at.caption)
    assert trainer_of(at).model[0].in_features == 4 and at.query_params["features"] == "x1,x1sq"
    with torch.no_grad():
        assert trainer_of(at).model(torch.zeros(1, 4)).shape == (1, 3)

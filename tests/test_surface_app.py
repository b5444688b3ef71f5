"""The surfaces mode under AppTest: counter, transport, table, URL, lessons, start point and Reset."""

from __future__ import annotations

import time

import pytest

from playground.lessons import SURFACE_LESSONS
from playground.surfaces.config import SurfaceConfig, normal
from playground.ui.surface_controls import _row_text
from tests.apptest import epoch, launch, runner, seen, ui


def step_shown(at) -> int:
    return epoch(at, unit="Step")


@pytest.fixture
def app():
    return launch({"mode": "surfaces"}, check=True)


def test_surfaces_open_at_step_zero_with_every_path_and_its_rule(app):
    run = runner(app)
    assert step_shown(app) == 0 and run.cfg == SurfaceConfig() and not app.warning
    table = app.table[0].value
    assert list(table.index) == run.labels == ["SGD lr=0.019", "SGD + momentum lr=0.019 momentum=0.9",
                                               "RMSprop lr=0.03", "Adam lr=0.1"]
    assert (table["steps"] == 0).all()
    rules = [m.value for m in app.markdown if "●" in m.value]
    assert len(rules) == 4 and "Step straight down" in rules[0]
    assert app.query_params["mode"] == "surfaces" and app.query_params["opt4"] == "adam:lr=0.1"
    assert app.button(key="step").help == "One optimizer step of every path"


def test_step_and_play_move_every_path_and_fill_the_table(app):
    app.button(key="step").click().run()
    assert step_shown(app) == 1 and all(p.steps == 1 for p in runner(app).paths)
    app.button(key="play").click().run()
    for _ in range(4):
        time.sleep(0.15)
        app.run()
    app.button(key="play").click().run()  # Pause: the worker stops, so the page shows its true step
    run = runner(app)
    assert not ui(app).playing and run.current_epoch > 3 and step_shown(app) == run.current_epoch
    table = app.table[0].value
    assert (table["steps"] == run.current_epoch).all() and len(app.table) == 2  # paths, then Distill's theory
    assert list(app.table[1].value.index) == run.labels[:2]  # SGD and heavy ball have a theory line


def test_a_lesson_link_opens_its_surface_start_and_caption():
    at = launch({"lesson": "saddle"}, check=True)
    assert ui(at).mode == "surfaces" and runner(at).cfg == SURFACE_LESSONS["saddle"].surface
    assert at.selectbox(key="s_surface").value == "saddle"
    assert (at.number_input(key="s_x0").value, at.number_input(key="s_y0").value) == (-1.5, 0.0001)
    assert any("Lesson: Adam on a saddle." in c.value for c in at.caption)
    at.selectbox(key="s_lesson").set_value("ravine").run()
    assert runner(at).cfg == SURFACE_LESSONS["ravine"].surface and ui(at).lesson == "ravine"


def test_a_new_surface_starts_from_its_own_start_and_a_click_moves_the_start(app):
    app.selectbox(key="s_surface").set_value("rosenbrock").run()
    assert runner(app).cfg.surface == "rosenbrock" and runner(app).cfg.start_point == (-1.2, 1.0)
    assert app.query_params["start"] == "none"
    ui(app).surface_pending = (0.5, 2.0)  # what a click on the contour leaves for the next run
    app.run()
    assert runner(app).cfg.start == (0.5, 2.0) and app.number_input(key="s_x0").value == 0.5
    assert [(p.xs[0], p.ys[0]) for p in runner(app).paths] == [(0.5, 2.0)] * 4
    assert app.query_params["start"] == "0.5,2.0"


def test_reset_starts_the_paths_again_and_draws_new_noise(app):
    app.select_slider(key="s_noise").set_value(0.3).run()
    for _ in range(3):
        app.button(key="step").click().run()
    first = list(runner(app).paths[0].xs)
    app.button(key="reset").click().run()
    assert runner(app).current_epoch == 0 and runner(app).cfg.seed == 1
    app.button(key="step").click().run()
    assert runner(app).paths[0].xs[1] != first[1]


def test_bad_paths_in_a_link_are_named_and_modes_keep_their_runs():
    at = launch({"mode": "surfaces", "opt1": "banana", "opt2": "sgd:momentum=0.5"}, check=True)
    banner = seen(at.warning[0].value)
    assert "'banana' is not an optimizer" in banner and "SGD does not use momentum" in banner
    assert runner(at).labels == ["SGD lr=0.01"]
    at.button(key="step").click().run()
    at.radio(key="mode").set_value("single").run()
    assert not at.exception and ui(at).runs["surfaces"].runner.current_epoch == 1
    at.radio(key="mode").set_value("surfaces").run()
    assert not at.exception and runner(at).current_epoch == 1 and step_shown(at) == 1


def test_an_editor_row_becomes_a_path_with_only_what_its_optimizer_uses():
    row = {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": None, "beta1": float("nan"),
           "beta2": float("nan"), "eps": None, "weight_decay": 0.0}
    assert _row_text(row) == "sgd:lr=0.1;weight_decay=0.0"
    adam = {**row, "optimizer": "adam", "beta1": 0.8, "beta2": 0.99}
    assert _row_text(adam) == "adam:lr=0.1;weight_decay=0.0;betas=0.8,0.99"
    assert normal({"optimizer": "adam", "lr": 0.1, "weight_decay": 0.0}) == (("lr", 0.1), ("optimizer", "adam"))

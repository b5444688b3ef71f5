"""The whole app under Streamlit's AppTest: widgets, transport, URL handling, lessons.

AppTest reruns the whole script on each .run() and never fires run_every, so one .run()
while playing stands in for one tick of the live fragment. Components are not rendered.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.config import RunConfig
from playground.presets import PRESETS

APP = str(Path(__file__).resolve().parents[1] / "app.py")
COUNTER = re.compile(r'<span id="epoch-counter" data-epoch="(\d+)"></span>\*\*Epoch (\d+)\*\*')


def new_app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_epoch(at: AppTest) -> int:
    """The epoch the counter shows; its data attribute and its text must agree."""
    hits = [COUNTER.search(m.value) for m in at.markdown]
    hits = [h for h in hits if h]
    assert len(hits) == 1, "expected exactly one epoch counter"
    data, text = hits[0].groups()
    assert data == text
    return int(data)


def trainer(at: AppTest):
    return at.session_state["trainer"]


@pytest.fixture
def app() -> AppTest:
    return new_app()


def test_app_loads_at_epoch_zero(app):
    assert shown_epoch(app) == 0
    assert trainer(app).current_epoch == 0 and len(trainer(app).history) == 0
    assert app.button(key="play").label == "Play"
    assert not app.warning  # a plain URL has nothing to warn about
    assert app.session_state["cfg"] == RunConfig()


def test_lr_change_applies_live_without_reset(app):
    for _ in range(3):
        app.button(key="step").click().run()
    before = trainer(app)
    assert before.optimizer.param_groups[0]["lr"] == 0.01

    app.select_slider(key="w_lr").set_value(0.1).run()
    assert not app.exception
    after = trainer(app)
    assert after is before, "a learning-rate change must not start a new run"
    assert after.current_epoch == 3 and len(after.history) == 3 and shown_epoch(app) == 3
    assert after.optimizer.param_groups[0]["lr"] == pytest.approx(0.1)
    assert after.cfg.lr == pytest.approx(0.1) and app.session_state["cfg"].lr == pytest.approx(0.1)
    assert (3, "lr 0.01 → 0.1") in after.history.events
    assert app.query_params["lr"] == "0.1"
    assert any("lr 0.01 → 0.1" in t.value for t in app.toast)

    app.button(key="step").click().run()  # the next epoch trains (and is logged) at the new rate
    assert trainer(app).history.last("lr") == pytest.approx(0.1)


def test_step_adds_exactly_one_epoch(app):
    app.button(key="step").click().run()
    assert trainer(app).current_epoch == 1 and len(trainer(app).history) == 1 and shown_epoch(app) == 1
    app.button(key="step").click().run()
    t = trainer(app)
    assert t.current_epoch == 2 and len(t.history) == 2 and shown_epoch(app) == 2
    assert list(t.history.column("epoch")) == [1, 2]
    assert t.steps == 2 * t.steps_per_epoch
    assert not app.session_state["playing"]


def test_play_advances_and_pause_stops(app):
    app.button(key="play").click().run()
    assert app.session_state["playing"] and app.button(key="play").label == "Pause"
    epochs = [trainer(app).current_epoch]
    for _ in range(4):  # each run is one live tick; ticks owe speed × elapsed epochs
        time.sleep(0.1)
        app.run()
        epochs.append(trainer(app).current_epoch)
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0] and epochs[-1] >= 3, epochs
    assert shown_epoch(app) == epochs[-1]

    app.button(key="play").click().run()
    assert not app.session_state["playing"] and app.button(key="play").label == "Play"
    paused = trainer(app).current_epoch
    for _ in range(3):
        time.sleep(0.1)
        app.run()
    assert trainer(app).current_epoch == paused and shown_epoch(app) == paused


def test_bad_url_values_warn_once_naming_both():
    at = new_app(lr="banana", hidden="999")
    assert len(at.warning) == 1
    text = at.warning[0].value
    assert "lr=banana" in text and "hidden=999" in text
    assert at.session_state["cfg"] == RunConfig()  # both fell back to their defaults
    assert shown_epoch(at) == 0


NON_DEFAULT = RunConfig(dataset="circles", n_points=500, noise=0.1, val_frac=0.5, seed=7, init_seed=3,
                        hidden=(8, 4, 2), activation="tanh", dropout=0.1, optimizer="sgd", lr=0.03,
                        momentum=0.5, weight_decay=0.001, batch_size=10, epochs=500, patience=20,
                        min_delta=0.001, restore_best=False)


def test_url_round_trip_restores_the_config():
    assert RunConfig() != NON_DEFAULT
    at = new_app(**NON_DEFAULT.to_query())
    assert not at.warning
    assert at.session_state["cfg"] == NON_DEFAULT
    assert trainer(at).cfg == NON_DEFAULT
    assert at.selectbox(key="w_dataset").value == "circles"
    assert at.slider(key="w_n_layers").value == 3
    assert at.radio(key="w_batch_mode").value == "Mini-batch"
    assert at.number_input(key="w_batch_size").value == 10
    written = {k: at.query_params[k] for k in at.query_params}
    assert written == NON_DEFAULT.to_query()


def test_partial_url_is_completed_in_the_query_params():
    at = new_app(optimizer="sgd", lr="0.3")
    assert at.session_state["cfg"] == RunConfig(optimizer="sgd", lr=0.3)
    written = {k: at.query_params[k] for k in at.query_params}
    assert written == RunConfig(optimizer="sgd", lr=0.3).to_query()


def test_dataset_change_resets_the_run(app):
    for _ in range(2):
        app.button(key="step").click().run()
    old = trainer(app)
    assert old.current_epoch == 2
    app.selectbox(key="w_dataset").set_value("circles").run()
    assert not app.exception
    new = trainer(app)
    assert new is not old
    assert new.cfg.dataset == "circles" and new.current_epoch == 0 and len(new.history) == 0
    assert shown_epoch(app) == 0
    assert any("restarted from epoch 0" in t.value for t in app.toast)


def test_script_in_url_is_only_shown_escaped():
    at = new_app(dataset="<script>alert(1)</script>")
    assert at.session_state["cfg"].dataset == "moons"
    assert len(at.warning) == 1 and "&lt;script&gt;" in at.warning[0].value
    texts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [c.value for c in at.caption]
    assert texts and not any("<script" in t.lower() for t in texts)


def test_seed_lab_lesson_sets_the_widgets(app):
    lesson = PRESETS["seed-lab"].config
    app.selectbox(key="preset").set_value("seed-lab").run()
    assert not app.exception
    assert app.session_state["cfg"] == lesson
    assert trainer(app).cfg == lesson and trainer(app).current_epoch == 0
    assert app.selectbox(key="w_dataset").value == "seedlab"
    assert app.slider(key="w_n_layers").value == 1
    assert app.number_input(key="w_layer_0").value == 20
    assert app.selectbox(key="w_activation").value == "relu"
    assert app.selectbox(key="w_optimizer").value == "adam"
    assert app.select_slider(key="w_lr").value == pytest.approx(0.01)
    assert app.select_slider(key="w_weight_decay").value == pytest.approx(0.01)
    assert app.slider(key="w_dropout").value == pytest.approx(0.5)
    assert app.slider(key="w_val_frac").value == pytest.approx(0.0)
    assert app.radio(key="w_batch_mode").value == "Full batch"
    assert app.number_input(key="w_epochs").value == 200
    assert shown_epoch(app) == 0

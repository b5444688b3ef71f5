"""The whole app under Streamlit's AppTest: widgets, transport, URL handling, lessons.

AppTest reruns the whole script on each .run() and never fires run_every, so one .run()
while playing stands in for one tick of the live fragment. Components are not rendered.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from playground.config import RunConfig
from playground.lessons import PRESETS
from tests.apptest import epoch as shown_epoch
from tests.apptest import launch, open_tab, seen, ui
from tests.apptest import runner as trainer


def new_app(**query: str) -> AppTest:
    return launch(query, check=True)


@pytest.fixture
def app() -> AppTest:
    return new_app()


def test_app_loads_at_epoch_zero(app):
    assert shown_epoch(app) == 0
    assert trainer(app).current_epoch == 0 and len(trainer(app).history) == 0
    assert app.button(key="play").label == "Play"
    assert not app.warning  # a plain URL has nothing to warn about
    assert ui(app).cfg == RunConfig()


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
    assert after.cfg.lr == pytest.approx(0.1) and ui(app).cfg.lr == pytest.approx(0.1)
    assert (3, "lr 0.01 → 0.1") in after.history.events
    assert app.query_params["lr"] == "0.1"
    assert any("lr 0.01 → 0.1" in seen(t.value) for t in app.toast)

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
    assert not ui(app).playing


def test_play_advances_and_pause_stops():
    app = new_app(patience="0")  # early stopping off: the worker may pass the default run's stop before Pause
    app.button(key="play").click().run()
    assert ui(app).playing and app.button(key="play").label == "Pause"
    epochs = [trainer(app).current_epoch]
    for _ in range(4):  # each run is one live tick; ticks owe speed × elapsed epochs
        time.sleep(0.1)
        app.run()
        epochs.append(trainer(app).current_epoch)
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0] and epochs[-1] >= 3, epochs
    assert 0 < shown_epoch(app) <= trainer(app).current_epoch  # the worker trains between reruns

    app.button(key="play").click().run()
    assert not ui(app).playing and app.button(key="play").label == "Play"
    paused = trainer(app).current_epoch
    for _ in range(3):
        time.sleep(0.1)
        app.run()
    assert trainer(app).current_epoch == paused and shown_epoch(app) == paused


def test_bad_url_values_warn_once_naming_both():
    at = new_app(lr="banana", hidden="999")
    assert len(at.warning) == 1
    text = seen(at.warning[0].value)
    assert "lr=banana" in text and "hidden=999" in text
    assert ui(at).cfg == RunConfig()  # both fell back to their defaults
    assert shown_epoch(at) == 0


NON_DEFAULT = RunConfig(dataset="circles", n_points=500, noise=0.1, val_frac=0.5, seed=7, init_seed=3,
                        hidden=(8, 4, 2), activation="tanh", dropout=0.1, optimizer="sgd", lr=0.03,
                        momentum=0.5, weight_decay=0.001, batch_size=10, epochs=500, patience=20,
                        min_delta=0.001, restore_best=False)


def test_url_round_trip_restores_the_config():
    assert RunConfig() != NON_DEFAULT
    at = new_app(**NON_DEFAULT.to_query())
    assert not at.warning
    assert ui(at).cfg == NON_DEFAULT
    assert trainer(at).cfg == NON_DEFAULT
    assert at.selectbox(key="w_dataset").value == "circles"
    assert at.slider(key="w_n_layers").value == 3
    assert at.radio(key="w_batch_mode").value == "Mini-batch"
    assert at.number_input(key="w_batch_size").value == 10
    written = {k: at.query_params[k] for k in at.query_params}
    assert written == NON_DEFAULT.to_query()


def test_partial_url_is_completed_in_the_query_params():
    at = new_app(optimizer="sgd", lr="0.3")
    assert ui(at).cfg == RunConfig(optimizer="sgd", lr=0.3)
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
    assert any("restarted from epoch 0" in seen(t.value) for t in app.toast)


def test_script_in_url_is_only_shown_escaped():
    at = new_app(dataset="<script>alert(1)</script>")
    assert ui(at).cfg.dataset == "moons"
    assert len(at.warning) == 1 and "&lt;script&gt;" in at.warning[0].value
    texts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [c.value for c in at.caption]
    assert texts and not any("<script" in t.lower() for t in texts)


def test_seed_lab_lesson_sets_the_widgets(app):
    lesson = PRESETS["seed-lab"].config
    app.selectbox(key="lesson").set_value("seed-lab").run()
    assert not app.exception
    assert ui(app).cfg == lesson
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


def test_a_live_lr_change_travels_from_url_to_the_optimizer_through_one_writer(monkeypatch):
    """URL lr -> the optimizer at build; the slider -> Trainer.configure -> optim.set_live, called once."""
    import playground.engine.train as train_module

    calls = []
    real = train_module.set_live
    monkeypatch.setattr(train_module, "set_live", lambda opt, **v: calls.append(v) or real(opt, **v))
    at = new_app(lr="0.03")
    t = trainer(at)
    assert t.optimizer.param_groups[0]["lr"] == pytest.approx(0.03) and t.cfg.lr == 0.03
    at.button(key="step").click().run()
    calls.clear()
    at.select_slider(key="w_lr").set_value(0.1).run()
    assert [c["lr"] for c in calls if c.get("lr") != 0.03] == [0.1]  # one write of the new value
    assert trainer(at) is t and all(g["lr"] == pytest.approx(0.1) for g in t.optimizer.param_groups)
    assert t.cfg.lr == pytest.approx(0.1) and ui(at).cfg.lr == pytest.approx(0.1) and at.query_params["lr"] == "0.1"
    at.button(key="step").click().run()
    assert t.history.last("lr") == pytest.approx(0.1)


def lesson_caption(at: AppTest) -> str:
    texts = [c.value for c in at.caption if "Lesson:" in c.value]
    assert len(texts) == 1, texts
    return texts[0]


def test_a_lesson_named_in_the_url_survives_reset_with_a_modified_note():
    at = new_app(lesson="overfit")
    assert ui(at).lesson == "overfit" and trainer(at).cfg == PRESETS["overfit"].config
    assert "Overfitting" in lesson_caption(at) and "modified" not in lesson_caption(at)
    assert at.query_params["lesson"] == "overfit"
    at.button(key="reset").click().run()
    assert trainer(at).cfg.init_seed == 1 and "modified from the lesson" in lesson_caption(at)
    assert at.query_params["lesson"] == "overfit"


def test_a_short_link_overrides_the_lesson():
    at = new_app(lesson="overfit", lr="0.03")
    assert trainer(at).cfg == PRESETS["overfit"].config.replace(lr=0.03) and not at.warning


def test_a_race_lesson_in_the_url_opens_race_mode():
    at = new_app(lesson="batch-norm")
    race = trainer(at)
    assert ui(at).mode == "race" and [t.cfg.batch_norm for t in race.trainers] == [False, True]
    assert "batch norm" in lesson_caption(at) and at.query_params["mode"] == "race"
    # The lanes table spells out every column of each lane; that is still the lesson, unmodified.
    assert "modified" not in lesson_caption(at)


def test_only_the_open_tab_runs_and_a_click_on_another_runs_that_one():
    # The live ticks re-render every element on the page in the browser: closed tabs must send none.
    at = launch(check=True)
    tabs = {t.label: t for t in at.tabs}
    assert list(tabs) == ["Theory", "Evaluation", "History", "Share"]
    assert tabs["Theory"].latex and not tabs["Share"].code and not tabs["History"].get("download_button")
    share = open_tab(at, "Share")
    assert share.code and not at.exception
    assert not next(t for t in at.tabs if t.label == "Theory").latex
    assert open_tab(at, "History").get("download_button") and not open_tab(at, "History").code


NESTEROV_STEP = r"\eta\,(g_t + \mu\, b_t)"  # the look-ahead step only Nesterov's rule has


def theory_rules(at: AppTest) -> tuple[list[str], list[str]]:
    """The Theory tab's rule headings and LaTeX blocks."""
    tab = at.tabs[0]
    assert tab.label == "Theory"
    return [m.value for m in tab.markdown], [x.value for x in tab.latex]


def test_theory_tab_shows_the_nesterov_rule_that_runs_in_single_runs_and_race_lanes():
    at = new_app(optimizer="momentum", nesterov="1")
    assert trainer(at).optimizer.param_groups[0]["nesterov"] is True
    headings, formulas = theory_rules(at)
    assert any("**Nesterov**" in h for h in headings) and not any("SGD + momentum" in h for h in headings)
    assert any(NESTEROV_STEP in f for f in formulas)

    at = new_app(mode="race", lane1="optimizer:momentum;nesterov:1", lane2="optimizer:momentum;nesterov:0")
    lanes = trainer(at).trainers
    assert [t.optimizer.param_groups[0]["nesterov"] for t in lanes] == [True, False]
    headings, formulas = theory_rules(at)
    assert sum("**Nesterov**" in h for h in headings) == 1 and sum("**SGD + momentum**" in h for h in headings) == 1
    assert sum(NESTEROV_STEP in f for f in formulas) == 1


def test_metrics_table_columns_name_their_weights_and_the_caption_says_eval_mode():
    at = new_app(dataset="breast_cancer")
    for _ in range(2):
        at.button(key="step").click().run()
    table = at.table[0].value
    assert list(table.columns)[:2] == ["train (epoch 2)", "validation (epoch 2)"]
    assert "precision (positive class benign)" in list(table.index)
    assert any("measured in eval mode" in c.value and "Generalization gap" in c.value for c in at.caption)

"""The classroom under AppTest: every lesson from ?lesson=NAME with its question before Play and its answer
after the run, Restart the lesson, projector mode and hidden controls, the teacher's link and QR code,
and the History tab's exports and weight import."""

from __future__ import annotations

import pickle
import re

import pytest
import torch

from playground import links
from playground.config import RunConfig
from playground.engine import export
from playground.engine.train import Trainer
from playground.lessons import LESSONS, TOPICS
from playground.ui import exports, sidebar
from playground.ui.state import W
from tests.apptest import launch, open_tab, seen, ui
from tests.apptest import runner as current_runner

QUICK = {"single": {"epochs": "3"}, "race": {"epochs": "3"}, "surfaces": {"steps": "3"}}


def texts(at) -> str:
    """Everything the visitor reads: markdown, info, success, warning and caption text."""
    parts = [e.value for kind in (at.markdown, at.info, at.success, at.warning, at.caption) for e in kind]
    return seen("\n".join(parts))


def sidebar_size(at) -> int:
    """How many elements the sidebar holds (0 when Streamlit made none)."""
    try:
        return len(at.sidebar)
    except (KeyError, AssertionError):
        return 0


def test_every_lesson_teaches_and_every_topic_has_a_lesson():
    assert len(TOPICS) == 11
    assert all(name in LESSONS for _, names in TOPICS for name in names)
    for name, lesson in LESSONS.items():
        assert lesson.explanation and lesson.formula and lesson.question and lesson.answer, name
        sentences = re.findall(r"[.!?](?:\s|$)", lesson.explanation)  # "0.9" and "torch.optim" end none
        assert len(sentences) >= 2, f"{name}: the issue asks for two or three sentences of explanation"
        assert set(lesson.controls) <= set(sidebar.CONTROLS), name
    assert LESSONS["imbalance"].config.dataset == "imbalanced"


@pytest.mark.parametrize("name", sorted(LESSONS))
def test_a_lesson_shows_its_question_before_play_and_its_answer_after_the_run(name):
    lesson = LESSONS[name]
    at = launch({"lesson": name, **QUICK[lesson.mode]}, check=True)
    assert ui(at).lesson == name and ui(at).mode == lesson.mode
    assert seen(lesson.question) in texts(at) and seen(lesson.answer) not in texts(at)
    assert lesson.title in texts(at)
    current_runner(at).run()  # to the (shortened) end
    at.run()
    assert not at.exception
    assert seen(lesson.answer) in texts(at) and seen(lesson.question) not in texts(at)


def test_restart_the_lesson_gives_the_lessons_own_epoch_10_loss_exactly():
    lesson = LESSONS["overfit"]
    at = launch({"lesson": "overfit"}, check=True)
    at.button(key="step").click().run()
    at.button(key="reset").click().run()  # new initial weights: the lesson text stays, marked modified
    assert current_runner(at).cfg.init_seed == 1 and "modified from the lesson" in texts(at)
    assert lesson.question in texts(at)
    at.select_slider(key="w_lr").set_value(0.1).run()
    at.button(key="step").click().run()
    before = current_runner(at)
    at.button(key="restart_lesson").click().run()
    after = current_runner(at)
    assert after is not before and after.current_epoch == 0 and after.cfg == lesson.config
    assert "modified" not in texts(at) and ui(at).lesson == "overfit"
    for _ in range(10):
        at.button(key="step").click().run()
    assert current_runner(at).current_epoch == 10
    fresh = Trainer(lesson.config)
    fresh.run(10)
    assert current_runner(at).history.column("train_loss").tolist() == fresh.history.column("train_loss").tolist()
    assert current_runner(at).history.last("val_loss") == fresh.history.last("val_loss")


def test_restart_a_race_lesson_brings_back_its_lanes():
    at = launch({"lesson": "learning-rate", "epochs": "5"}, check=True)
    ui(at).lanes = [{"lr": 0.5}, {"lr": 0.6}]
    at.button(key="restart_lesson").click().run()
    assert [t.cfg.lr for t in current_runner(at).trainers] == [0.001, 0.3, 10.0]


def test_projector_mode_draws_no_sidebar_and_only_the_lessons_controls():
    at = launch({"lesson": "overfit", "present": "1"}, check=True)
    assert ui(at).present and sidebar_size(at) == 0
    keys = {w.key for kind in (at.select_slider, at.slider, at.selectbox, at.number_input, at.radio) for w in kind}
    assert {k for k in keys if k.startswith("w_")} == {"w_" + n for n in LESSONS["overfit"].controls}
    assert at.button(key="play") and at.button(key="step") and at.button(key="restart_lesson")
    at.slider(key="w_dropout").set_value(0.2).run()
    assert current_runner(at).cfg.dropout == 0.2 and at.query_params["present"] == "1"


def test_projector_mode_of_a_race_shows_no_lanes_editor():
    at = launch({"lesson": "learning-rate", "present": "1"}, check=True)
    assert sidebar_size(at) == 0 and all("Lanes" not in e.label for e in at.expander)
    assert [t.cfg.lr for t in current_runner(at).trainers] == [0.001, 0.3, 10.0]
    assert "lanes_editor_0" not in at.session_state


def test_hide_removes_named_controls_from_the_page_and_the_url_keeps_it():
    at = launch({"lesson": "overfit", "hide": "lr,optimizer,lesson"}, check=True)
    assert sidebar_size(at) > 0
    keys = {w.key for w in at.selectbox} | {w.key for w in at.select_slider}  # the sidebar and the settings row
    assert "w_lr" not in keys and "w_optimizer" not in keys and "lesson" not in keys and "w_dataset" in keys
    assert current_runner(at).cfg.lr == LESSONS["overfit"].config.lr
    assert at.query_params["hide"] == "lr,optimizer,lesson"


def test_bad_present_and_hide_values_fall_back_with_a_notice():
    at = launch({"lesson": "overfit", "present": "banana", "hide": "lr,warp_drive"}, check=True)
    assert not ui(at).present and ui(at).hide == ("lr",)
    warning = seen(at.warning[0].value)
    assert "present='banana' was ignored" in warning and "'warp_drive'" in warning


def test_present_and_hide_round_trip_through_the_url():
    page, warnings = links.parse({"lesson": "dropout", "present": "1", "hide": "lanes,epochs", "lr": "0.03"})
    assert warnings == [] and page.present and page.hide == ("lanes", "epochs") and page.mode == "race"
    again, _ = links.parse(links.to_query(page))
    assert again == page
    short = links.teacher(page)
    assert short["present"] == "1" and short["lesson"] == "dropout" and short["lr"] == "0.03"
    assert links.parse(short)[0] == page
    assert "lane1" not in short  # the lesson's own lanes are implied


def test_the_share_tab_offers_the_teachers_link_and_a_qr_code():
    at = launch({"lesson": "overfit", "lr": "0.03"}, check=True)
    share = open_tab(at, "Share")
    codes = [c.value for c in share.code]
    assert any("lesson=overfit" in c and "present=1" in c and "lr=0.03" in c for c in codes)
    assert len(share.get("image")) == 1


def test_the_qr_code_encodes_the_link():
    # Read back by an independent decoder (zxing-cpp), as a phone's camera would.
    import io

    import zxingcpp
    from PIL import Image

    from playground.ui import classroom

    for link in ("http://localhost:8501/?lesson=overfit", "http://localhost:8501/?lesson=overfit&present=1&lr=0.03"):
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(classroom.qr_png(link))))
        assert [(c.format.name, c.text) for c in codes] == [("QRCode", link)]


def test_the_history_tab_imports_safetensors_weights_and_refuses_a_pickle():
    at = launch({"lesson": "seed-lab"}, check=True)
    open_tab(at, "History")
    trainer = current_runner(at)
    other = Trainer(LESSONS["seed-lab"].config.replace(init_seed=5))
    uploader = at.file_uploader(key=exports.WEIGHTS_KEY)
    uploader.set_value(("w.pt", pickle.dumps(other.model.state_dict()), "application/octet-stream")).run()
    notes = seen(" ".join(t.value for t in at.toast))
    assert "looks like a pickle" in notes and "Nothing was imported" in notes and not at.exception
    assert not torch.equal(trainer.params[0], other.params[0])
    good = export.weights_bytes(other.model, other.cfg, 0)
    at.file_uploader(key=exports.WEIGHTS_KEY).set_value(("w.safetensors", good, "application/octet-stream")).run()
    assert current_runner(at) is trainer and torch.equal(trainer.params[0], other.params[0])
    assert "Imported weights" in seen(" ".join(t.value for t in at.toast))


def test_the_history_tab_offers_the_three_exports():
    at = launch({"lesson": "seed-lab"}, check=True)
    labels = [b.label for b in open_tab(at, "History").get("download_button")]
    assert labels == ["History CSV", "Config JSON", "Script (.py)", "Weights (.safetensors)", "Report (.html)"]


def test_default_config_is_unchanged_by_projector_fields():
    assert links.parse({})[0] == links.PageState(RunConfig())


def _keys(block) -> set[str]:
    return {w.key for kind in ("selectbox", "select_slider", "slider", "toggle") for w in getattr(block, kind)}


def test_a_single_run_has_its_main_settings_on_the_page_and_a_race_in_the_sidebar():
    # Issue #13: the sidebar is optional. A single run's dataset, optimizer, lr, L2, dropout, batch norm
    # and speed are on the page itself, so it can be played with the sidebar closed.
    on_page = {W + n for n in sidebar.QUICK} | {"speed"}
    at = launch({}, check=True)
    assert on_page <= _keys(at.main) and not on_page & _keys(at.sidebar)
    race = launch({"mode": "race"}, check=True)
    assert on_page <= _keys(race.sidebar)  # a race's lanes override these: its base settings stay together

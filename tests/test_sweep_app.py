"""The sweep page under AppTest: its controls, bad input, the server setting, the URL, and one tiny real sweep."""

from __future__ import annotations

import time

import pytest

from playground.sweeps.config import CPUS_ENV, SweepConfig
from tests.apptest import launch, seen, ui

TINY = {"mode": "sweep", "x": "lr", "x_values": "0.01,0.1", "y": "batch_size", "y_values": "0,16",
        "trial_epochs": "5", "n_points": "40"}


def errors(at) -> str:
    return " ".join(seen(e.value) for e in at.error)


@pytest.fixture(autouse=True)
def two_cores(monkeypatch):
    monkeypatch.setenv(CPUS_ENV, "2")


def test_the_sweep_page_shows_its_controls_from_the_url():
    at = launch(TINY, check=True)
    assert ui(at).mode == "sweep" and not at.error
    assert at.selectbox(key="sw_x").value == "lr" and at.text_input(key="sw_x_values").value == "0.01,0.1"
    assert at.selectbox(key="sw_y").value == "batch_size" and at.number_input(key="sw_trial_epochs").value == 5
    assert at.selectbox(key="sw_metric").value == "val_loss" and at.number_input(key="sw_target").disabled
    assert not at.button(key="sweep_start").disabled and at.button(key="sweep_cancel").disabled
    assert ui(at).sweep == SweepConfig(x_values="0.01,0.1", y_values="0,16", trial_epochs=5)
    assert at.query_params["mode"] == "sweep" and at.query_params["n_points"] == "40"


def test_bad_values_get_a_message_keep_the_text_and_block_start():
    at = launch(TINY, check=True)
    at.text_input(key="sw_x_values").input("0.01,banana").run()
    assert "lr values" in errors(at) and "not valid" in errors(at)
    assert at.text_input(key="sw_x_values").value == "0.01,banana"  # the typed text is not lost
    assert at.button(key="sweep_start").disabled and ui(at).sweep.x_values == "0.01,0.1"
    at.text_input(key="sw_x_values").input("1e-4:1:log:20").run()
    assert "1 to 8 values" in errors(at)
    at.text_input(key="sw_x_values").input("").run()  # empty: the setting's own range
    assert not at.error and not at.button(key="sweep_start").disabled


def test_sweeping_one_setting_twice_or_too_many_trials_is_refused():
    at = launch(TINY, check=True)
    at.selectbox(key="sw_y").select("lr").run()
    assert "two different" in errors(at) and at.button(key="sweep_start").disabled
    at.selectbox(key="sw_y").select("batch_size").run()
    at.text_input(key="sw_x_values").input("1e-4:1:log:8").run()
    at.text_input(key="sw_y_values").input("1:128:log:8").run()
    at.number_input(key="sw_seeds").set_value(5).run()
    assert "at most 256" in errors(at) and at.button(key="sweep_start").disabled


def test_a_new_x_setting_starts_from_its_own_range():
    at = launch(TINY, check=True)
    at.selectbox(key="sw_x").select("dropout").run()
    assert at.text_input(key="sw_x_values").value == "" and not at.error
    assert ui(at).sweep.values("x") == (0.0, 0.3, 0.6, 0.9)


def test_the_server_setting_turns_sweeps_off(monkeypatch):
    monkeypatch.setenv(CPUS_ENV, "0")
    at = launch(TINY, check=True)
    assert any("turned off" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "sweep_start"]  # no Start button at all
    assert at.query_params["mode"] == "sweep"


def finish(at, run, timeout: float = 180) -> None:
    """Wait for the sweep to end, then rerun the page as its last tick would: no error anywhere."""
    deadline = time.monotonic() + timeout
    while not run.done and time.monotonic() < deadline:
        time.sleep(0.5)
    assert run.done and run.error is None
    at.run()
    assert not at.exception and not at.error


def test_a_tiny_sweep_runs_to_the_end_and_lists_every_trial(ray_local):
    at = launch(TINY, check=True)
    at.button(key="sweep_start").click().run()
    run = ui(at).sweep_run
    assert run is not None and at.button(key="sweep_start").disabled
    finish(at, run)
    assert any('data-done="4" data-total="4" data-ended="1"' in m.value for m in at.markdown)
    frame = at.dataframe[0].value
    assert len(frame) == 4 and set(frame["batch_size"]) == {0, 16} and frame["open"].str.contains("lr=").all()
    assert not at.button(key="sweep_start").disabled and at.button(key="sweep_cancel").disabled


def test_a_random_search_runs_its_drawn_pairs_and_the_link_keeps_them(ray_local):
    at = launch({**TINY, "search": "random", "samples": "3", "x_values": "0.01:0.1:log", "y_values": "0,16"},
                check=True)
    assert at.radio(key="sw_search").value == "random" and not at.number_input(key="sw_samples").disabled
    assert at.query_params["search"] == "random" and at.query_params["samples"] == "3"
    at.button(key="sweep_start").click().run()
    run = ui(at).sweep_run
    finish(at, run)
    assert any('data-done="3" data-total="3" data-ended="1"' in m.value for m in at.markdown)
    frame = at.dataframe[0].value
    assert len(frame) == 3 and frame["lr"].between(0.01, 0.1).all() and set(frame["batch_size"]) <= {0, 16}
    at.radio(key="sw_search").set_value("grid").run()  # back to a grid: the samples box is greyed out
    assert at.number_input(key="sw_samples").disabled and not at.error

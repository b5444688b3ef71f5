"""Smoke test: every in-process benchmark still runs at a tiny size and returns sane rows.

No timing assertions: the machine is shared, and the figures belong in `python -m benchmarks`.
The browser parts (B4, B5's server sessions) are skipped here; tests/test_browser.py drives the app.
B7 (sweeps) runs a tiny grid on local Ray; B8 (bytes per visitor) runs one tiny window per case in the browser.
B6 is all browser: its tiny run is marked browser and slow, and skips without chromium or TFP's build.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import b1_engine, b2_race, b3_frame, b5_memory, b6_tfp, b7_sweep, b8_bytes
from benchmarks.__main__ import main
from benchmarks.common import Row, browser_available, table
from playground import links


def _check(rows: list[Row], bench: str) -> None:
    assert rows and all(r.bench == bench for r in rows)
    for r in rows:
        assert r.value is not None and math.isfinite(r.value), r
        assert r.met in (True, False, None)
    text = table(rows)
    assert all(r.case in text for r in rows)


def test_b1_engine_overhead_runs_and_compares_like_with_like():
    rows = b1_engine.run(tiny=True, profile_misses=False)
    _check(rows, "B1")
    goals = [r for r in rows if r.goal]
    assert len(goals) == len(b1_engine.CASES)
    # The bare loop trained the same model on the same batches: bit-identical weights afterwards.
    assert all("same weights ✓" in r.detail for r in goals), [r.detail for r in goals]


def test_b1_profile_names_the_trainer():
    m = b1_engine.measure(0, seconds=0.05, n_points=60, block_s=0.001)
    text = b1_engine.profile_epochs(m["trainer"], 0.02)
    assert "train.py" in text and "µs/epoch" in text


def test_b2_race_cost_runs_for_every_batch_mode():
    rows = b2_race.run(tiny=True)
    _check(rows, "B2")
    assert [r.goal for r in rows] == [("<=", b2_race.GOAL)] * len(b2_race.CASES)
    assert all("Python loop" in r.detail for r in rows)


def test_b3_frame_cost_runs_for_one_and_four_lanes():
    rows = b3_frame.run(tiny=True)
    _check(rows, "B3")
    assert [r.goal for r in rows[:2]] == [("<=", b3_frame.GOAL_ONE_MS), ("<=", b3_frame.GOAL_FOUR_MS)]
    payload = [r for r in rows if r.case.startswith("payload")]
    assert len(payload) == 4 and all(p.value > 0 for p in payload)
    tick, page = payload[0].value, payload[2].value
    assert page > 3 * tick  # a live tick sends no figures: a fraction of a page run
    cost, size = [r for r in rows if r.case.startswith("1 lane with the network view") or "network view:" in r.case]
    assert cost.goal == ("<=", b3_frame.GOAL_ONE_MS) and cost.unit == "ms" and cost.value > 0
    assert size.unit == "kB" and size.value > 1  # ~20 unit maps and the links' styles


def test_b5_memory_in_process_part_runs():
    rows = b5_memory.run(tiny=True, browser=False)
    _check(rows, "B5")
    assert "history.nbytes()" in rows[0].detail


def test_b6_app_links_mean_the_tf_playground_setups():
    tf, problems = links.parse(b6_tfp.APP_TF)
    assert not problems and tf.lesson == "tf-playground" and tf.cfg.epochs == b6_tfp.MAX_EPOCHS
    spiral, problems = links.parse(b6_tfp.APP_SPIRAL)
    cfg = spiral.cfg
    assert not problems
    assert (cfg.dataset, cfg.hidden, cfg.activation, cfg.optimizer) == ("spiral", (8, 8, 8), "relu", "sgd")
    assert (cfg.lr, cfg.batch_size, cfg.n_points, cfg.val_frac, cfg.noise) == (0.03, 10, 500, 0.5, 0.06)


@pytest.mark.browser
@pytest.mark.slow
def test_b6_runs_side_by_side_with_the_tf_playground():
    ok, why = browser_available()
    if not ok or b6_tfp.tfp_dir() is None:
        pytest.skip(why or "TF Playground build not found (shared/peers/tfp or $B6_TFP_DIR)")
    rows = b6_tfp.run(tiny=True)
    _check(rows, "B6")
    assert [r.case for r in rows] == list(b6_tfp.CASES)
    quiet = len(b6_tfp.PAIRS) * len(b6_tfp.METRICS)
    assert [r.goal for r in rows] == [(">=", b6_tfp.GOAL_QUIET)] * quiet + [(">=", b6_tfp.GOAL_BUSY)] * 3
    assert all("TFP" in r.detail and "load avg" in r.detail for r in rows), [r.detail for r in rows]


def test_b7_sweep_runs_on_ray_and_checks_its_trials(ray_local):
    rows = b7_sweep.run(tiny=True)
    _check(rows, "B7")
    assert rows[0].goal == (">=", b7_sweep.GOAL) and "same metrics ✓" in rows[0].detail, rows[0].detail
    assert rows[1].goal is None and rows[1].value > 0
    assert "bound with no start-up" in rows[0].detail, rows[0].detail


def test_b7s_bound_hands_trials_in_order_to_the_first_free_worker():
    assert b7_sweep.ideal_makespan([8, 8, 7, 1, 1, 1], 2) == 15  # the third long trial waits for a worker
    assert b7_sweep.ideal_makespan([8, 8, 7, 1, 1, 1], 1) == 26
    assert b7_sweep.ideal_makespan([3, 1, 1, 1], 2) == 3
    assert b7_sweep.ideal_makespan([], 2) == 0


@pytest.mark.browser
def test_b8_counts_the_bytes_and_messages_a_playing_visitor_receives():
    ok, why = browser_available()
    if not ok:
        pytest.skip(why)
    rows = b8_bytes.run(tiny=True)
    print("\n" + table(rows))  # -s shows the tiny figures
    _check(rows, "B8")
    assert [r.case.split(":")[0] for r in rows] == list(b8_bytes.CASES)
    assert all(r.value > 0 and r.goal == ("<=", b8_bytes.GOAL_KB_S) and "messages/s" in r.detail for r in rows)


@pytest.mark.browser
def test_load_acceptance_rows_run_tiny(app_server, chromium):
    from benchmarks import acceptance

    rows = acceptance.rows(chromium, app_server.url, seconds=2, four=1, eight=2, defaults=1, every=0.5, settle_s=0)
    print("\n" + table(rows))
    _check(rows, "LOAD")
    assert [r.goal for r in rows] == [(">=", acceptance.GOAL_FOUR), ("<=", 0), (">=", acceptance.GOAL_SHARE),
                                      ("<=", 0), (">=", acceptance.GOAL_SHARE)]
    assert "heaviest" in rows[-1].detail and "alone" in rows[-1].detail


def test_main_rejects_unknown_benchmarks(capsys):
    with pytest.raises(SystemExit):
        main(["--only", "B9"])
    assert "unknown benchmark" in capsys.readouterr().err

"""Smoke test: every in-process benchmark still runs at a tiny size and returns sane rows.

No timing assertions: the machine is shared, and the figures belong in `python -m benchmarks`.
The browser parts (B4, B5's server sessions) are skipped here; tests/test_browser.py drives the app.
"""

from __future__ import annotations

import math

import pytest

from benchmarks import b1_engine, b2_race, b3_frame, b5_memory
from benchmarks.__main__ import main
from benchmarks.common import Row, table


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
    assert len(payload) == 2 and payload[1].value > payload[0].value > 0


def test_b5_memory_in_process_part_runs():
    rows = b5_memory.run(tiny=True, browser=False)
    _check(rows, "B5")
    assert "history.nbytes()" in rows[0].detail


def test_main_rejects_unknown_benchmarks(capsys):
    with pytest.raises(SystemExit):
        main(["--only", "B9"])
    assert "unknown benchmark" in capsys.readouterr().err

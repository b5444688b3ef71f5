"""The training worker: epochs on its own thread, every epoch's loss point kept, Pause within a chunk."""

from __future__ import annotations

import math
import time

import pytest

from playground.config import RunConfig
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.figures.grid import Boundary
from playground.live import worker as W
from playground.live.loop import lane_frames, loss_points
from playground.live.slots import TrainingSlots
from playground.race_config import RaceConfig

CFG = RunConfig(n_points=100, epochs=40)


def make(runner, slots=None, **kw) -> W.Worker:
    boundary = Boundary(runner.lanes[0].data)
    return W.Worker(runner, lambda r: lane_frames(r, boundary), loss_points,
                    slots=slots or TrainingSlots(4), sid="me", max_steps_per_s=1e9, **kw)


def wait_until(pred, timeout=30.0):
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_every_epoch_reaches_the_tick_and_the_last_is_drawn():
    trainer = Trainer(CFG)
    w = make(trainer)
    w.speed = math.inf
    w.play()
    got_frames, got_points = [], []
    while not trainer.done:
        frames, points, lost = w.collect()
        got_frames += frames[0]
        got_points += points[0]
        assert not lost
        time.sleep(0.02)
    wait_until(lambda: not w.playing)
    frames, points, _ = w.collect()
    got_frames += frames[0]
    got_points += points[0]
    assert [p[0] for p in got_points] == list(range(1, CFG.epochs + 1))  # one loss point per epoch
    assert [p[1] for p in got_points] == list(trainer.history.column("train_loss"))
    assert got_frames[-1]["epoch"] == CFG.epochs  # the epoch it stopped on is drawn
    assert [f["epoch"] for f in got_frames] == sorted({f["epoch"] for f in got_frames})


def test_pause_returns_with_the_counter_true_and_nothing_trains_after():
    trainer = Trainer(CFG.replace(epochs=10_000))
    w = make(trainer)
    w.speed = math.inf
    w.play()
    wait_until(lambda: trainer.current_epoch >= 3)
    w.pause()
    stopped, steps = trainer.current_epoch, trainer.steps
    time.sleep(0.3)
    assert (trainer.current_epoch, trainer.steps) == (stopped, steps)
    _, points, _ = w.collect()
    assert points[0][-1][0] == stopped


def test_a_long_epoch_is_split_so_pause_lands_inside_it():
    # 2,000 points at batch size 1: 1,400 steps an epoch, far longer than one chunk.
    trainer = Trainer(RunConfig(n_points=2000, batch_size=1, hidden=(64, 64), epochs=5))
    w = make(trainer)
    w.speed = math.inf
    w.play()
    wait_until(lambda: trainer.steps > 0)
    w.pause()
    assert trainer.current_epoch == 0 and 0 < trainer.steps < trainer.steps_per_epoch


def test_step_trains_exactly_one_epoch_and_obeys_the_queue():
    slots = TrainingSlots(1)
    trainer = Trainer(CFG)
    w = make(trainer, slots)
    assert w.step() and trainer.current_epoch == 1 and trainer.steps == trainer.steps_per_epoch
    assert slots.request("someone else") == 0  # the only slot is taken now
    assert not w.step() and trainer.current_epoch == 1 and w.queued == 1


def test_a_worker_nobody_collects_from_stops_and_frees_its_slot(monkeypatch):
    monkeypatch.setattr(W, "ABANDON_S", 0.2)
    slots = TrainingSlots(1)
    trainer = Trainer(CFG.replace(epochs=10_000))
    w = make(trainer, slots)
    w.speed = 20.0
    w.play()
    wait_until(lambda: not w.playing)
    assert slots.active == 0 and trainer.current_epoch < 10_000


def test_a_race_worker_steps_all_lanes_in_lockstep():
    race = Race(RaceConfig.of(CFG.replace(epochs=6), [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "adam"}]))
    w = make(race)
    w.speed = math.inf
    w.play()
    wait_until(lambda: race.done and not w.playing)
    frames, points, _ = w.collect()
    assert len(frames) == len(points) == 2
    assert [p[0] for p in points[0]] == [p[0] for p in points[1]] == list(range(1, 7))
    assert frames[0][-1]["patches"] != frames[1][-1]["patches"]


@pytest.mark.parametrize("speed", [5.0, 40.0])
def test_the_speed_paces_epochs_not_wall_time_budgets(speed):
    """At a finite speed the worker never runs ahead: owed epochs are capped to a quarter second's worth."""
    trainer = Trainer(CFG.replace(epochs=10_000, batch_size=0))
    w = make(trainer)
    w.speed = speed
    w.play()
    time.sleep(0.5)
    w.pause()
    assert trainer.current_epoch <= speed * 0.5 + max(2.0, speed * 0.25) + 1


def test_a_late_tick_never_undoes_a_pause(monkeypatch):
    # Regression (issue #17 item 9): a tick that started before a Pause click restarted the worker
    # (it took the stopped worker for one that had stopped itself), so epochs kept rising after Pause.
    monkeypatch.setattr(W, "ABANDON_S", 0.2)
    trainer = Trainer(CFG.replace(epochs=10_000))
    w = make(trainer)
    w.speed = 20.0
    w.play()
    wait_until(lambda: trainer.current_epoch >= 1)
    w.pause()
    w.resume()  # what the late tick does
    assert not w.playing
    stopped = trainer.current_epoch
    time.sleep(0.3)
    assert trainer.current_epoch == stopped
    w.play()
    wait_until(lambda: not w.playing)  # nobody collects: it stops itself...
    w.resume()  # ...and the next tick takes it on again
    assert w.playing
    w.pause()


def test_at_a_speed_up_to_max_fps_every_epoch_gets_a_frame_even_in_long_bursts():
    """Paced at 60 epochs/s, a loop that wakes late trains the epochs it owes back to back: each still gets a frame."""
    w = make(Trainer(CFG))
    assert w.speed <= w.max_fps
    t0 = w._credit_at
    bursts = [w._frame_due(t0 + k / 10 + d / 1000) for k in range(1, 11) for d in range(6)]  # 6 at once, 10 a second
    assert all(bursts)
    w.speed = 2 * w.max_fps
    burst = [w._frame_due(t0 + 1.1 + d / 1000) for d in range(2 * int(W.FRAME_BURST))]
    assert not all(burst) and sum(burst) >= W.FRAME_BURST  # above max_fps the bucket thins them, after its burst


def test_epochs_in_bursts_each_get_a_frame_up_to_max_fps_and_are_thinned_evenly_above():
    """Frames are owed at max_fps (a token bucket): a pair of epochs trained back to back both get one."""
    w = make(Trainer(CFG))
    t0 = w._credit_at
    pairs = [w._frame_due(t0 + k / 30 + d) for k in range(1, 61) for d in (0.0, 0.002)]  # 60 epochs/s, in pairs
    assert all(pairs)
    w = make(Trainer(CFG))
    w.speed = math.inf  # "max": 120 epochs/s get every other one
    t0 = w._credit_at
    fast = [w._frame_due(t0 + k / 120) for k in range(1, 241)]
    assert sum(fast) == pytest.approx(120 + W.FRAME_BURST, abs=1)
    assert all(a or b for a, b in zip(fast[10::2], fast[11::2], strict=True))  # no two frames missed in a row


def test_a_playback_that_waits_for_the_page_trains_from_its_first_poll_or_after_the_wait(monkeypatch):
    """With the live feed, Play trains from the page's first poll: epochs made through the Play rerun reached the
    page all at once (~40 at speed 60), a backlog the painter could only skip or lag behind."""
    trainer = Trainer(CFG.replace(epochs=10_000))
    w = make(trainer)
    w.speed = math.inf
    w.play(wait_for_page=True)
    time.sleep(0.3)
    assert trainer.current_epoch == 0 and w.playing  # waiting, not stopped
    w.page_ready()
    wait_until(lambda: trainer.current_epoch > 0)
    w.pause()
    w.play(wait_for_page=False)  # the ticks carry the data (no feed): no wait
    wait_until(lambda: trainer.current_epoch > 5)
    w.pause()
    monkeypatch.setattr(W, "PAGE_WAIT_S", 0.2)  # a page that never polls (its feed failed) still trains
    before = trainer.current_epoch
    w.play(wait_for_page=True)
    wait_until(lambda: trainer.current_epoch > before)
    w.pause()

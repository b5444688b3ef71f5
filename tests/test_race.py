"""Race: shared start, shared batch order, lockstep epochs, lone divergence, URL round trip."""

import numpy as np
import pytest
import torch

from playground.config import MAX_LANES, RunConfig
from playground.presets import COMPARISONS
from playground.race import Race
from playground.race_config import RaceConfig

BASE = RunConfig(dataset="moons", n_points=120, epochs=12)
OPTIMIZERS = [{"optimizer": "sgd", "lr": 0.1}, {"optimizer": "momentum", "lr": 0.03},
              {"optimizer": "rmsprop", "lr": 0.01}, {"optimizer": "adam", "lr": 0.01}]


@pytest.mark.parametrize("extra", [{}, {"dropout": 0.3}, {"activation": "tanh"}, {"dataset": "blobs"},
                                   {"batch_size": 0}])
def test_identical_lanes_give_bit_identical_histories(extra):
    race = Race(RaceConfig.of(BASE.replace(**extra), [{"optimizer": "adam"}] * 3))
    assert len(race.groups) == 1  # the batched path is the one under test
    race.run()
    first = race.trainers[0].history
    for other in race.trainers[1:]:
        for column in ("train_loss", "val_loss", "val_score", "grad_norm"):
            assert np.array_equal(first.column(column), other.history.column(column)), column


def test_lanes_that_differ_only_in_optimizer_start_from_equal_weights():
    race = Race(RaceConfig.of(BASE, OPTIMIZERS))
    first = race.trainers[0].params
    for t in race.trainers[1:]:
        assert all(torch.equal(a, b) for a, b in zip(first, t.params, strict=True))
    race.epoch()
    assert not torch.equal(race.trainers[0].params[0], race.trainers[3].params[0])


def test_batch_norm_lanes_share_every_common_parameter():
    race = Race(RaceConfig.of(BASE, [{"batch_norm": False}, {"batch_norm": True}]))
    plain = [m for m in race.trainers[0].model if isinstance(m, torch.nn.Linear)]
    normed = [m for m in race.trainers[1].model if isinstance(m, torch.nn.Linear)]
    assert all(torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
               for a, b in zip(plain, normed, strict=True))


def test_equal_batch_sizes_see_the_same_batches_at_every_step(monkeypatch):
    race = Race(RaceConfig.of(BASE, [*OPTIMIZERS[:2], {"optimizer": "adam", "batch_size": 16}]))
    seen: dict[int, list] = {id(t): [] for t in race.trainers}

    def spy(t, original):
        def next_batch(fetch=True):
            out = original(fetch)
            seen[id(t)].append((t.current_epoch, t._order.tolist() if t._order is not None else None, t._pos))
            return out
        return next_batch

    for t in race.trainers:
        monkeypatch.setattr(t, "next_batch", spy(t, t.next_batch))
    race.run(3)
    a, b, c = (seen[id(t)] for t in race.trainers)
    assert a == b and len(a) == 3 * race.trainers[0].steps_per_epoch
    assert len(c) == 3 * race.trainers[2].steps_per_epoch and c != a


def test_a_diverging_lane_stops_alone_while_the_others_improve():
    race = Race(RaceConfig.of(RunConfig(epochs=40), [{"optimizer": "sgd", "lr": 10.0}, *OPTIMIZERS[1:]]))
    race.run()
    board = race.leaderboard()
    assert board["status"].iloc[0] == "diverged" and board["epoch"].iloc[0] < 40
    assert list(board["status"].iloc[1:]) == ["finished"] * 3
    for t in race.trainers[1:]:
        loss = t.history.column("train_loss")
        assert loss[-1] < 0.5 * loss[0]


def test_leaderboard_has_a_row_per_lane_named_by_what_differs():
    race = Race(RaceConfig.of(BASE, OPTIMIZERS))
    race.run(2)
    board = race.leaderboard()
    assert list(board.index) == ["SGD lr=0.1", "SGD + momentum lr=0.03", "RMSprop lr=0.01", "Adam lr=0.01"]
    assert {"epoch", "train loss", "val loss", "val accuracy", "best epoch", "ms / epoch", "status"} <= set(board)


def test_race_config_round_trips_through_the_url():
    rcfg = RaceConfig.of(BASE.replace(seed=7), [{"optimizer": "adam", "weight_decay": 0.1},
                                                {"optimizer": "adamw", "weight_decay": 0.1, "betas": (0.8, 0.9)}])
    back, warnings = RaceConfig.from_query(rcfg.to_query())
    assert back == rcfg and warnings == []


def test_bad_lane_params_fall_back_with_warnings():
    params = {"lane1": "optimizer:lbfgs;lr:abc", "lane2": "dataset:iris;lr:0.1", "lane3": "batch_size:-4"}
    rcfg, warnings = RaceConfig.from_query({**params, **{f"lane{k}": "lr:0.1" for k in range(4, 8)}})
    assert len(rcfg.lanes) == MAX_LANES
    text = "\n".join(warnings)
    assert "lane1: 'optimizer=lbfgs' is not one of" in text and "lane1: 'lr=abc' is not valid" in text
    assert "lane2: 'dataset' cannot differ between lanes" in text
    assert "clamped to 0" in text and f"at most {MAX_LANES} lanes" in text
    assert RaceConfig.from_query({"lane1": "lr:0.1"})[0].lanes == RaceConfig.from_query({})[0].lanes


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_every_ready_made_comparison_runs(name):
    comp = COMPARISONS[name]
    race = Race(RaceConfig.of(comp.base.replace(epochs=2, n_points=60), list(comp.lanes)))
    race.run()
    assert len(race.leaderboard()) == len(comp.lanes) and race.current_epoch == 2

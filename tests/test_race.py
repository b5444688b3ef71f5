"""Race: shared start, shared batch order, lockstep epochs, lone divergence, URL round trip."""

import numpy as np
import pandas as pd
import pytest
import torch

from playground.config import MAX_LANES, RunConfig
from playground.engine.race import Race
from playground.figures.leaderboard import BEST_STYLE, BROKEN_STYLE, best_cells, cell_styles, styled_leaderboard
from playground.lessons import COMPARISONS
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
        def next_indices():
            out = original()
            seen[id(t)].append((t.current_epoch, None if out is None else out.tolist(), t.schedule.pos))
            return out
        return next_indices

    for t in race.trainers:
        monkeypatch.setattr(t.schedule, "next", spy(t, t.schedule.next))
    race.run(3)
    a, b, c = (seen[id(t)] for t in race.trainers)
    assert a == b and len(a) == 3 * race.trainers[0].steps_per_epoch
    assert len(c) == 3 * race.trainers[2].steps_per_epoch and c != a


def test_a_stalled_lane_stops_alone_while_the_others_improve():
    # SGD at lr 10 kills its ReLU units; it shares the stacked batched pass with the other three.
    race = Race(RaceConfig.of(RunConfig(epochs=40), [{"optimizer": "sgd", "lr": 10.0}, *OPTIMIZERS[1:]]))
    assert len(race.groups) == 1
    race.run()
    board = race.leaderboard()
    assert board["status"].iloc[0] == "stalled" and board["epoch"].iloc[0] < 40
    assert "stalled at epoch" in race.trainers[0].message
    assert list(board["status"].iloc[1:]) == ["finished"] * 3 and list(board["epoch"].iloc[1:]) == [40] * 3
    for t in race.trainers[1:]:
        loss = t.history.column("train_loss")
        assert loss[-1] < 0.5 * loss[0]


def test_a_diverging_lane_stops_alone():
    race = Race(RaceConfig.of(RunConfig(dataset="sine", optimizer="sgd", epochs=10), [{"lr": 10.0}, {"lr": 0.1}]))
    race.run()
    assert [t.status for t in race.trainers] == ["diverged", "finished"]
    assert race.trainers[0].current_epoch < 5 and race.trainers[1].current_epoch == 10


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


def test_every_lane_records_each_layers_weight_norm_per_epoch():
    """Stacked lanes read their norms from the stacked weights; a lone lane from its own model."""
    race = Race(RaceConfig.of(BASE.replace(epochs=3), [{"optimizer": "adam"}, {"optimizer": "adamw",
                "weight_decay": 0.5}, {"optimizer": "sgd", "batch_size": 0}]))
    assert len(race.groups) == 2
    race.run()
    for t in race.trainers:
        linears = [m for m in t.model if isinstance(m, torch.nn.Linear)]
        columns = t.history.weight_norm_columns
        assert columns == ("weight_norm_1", "weight_norm_2", "weight_norm_3")
        assert len(t.history.column(columns[0])) == 3
        now = [t.history.last(c) for c in columns]
        assert np.allclose(now, [float(torch.linalg.vector_norm(m.weight.detach())) for m in linears], rtol=1e-5)
    assert race.trainers[1].history.last("weight_norm_1") < race.trainers[0].history.last("weight_norm_1")


def test_leaderboard_never_highlights_a_diverged_or_stalled_lane():
    board = pd.DataFrame({"lane": ["Adam", "AdamW", "SGD", "RMSprop"], "epoch": [40, 40, 21, 3],
                          "train loss": [0.2, 0.3, 0.6931, float("nan")], "val loss": [0.3, 0.25, 0.6931, 0.1],
                          "val accuracy": [0.9, 0.92, 0.5, 0.95], "best epoch": [38, 40, 1, 1],
                          "ms / epoch": [2.0, 2.5, 0.5, 0.1],
                          "status": ["finished", "finished", "stalled", "diverged"]}).set_index("lane")
    best = best_cells(board)
    assert not best.loc[["SGD", "RMSprop"]].to_numpy().any()
    assert best.loc["Adam", "train loss"] and best.loc["AdamW", "val loss"] and best.loc["AdamW", "val accuracy"]
    assert best.loc["Adam", "ms / epoch"]
    styles = cell_styles(board)
    green = [tuple(k) for k in np.argwhere(styles == BEST_STYLE)]
    red = [tuple(k) for k in np.argwhere(styles == BROKEN_STYLE)]
    status = list(board.columns).index("status")
    assert len(green) == 4 and all(r in (0, 1) for r, _ in green)
    assert red == [(2, status), (3, status)]  # the broken lanes show their status in red
    assert "#f8d7da" in styled_leaderboard(board).to_html()
    # With one healthy lane left there is nothing to compare: no highlight at all.
    assert not best_cells(board.loc[["Adam", "SGD", "RMSprop"]]).to_numpy().any()


def test_a_race_with_a_stalled_lane_highlights_only_the_healthy_ones():
    race = Race(RaceConfig.of(RunConfig(epochs=30), [{"optimizer": "sgd", "lr": 10.0}, *OPTIMIZERS[1:]]))
    race.run()
    board = race.leaderboard()
    assert board["status"].iloc[0] == "stalled"
    assert not best_cells(board).iloc[0].any() and best_cells(board).iloc[1:].to_numpy().any()

"""Random search: pairs drawn by Ray Tune's samplers from the axes' ranges, reproducible from the config's seed."""

from __future__ import annotations

import numpy as np
import pytest

from playground import links
from playground.catalog import SWEEP_METRICS
from playground.config import MAX_SWEEP_TRIALS, RunConfig
from playground.fields import Invalid
from playground.figures.sweep import sample_at, sample_axis, scatter_spec
from playground.sweeps import results
from playground.sweeps.config import SweepConfig, axis_space, draws, plan, problem

RANDOM = SweepConfig(x="lr", x_values="1e-4:1:log", y="batch_size", y_values="1,8,32,0", search="random",
                     samples=40)


def test_draws_are_reproducible_from_init_seed_and_inside_their_axes():
    base = RunConfig()
    pairs = draws(RANDOM, base)
    assert len(pairs) == 40 and pairs == draws(RANDOM, base)  # the same link draws the same pairs
    assert pairs != draws(RANDOM, base.replace(init_seed=base.init_seed + 1))
    lrs, batches = zip(*pairs, strict=True)
    assert all(1e-4 <= lr <= 1 for lr in lrs) and set(batches) <= {1, 8, 32, 0}
    assert len(set(batches)) == 4  # 40 draws among 4 values: each came up
    assert all(float(f"{lr:.4g}") == lr for lr in lrs)  # 4 significant digits: a short, exact URL


def test_a_log_range_is_drawn_log_uniformly_and_an_integer_range_as_integers():
    many = SweepConfig(x="lr", x_values="1e-4:1:log:5", y="batch_size", y_values="1:256:log", search="random",
                       samples=MAX_SWEEP_TRIALS)
    lrs, batches = (np.array(c) for c in zip(*draws(many, RunConfig()), strict=True))
    # Log-uniform over 4 decades: about a quarter per decade (uniform would put 99 % in the top one).
    per_decade = np.histogram(np.log10(lrs), bins=[-4, -3, -2, -1, 0])[0] / len(lrs)
    assert per_decade.min() > 0.15, per_decade
    assert batches.dtype.kind == "i" and batches.min() >= 1 and batches.max() <= 256
    assert np.mean(batches < 16) > 0.35  # log-uniform over 1..256: half below 16; uniform would give 6 %
    lin = SweepConfig(x="dropout", x_values="0.1:0.5", y="lr", y_values="0.01,0.1", search="random", samples=64)
    drops = np.array([d for d, _ in draws(lin, RunConfig())])
    assert drops.min() >= 0.1 and drops.max() <= 0.5 and abs(np.mean(drops < 0.3) - 0.5) < 0.2


@pytest.mark.parametrize("name, text, words", [("lr", "1:0.1:log", "below its hi"), ("dropout", "0:0.5:log", "above 0"),
                                               ("lr", "1e-9:1:log", "below the minimum"), ("lr", "a:b", "not valid"),
                                               ("optimizer", "1:2", "numeric setting")])
def test_bad_random_axes_are_refused_with_the_rule_they_break(name, text, words):
    scfg = SweepConfig(x=name, x_values=text, y="batch_size", search="random")
    with pytest.raises(Invalid, match=words):
        axis_space("x", scfg)
    assert words in (problem(scfg, RunConfig()) or "")


def test_a_random_plan_has_samples_times_seeds_times_optimizers_with_the_same_pairs_per_optimizer():
    scfg = SweepConfig(x="lr", x_values="1e-3:0.1:log", y="dropout", y_values="0:0.5", search="random",
                       samples=5, seeds=2, compare="sgd")
    trials = plan(scfg, RunConfig(optimizer="adam"))
    assert len(trials) == 5 * 2 * 2 and [t.index for t in trials] == list(range(20))
    adam = [(t.cfg.lr, t.cfg.dropout) for t in trials if t.optimizer == "adam" and t.seed == 0]
    sgd = [(t.cfg.lr, t.cfg.dropout) for t in trials if t.optimizer == "sgd" and t.seed == 0]
    assert adam == sgd and len(set(adam)) == 5
    assert {(t.ix, t.iy) for t in trials} == {(k, 0) for k in range(5)}  # one row of samples
    too_many = SweepConfig(x="lr", y="batch_size", search="random", samples=200, seeds=2)
    assert "200 samples × 2 seeds × 1 optimizers is 400 trials" in problem(too_many, RunConfig())


def test_random_search_round_trips_through_the_link():
    state = links.PageState(RunConfig(), links.SWEEP, sweep=RANDOM)
    query = links.to_query(state)
    assert query["search"] == "random" and query["samples"] == "40"
    back, problems = links.parse(query)
    assert not problems and back.sweep == RANDOM
    _, problems = links.parse({**query, "search": "bogus", "samples": "0"})
    assert any("search" in p for p in problems) and any("samples" in p for p in problems)


def test_the_samples_chart_places_each_pair_and_a_click_opens_the_nearest():
    space_x, space_y = axis_space("x", RANDOM), axis_space("y", RANDOM)
    px, x_axis, x_span = sample_axis(space_x, [1e-4, 1e-2, 1.0])
    assert px.tolist() == [-4, -2, 0] and x_axis["tickvals"] == [-4, -3, -2, -1, 0]
    assert x_axis["ticktext"][0] == "1e-04" and x_span[0] < -4 and x_span[1] > 0
    py, y_axis, y_span = sample_axis(space_y, [8, 0, 1])
    assert py.tolist() == [1, 3, 0] and y_axis["ticktext"] == ["1 (stochastic)", "8", "32", "full"]
    assert sample_at({"x": -2.05, "y": 3.1}, px, py, x_span, y_span) == 1
    assert sample_at({"x": -3.0, "y": 2.0}, px, py, x_span, y_span) is None  # empty space opens nothing
    assert sample_at({"x": "nan?"}, px, py, x_span, y_span) is None
    z, done = np.array([np.log10(0.3), np.nan, np.nan]), np.array([True, True, False])
    spec = scatter_spec(px, py, z, done, ["lr 1e-04 · batch 8: 0.3", "diverged", "running or queued"],
                        x_axis=x_axis, y_axis=y_axis, heading="Adam: final validation loss",
                        metric=SWEEP_METRICS["val_loss"], zrange=(-1.0, 0.0), height=400)
    pending, gone, finished = spec["data"]
    assert pending["x"] == [0] and pending["marker"]["symbol"] == "circle-open"
    assert gone["x"] == [-2] and gone["marker"]["symbol"] == "x" and gone["customdata"] == ["diverged"]
    assert finished["x"] == [-4] and finished["marker"]["color"] == pytest.approx([np.log10(0.3)])


def test_a_random_searchs_results_read_per_sample():
    scfg = SweepConfig(x="lr", x_values="1e-3:0.1:log", y="dropout", y_values="0:0.5", search="random",
                       samples=3, seeds=2)
    trials = plan(scfg, RunConfig())
    finished = {0: {"val_loss": 0.2, "status": "finished"}, 1: {"val_loss": 0.4, "status": "finished"},
                2: {"val_loss": float("nan"), "status": "diverged"}}
    g = results.grid(trials, finished, scfg, "adam")
    assert g.mean.shape == (1, 3) and g.mean[0, 0] == pytest.approx(0.3) and g.done[0].tolist() == [2, 1, 0]
    assert g.notes[0][1] == "diverged" and g.notes[0][2] == ""

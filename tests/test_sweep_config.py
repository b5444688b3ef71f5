"""Sweeps without Ray: the search space from field metadata, trials, links, results, the board, the CLI's words."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground import links
from playground.catalog import MODES, SWEEP_METRICS
from playground.cli import main
from playground.config import FIELDS, MAX_GRID, MAX_SWEEP_TRIALS, RunConfig
from playground.fields import Invalid
from playground.figures.sweep import cell_at, colour_values, heatmap_spec
from playground.sweeps import results
from playground.sweeps.axes import SWEEPABLE, axis_values, default_axis
from playground.sweeps.board import SweepBoard
from playground.sweeps.config import CPUS_ENV, SWEEP_KEYS, SweepConfig, plan, problem, server_cpus


def test_the_search_space_comes_from_each_settings_metadata():
    assert default_axis("optimizer").split(",") == list(FIELDS["optimizer"].metadata["choices"])
    assert default_axis("nesterov") == "0,1" and axis_values("nesterov", "0,1") == (False, True)
    assert axis_values("dropout", default_axis("dropout")) == (0.0, 0.3, 0.6, 0.9)  # its own 0-0.9 range
    assert axis_values("n_points", default_axis("n_points"))[0] == 10  # lo 10, hi 2000, log-spaced
    assert "csv" not in default_axis("dataset") and len(axis_values("dataset", default_axis("dataset"))) == MAX_GRID
    assert axis_values("lr", "1e-4:1:log:5") == (1e-4, 1e-3, 1e-2, 0.1, 1.0)
    assert axis_values("batch_size", "1:256:log:5") == (1, 4, 16, 64, 256)
    assert axis_values("batch_size", "1,8,32,0") == (1, 8, 32, 0)
    assert axis_values("activation", "tanh, relu") == ("tanh", "relu")
    assert set(SWEEPABLE).isdisjoint({"hidden", "betas", "device", "epochs"})


def test_every_metric_is_measured_by_a_trial():
    from playground.engine.train import Trainer
    from playground.sweeps import cell

    trainer = Trainer(RunConfig(n_points=40, epochs=3, patience=0))
    trainer.run()
    got = cell.measure(trainer, target=10.0)
    assert set(SWEEP_METRICS) <= set(got) and got["epochs_to_target"] == 1.0 and got["epochs"] == 3
    assert got["val_loss"] == trainer.history.last("val_loss") and 0 <= got["val_accuracy"] <= 1
    assert got["best_val_loss"] == min(trainer.history.column("val_loss"))
    assert math.isnan(cell.measure(trainer, target=1e-6)["epochs_to_target"])


@pytest.mark.parametrize(("name", "text", "words"), [
    ("lr", "20,0.1", "above the limit 10.0"),  # the field's own hi
    ("lr", "1e-4:1:log:9", f"1 to {MAX_GRID} values"),
    ("lr", ",".join(str(0.01 * k) for k in range(1, MAX_GRID + 2)), f"at most {MAX_GRID}"),
    ("lr", "0:1:log:3", "above 0"),
    ("lr", "0.1,0.1", "listed twice"),
    ("lr", "banana", "not valid"),
    ("lr", "0.1:1:abc", "with numbers"),  # was an uncaught ValueError: Streamlit's error box
    ("lr", "0.1:x:3", "with numbers"),
    ("lr", "", "no values"),
    ("optimizer", "adam,lion", "not one of"),
    ("optimizer", "a:b:3", "numeric setting"),
    ("batch_size", "1:4:log:8", "listed twice"),  # rounding made duplicates
    ("hidden", "8,16", "cannot be swept"),
])
def test_bad_axes_are_refused_with_the_rule_they_break(name, text, words):
    with pytest.raises(Invalid, match=words):
        axis_values(name, text)


def test_a_plan_has_one_trial_per_cell_seed_and_optimizer():
    base = RunConfig(n_points=60, init_seed=3)
    scfg = SweepConfig(x_values="0.01,0.1,1", y_values="8,0", seeds=2, compare="sgd", trial_epochs=7)
    trials = plan(scfg, base)
    assert len(trials) == 3 * 2 * 2 * 2 and [t.index for t in trials] == list(range(len(trials)))
    first = trials[0]
    assert (first.optimizer, first.cfg.lr, first.cfg.batch_size, first.cfg.epochs) == ("adam", 0.01, 8, 7)
    assert {t.cfg.init_seed for t in trials} == {3, 4}
    assert {t.optimizer for t in trials} == {"adam", "sgd"}
    assert all(t.cfg.n_points == 60 for t in trials)  # every other setting is the page's config


def test_problems_are_named():
    base = RunConfig()
    assert problem(SweepConfig(), base) is None
    assert "two different" in problem(SweepConfig(x="lr", y="lr"), base)
    assert "already swept" in problem(SweepConfig(x="optimizer", compare="sgd"), base)
    assert "config's own" in problem(SweepConfig(compare="adam"), base)
    big = SweepConfig(x_values="1e-4:1:log:8", y_values="1:128:log:8", seeds=5)
    assert f"at most {MAX_SWEEP_TRIALS}" in problem(big, base)
    assert "built-in datasets" in problem(SweepConfig(), RunConfig(dataset="csv"))


def test_sweep_links_round_trip_and_fall_back():
    scfg = SweepConfig(x="dropout", x_values="0,0.5", y="optimizer", y_values="sgd,adam", seeds=2,
                       metric="epochs_to_target", target=0.2)
    page = links.PageState(RunConfig(lr=0.03), links.SWEEP, sweep=scfg)
    assert "sweep" in MODES and set(SWEEP_KEYS).isdisjoint(FIELDS)
    back, warnings = links.parse(links.to_query(page))
    assert warnings == [] and back == page
    short = links.to_query(page, compact=True)
    assert "lr" in short and "x" in short and "metric" in short and "asha" not in short
    assert links.parse(short)[0] == page
    bad, warnings = links.parse({"mode": "sweep", "x": "lr", "y": "lr", "x_values": "1,banana"})
    assert bad.sweep.y != "lr" and bad.sweep.x_values == ""
    assert any("both 'lr'" in w for w in warnings) and any("x_values" in w for w in warnings)
    single, warnings = links.parse({"x": "lr"})
    assert single.mode == "single" and any("mode=sweep" in w for w in warnings)


def _trials_and_results(statuses: list[str], values: list[float], metric="val_loss", seeds=2):
    scfg = SweepConfig(x_values="0.01,0.1", y_values="0", seeds=seeds, metric=metric)
    trials = plan(scfg, RunConfig(n_points=60))
    got = {k: {metric: v, "status": s, "epochs": 5} for k, (s, v) in enumerate(zip(statuses, values, strict=True))}
    return scfg, trials, got


def test_a_grid_averages_the_seeds_and_never_shows_a_diverged_number():
    scfg, trials, got = _trials_and_results(["finished", "finished", "diverged", "finished"], [0.2, 0.4, 1e9, 0.5])
    g = results.grid(trials, got, scfg, "adam")
    assert g.mean[0, 0] == pytest.approx(0.3) and g.spread[0, 0] == pytest.approx(0.1)
    assert g.mean[0, 1] == 0.5 and g.notes[0][1] == "1/2 diverged" and g.notes[0][0] == ""
    assert results.cell_text(g.mean[0, 1], g.spread[0, 1], g.notes[0][1], 2, False) == "0.5 ± 0 (1/2 diverged)"
    scfg, trials, got = _trials_and_results(["diverged", "diverged", "stalled", "finished"], [1e9, math.nan, .7, .6])
    g = results.grid(trials, got, scfg, "adam")
    assert math.isnan(g.mean[0, 0]) and g.notes[0][0] == "diverged"
    assert g.mean[0, 1] == pytest.approx(0.65) and g.notes[0][1] == "1/2 stalled"  # a stalled loss is real
    frame = results.table(trials, got, scfg)
    assert list(frame["status"]) == ["diverged", "diverged", "stalled", "finished"] and "init_seed" in frame


def test_epochs_to_target_says_not_reached():
    scfg, trials, got = _trials_and_results(["finished", "finished"], [math.nan, 12.0], "epochs_to_target", seeds=1)
    g = results.grid(trials, got, scfg, "adam")
    assert g.notes[0][0] == "not reached" and g.mean[0, 1] == 12.0
    assert results.cell_text(g.mean[0, 1], 0.0, "", 1, True) == "12"


def test_the_heatmap_shares_one_colour_range_and_maps_clicks_to_cells():
    loss = SWEEP_METRICS["val_loss"]
    (a, b), (lo, hi) = colour_values([np.array([[0.01, np.nan]]), np.array([[1.0, 10.0]])], loss)
    assert (lo, hi) == (-2.0, 1.0) and math.isnan(a[0, 1]) and b[0, 1] == 1.0  # log10 of a loss
    spec = heatmap_spec(a, [["0.01", ""]], x_ticks=["a", "b"], y_ticks=["<b>y</b>"], x_name="lr", y_name="y",
                        heading="Adam", metric=loss, zrange=(lo, hi), height=300)
    assert spec["data"][0]["type"] == "heatmap" and spec["layout"]["yaxis"]["ticktext"] == ["&lt;b&gt;y&lt;/b&gt;"]
    assert [n["text"] for n in spec["layout"]["annotations"]] == ["0.01"]
    assert spec["layout"]["annotations"][0]["font"]["color"] == "#222"  # the best loss: Viridis' yellow end
    worst = heatmap_spec(np.array([[1.0]]), [["10"]], x_ticks=["a"], y_ticks=["b"], x_name="lr", y_name="y",
                         heading="Adam", metric=loss, zrange=(lo, hi), height=300)
    assert worst["layout"]["annotations"][0]["font"]["color"] == "white"  # on the dark purple end
    assert cell_at({"x": 0.8, "y": 0.2, "n": 1}, (1, 2)) == (0, 1)
    assert cell_at({"x": 2.6, "y": 0}, (1, 2)) is None and cell_at({"need": "r"}, (1, 2)) is None
    assert cell_at({"x": "nan", "y": 0}, (1, 2)) is None


class _Run:
    def __init__(self):
        self.cancelled, self.done = False, False

    def cancel(self):
        self.cancelled = True


def test_the_board_cancels_a_sweep_once_its_session_has_been_gone_for_the_grace():
    now = [0.0]
    board = SweepBoard(grace_s=30, clock=lambda: now[0])
    alive = {"s1": True, "s2": True}
    first, second, other = _Run(), _Run(), _Run()
    board.add("v1", "s1", first)
    board.add("v1", "s1", second)
    assert first.cancelled and not second.cancelled  # one sweep per visitor
    board.add("v2", "s2", other)
    board.add("apptest", None, _Run())
    assert board.reap(alive.get) == [] and board.running() == 3
    alive["s1"] = False
    now[0] = 29
    assert board.reap(alive.get) == [] and not second.cancelled  # a blip: not yet
    now[0] = 60
    assert board.reap(alive.get) == ["v1"] and second.cancelled and not other.cancelled
    other.done = True
    board.reap(alive.get)
    assert board.running() == 1
    watched, quick, tabs = SweepBoard(grace_s=0, clock=lambda: now[0]), _Run(), {"t3": True}
    watched.watch(tabs.get, every=3600)  # a session alive when its sweep starts...
    watched.add("v3", "t3", quick)
    tabs["t3"] = False  # ...whose tab closed before the first check
    assert watched.reap(tabs.get) == ["v3"] and quick.cancelled


def test_the_server_setting_turns_sweeps_off_or_caps_them():
    assert server_cpus({CPUS_ENV: "0"}) == 0 and server_cpus({CPUS_ENV: "off"}) == 0
    assert server_cpus({CPUS_ENV: "3"}) == 3
    assert server_cpus({}) >= 1 and server_cpus({CPUS_ENV: "banana"}) == server_cpus({})


@pytest.mark.parametrize(("args", "words"), [
    (["lr=1e-4:1:log:3"], "exactly two"),
    (["lr=1e-4:1:log:3", "batch_size=1,8", "momentum=0,0.9"], "exactly two"),
    (["lr=1e-4:1:log:30", "batch_size=1,8"], "1 to 8 values"),
    (["lr=1e-4:1:log:3", "batch_size=1,8", "epochs=0"], "below the minimum"),
    (["lr=1e-4:1:log:3", "banana=1,8"], "not a setting"),
    (["lr=1e-4:1:log:3", "lr=1,2"], "two different"),
])
def test_the_cli_refuses_bad_sweeps_in_one_line(args, words, capsys):
    assert main(["sweep", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err

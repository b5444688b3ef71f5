"""Tests for playground.plots: boundary, loss and evaluation figures and their JSON payloads."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.config import RunConfig
from playground.engine.history import History
from playground.engine.train import Trainer
from playground.figures.boundary import boundary_figure
from playground.figures.evaluation import confusion_figure, pred_actual_figure, roc_figure
from playground.figures.grid import Boundary
from playground.figures.loss import MAX_EVENT_MARKERS, MAX_LOSS_POINTS, loss_figure
from playground.figures.payload import figure_dict, payload_bytes
from playground.figures.style import HEIGHT
from playground.figures.weights import with_weight_norms

RES = 24


def trained(name: str) -> tuple[Trainer, Boundary]:
    trainer = Trainer(RunConfig(dataset=name, epochs=2))
    trainer.step(1)
    return trainer, Boundary(trainer.data, RES)


def loss_history(n: int, spike_at: int | None = None, noise: float = 0.0) -> History:
    h = History()
    epochs = np.arange(1, n + 1)
    wiggle = np.random.default_rng(0).uniform(0, noise, size=(2, n))
    train = 1.0 / epochs + wiggle[0]
    val = 1.2 / epochs + 0.05 + wiggle[1]
    if spike_at:
        train[spike_at - 1] = 50.0  # one exploding step, as with a too-large learning rate
    for e, t, v in zip(epochs, train, val, strict=True):
        h.append({"epoch": e, "train_loss": t, "val_loss": v})
    return h


# ---- decision boundary -------------------------------------------------------------------------

@pytest.mark.parametrize("name, background", [
    ("moons", "heatmap"), ("blobs", "image"), ("sine", "scatter"), ("plane", "heatmap"), ("iris", "image"),
])
def test_boundary_figure_layers_and_styles(name, background):
    trainer, b = trained(name)
    fig = boundary_figure(b, trainer.data, b.values(trainer), title="epoch 1")
    assert fig.data[0].type == background  # the live chart patches trace 0
    by_name = {t.name: t for t in fig.data}
    train, val = by_name["train"], by_name["validation"]
    assert len(train.x) == len(trainer.data.y_train) and len(val.x) == len(trainer.data.y_val)
    # Validation points are hollow (white fill, coloured ring); training points are filled.
    assert val.marker.color == "white" and val.marker.line.width > train.marker.line.width
    assert not isinstance(train.marker.color, str) or train.marker.color != "white"
    assert fig.layout.uirevision == "boundary" and fig.layout.height == HEIGHT
    assert fig.layout.title.text.startswith("epoch 1")
    d = figure_dict(fig)
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert payload_bytes(d) == len(json.dumps(d, separators=(",", ":")).encode())


def test_binary_heatmap_has_probability_scale_and_points_on_the_plane():
    trainer, b = trained("moons")
    values = b.values(trainer)
    fig = boundary_figure(b, trainer.data, values)
    hm = fig.data[0]
    assert (hm.zmin, hm.zmax) == (0, 1) and hm.colorbar.title.text == "P(class 1)"
    assert list(hm.x) == list(b.xs) and list(hm.y) == list(b.ys)
    np.testing.assert_allclose(np.asarray(hm.z), values, atol=6e-4)  # rounded for payload only
    assert fig.layout.yaxis.scaleanchor == "x"  # equal scales: circles stay round
    assert fig.layout.xaxis.title.text == "x1 (standardized)"
    np.testing.assert_allclose(fig.data[1].x, trainer.data.x_train[:, 0])
    raw, b = trained("tfp_circle")  # TF Playground's sets keep their raw coordinates, and say so
    assert boundary_figure(b, raw.data, b.values(raw)).layout.xaxis.title.text == "x1"


def test_class_image_is_placed_bottom_up():
    trainer, b = trained("blobs")
    fig = boundary_figure(b, trainer.data, b.values(trainer))
    img = fig.data[0]
    # plotly draws image row 0 at y0; the PNG's row 0 is the lowest y, so y0 must be the bottom.
    assert img.x0 == pytest.approx(b.xs[0]) and img.y0 == pytest.approx(b.ys[0]) and img.dy > 0
    lo, hi = fig.layout.yaxis.range
    assert lo < hi and fig.layout.yaxis.autorange in (None, False)  # an image would default to reversed
    assert img.source == b.patch(b.values(trainer))["source"]


def test_projected_figure_is_labelled_pca():
    trainer, b = trained("iris")
    fig = boundary_figure(b, trainer.data, b.values(trainer), title="epoch 1")
    e1, e2 = b.explained
    assert "PCA projection" in fig.layout.title.text and f"{e1 + e2:.0%}" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == f"PC1 ({e1:.0%} var)"
    assert fig.layout.yaxis.title.text == f"PC2 ({e2:.0%} var)"
    np.testing.assert_allclose(fig.data[1].x, b.project(trainer.data.x_train)[:, 0], rtol=1e-5)


def test_regression_points_share_the_heatmap_scale():
    trainer, b = trained("plane")
    fig = boundary_figure(b, trainer.data, b.values(trainer))
    assert fig.data[0].coloraxis == "coloraxis" and fig.data[1].marker.coloraxis == "coloraxis"
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == pytest.approx(b.zrange)
    y = trainer.data.y_train * trainer.data.y_std + trainer.data.y_mean
    np.testing.assert_allclose(fig.data[1].marker.color, y, rtol=1e-5)  # original units, not standardized


def test_curve_figure_without_values_draws_an_empty_line():
    trainer, b = trained("sine")
    fig = boundary_figure(b, trainer.data, None)
    d = figure_dict(fig)
    assert fig.data[0].mode == "lines" and all(v is None for v in d["data"][0]["y"])


# ---- loss curves -------------------------------------------------------------------------------

def test_the_loss_axis_never_reaches_below_zero_even_before_training():
    empty = loss_figure(History())  # plotly's range for no data is -1 to 4: "loss -1" on the projector
    assert empty.layout.yaxis.rangemode == "nonnegative" and loss_figure(loss_history(5)).layout.yaxis.rangemode \
        == "nonnegative"
    assert loss_figure(History(), log_y=True).layout.yaxis.type == "log"  # a log axis has no zero to keep


def test_loss_figure_traces_and_markers():
    h = loss_history(50)
    events = [(10, "lr 0.01 → 0.1"), (40, "stopped early"), (40, "momentum 0.9 → 0.5")]
    fig = loss_figure(h, best_epoch=30, stop_epoch=40, events=events)
    train, val = fig.data
    assert train.name == "train" and train.line.dash is None
    assert val.name == "validation" and val.line.dash == "dash"
    # Each marker is named in a label's hover text (close labels are merged: tests/test_loss_labels.py).
    hover = "<br>".join(a.hovertext for a in fig.layout.annotations).split("<br>")
    assert sorted(hover) == ["epoch 10: lr 0.01 → 0.1", "epoch 30: best", "epoch 40: momentum 0.9 → 0.5",
                             "epoch 40: stopped", "epoch 50: lowest val loss"]
    assert len(fig.layout.shapes) == 5 and all(s.line.dash == "dot" for s in fig.layout.shapes)
    # Where validation loss bottomed out is marked once, even when it is also the best epoch.
    notes = {a.text: a.x for a in loss_figure(h, best_epoch=50).layout.annotations}
    assert notes == {"lowest val loss": 50}
    assert fig.layout.uirevision == "loss" and fig.layout.yaxis.type == "linear"


def test_loss_figure_log_axis_guards_non_positive_values():
    h = History()
    for e, loss in enumerate([1.0, 0.0, -1.0, math.inf, 0.5], start=1):
        h.append({"epoch": e, "train_loss": loss})
    fig = loss_figure(h, log_y=True)
    assert fig.layout.yaxis.type == "log" and len(fig.data) == 1  # no val split, no val trace
    assert figure_dict(fig)["data"][0]["y"] == [1.0, None, None, None, 0.5]


def test_loss_figure_downsamples_long_runs_but_keeps_the_end_and_spikes():
    fig = loss_figure(loss_history(10_000, spike_at=4321, noise=0.01))
    x = np.asarray(fig.data[0].x)
    assert 1500 < len(x) <= MAX_LOSS_POINTS and x[0] == 1 and x[-1] == 10_000
    assert 4321 in x and np.all(np.diff(x) > 0)  # the spike survives; a fixed stride would miss it
    y = np.asarray(fig.data[0].y, dtype=np.float64)
    assert np.allclose(y.astype(np.float32), y, rtol=1e-6) and list(fig.data[1].x) == list(x)  # float32 precision
    smooth = loss_figure(loss_history(10_001)).data[0].x  # monotone: bucket ends suffice
    assert 400 < len(smooth) <= MAX_LOSS_POINTS and smooth[-1] == 10_001
    assert len(loss_figure(loss_history(300)).data[0].x) == 300  # short runs are drawn in full


def test_many_events_are_capped_to_the_newest():
    events = [(e, f"lr {e}") for e in range(1, 101)]
    fig = loss_figure(loss_history(100), events=events)
    xs = sorted(s.x0 for s in fig.layout.shapes if s.line.color != "#2ca02c")  # not the lowest val loss line
    assert len(xs) == MAX_EVENT_MARKERS and xs[-1] == 100


# ---- evaluation --------------------------------------------------------------------------------

def test_confusion_figure_rows_are_true_classes():
    cm = np.array([[5, 1, 0], [2, 7, 0], [0, 0, 9]])
    fig = confusion_figure(cm, ("a", "b", "c"))
    hm = fig.data[0]
    np.testing.assert_array_equal(np.asarray(hm.z), cm)
    assert list(hm.y) == ["a", "b", "c"] and fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "predicted class" and hm.texttemplate == "%{z}"


def test_roc_and_pred_actual_have_reference_lines():
    roc = roc_figure(np.array([0, 0.2, 1]), np.array([0, 0.8, 1]), 0.8)
    assert list(roc.data[0].x) == [0, 1] and list(roc.data[0].y) == [0, 1]
    assert "0.800" in roc.layout.title.text
    assert "n/a" in roc_figure(np.array([0, 1]), np.array([0, 1]), math.nan).layout.title.text
    pa = pred_actual_figure(np.array([1.0, 2.0, 3.0]), np.array([1.5, np.nan, 4.0]))
    assert list(pa.data[0].x) == [1.0, 4.0] == list(pa.data[0].y)  # y = x over both ranges
    assert len(pa.data[1].x) == 2  # the non-finite prediction is dropped


# ---- payloads ----------------------------------------------------------------------------------

def test_figure_dict_is_plain_json_at_float32_precision():
    fig = go.Figure(go.Heatmap(z=np.array([[0.1, np.nan], [1 / 3, 2.0]]), x=np.array([1, 2])))
    fig.add_trace(go.Scatter(x=[0.5, math.inf], y=np.array([1, 2], dtype=np.int8)))
    d = figure_dict(fig)
    assert d["data"][0]["z"] == [[0.1, None], [0.33333334, 2.0]]
    assert d["data"][0]["x"] == [1, 2] and d["data"][1]["x"] == [0.5, None] and d["data"][1]["y"] == [1, 2]
    json.dumps(d, allow_nan=False)
    slim = figure_dict(fig, template=False)
    assert "template" in d["layout"] and "template" not in slim["layout"]
    assert payload_bytes(slim) < payload_bytes(d)


def test_race_loss_figure_shows_each_lanes_layer_norms_in_a_panel_beside_the_loss():
    from playground.engine.race import Race
    from playground.figures.loss import race_loss_spec
    from playground.race_config import RaceConfig

    race = Race(RaceConfig.of(RunConfig(n_points=60, epochs=4), [{"optimizer": "adam"}, {"optimizer": "sgd"}]))
    race.run()
    spec = with_weight_norms(race_loss_spec(race.trainers, race.labels), race.trainers, race.labels, height=500)
    norms = [t for t in spec["data"] if t.get("yaxis") == "y2"]
    assert len(norms) == 2 * 3 and spec["layout"]["height"] == 500
    assert [t["name"] for t in norms[:3]] == [f"{race.labels[0]} · {k} ‖W‖" for k in ("layer 1", "layer 2", "output")]
    assert np.allclose(norms[0]["y"], race.trainers[0].history.column("weight_norm_1"), rtol=1e-6)
    assert len({t["line"]["color"] for t in norms}) == 2 and len({t["line"]["dash"] for t in norms}) == 3
    layout = spec["layout"]
    assert layout["xaxis2"]["domain"][0] > layout["xaxis"]["domain"][1]  # beside the loss, on its own x axis
    assert all(t["xaxis"] == "x2" for t in norms) and layout["yaxis2"]["anchor"] == "x2"
    vals = [t for t in spec["data"] if t["name"].endswith(" · val")]
    assert vals and all(t["showlegend"] is False for t in vals)  # one legend entry per lane: its train line
    go.Figure(spec)  # plotly accepts it

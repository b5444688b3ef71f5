"""Optimizer internals: per-layer gradient norms, update ratios and step sizes, their figure, points and panel."""

from __future__ import annotations

import math
import time

import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from torch import nn

from playground.config import RunConfig
from playground.engine.history import History
from playground.engine.internals import Internals
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.figures.internals import QUANTITIES, internals_points, internals_spec, layer_labels
from playground.race_config import RaceConfig
from tests.apptest import launch, runner, ui

SMALL = RunConfig(dataset="moons", n_points=60, val_frac=0.2, epochs=4, batch_size=16, activation="tanh")
STEPS = ("step_p10", "step_p50", "step_p90")
QUANTILES = (0.1, 0.5, 0.9)


def per_layer(row: dict, prefix: str, n: int) -> list[float]:
    return [row[f"{prefix}{k}"] for k in range(1, n + 1)]


def hand_step_sizes(opt: torch.optim.Optimizer, params: list[torch.Tensor]) -> np.ndarray:
    """lr / (sqrt(v̂) + eps) of every parameter, in numpy from the optimizer's state."""
    group = opt.param_groups[0]
    sizes = []
    for p in params:
        s = opt.state[p]
        if "exp_avg_sq" in s:
            t = float(s["step"])
            v = s["exp_avg_sq"].double().numpy() / (1 - group["betas"][1] ** t)
        else:
            v = s["square_avg" if "square_avg" in s else "sum"].double().numpy()
        sizes.append((group["lr"] / (np.sqrt(v) + group["eps"])).ravel())
    return np.concatenate(sizes)


@pytest.mark.parametrize("name", ["adam", "adamw", "nadam", "rmsprop", "adagrad", "sgd"])
def test_plain_torch_steps_give_the_recorded_norms_ratios_and_step_quantiles(name):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 1))
    params = list(model.parameters())
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "nadam": torch.optim.NAdam,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad, "sgd": torch.optim.SGD}[name]
    opt = cls(params, lr=0.05)
    internals = Internals(weights, params, opt)
    x, y = torch.randn(24, 2), torch.randn(24, 1)
    prev = [w.detach().clone() for w in weights]
    for _epoch in range(3):
        for s in range(3):  # three steps an epoch
            opt.zero_grad()
            nn.functional.mse_loss(model(x[8 * s:8 * s + 8]), y[8 * s:8 * s + 8]).backward()
            opt.step()
        row = internals.record()
        grads = [float(torch.linalg.vector_norm(w.grad)) for w in weights]
        ratios = [float(torch.linalg.vector_norm(w.detach() - p) / torch.linalg.vector_norm(p))
                  for w, p in zip(weights, prev, strict=True)]
        total = math.sqrt(sum(float(p.grad.pow(2).sum()) for p in params))
        assert np.allclose(per_layer(row, "grad_norm_", 3), grads, rtol=1e-6)
        assert np.allclose(per_layer(row, "update_ratio_", 3), ratios, rtol=1e-5)
        assert np.allclose(per_layer(row, "weight_norm_", 3), [float(w.detach().norm()) for w in weights], rtol=1e-6)
        assert row["grad_norm"] == pytest.approx(total, rel=1e-6)
        if name == "sgd":
            assert not internals.adaptive and not set(STEPS) & set(row)
        else:
            expected = np.quantile(hand_step_sizes(opt, params), QUANTILES)
            assert np.allclose([row[c] for c in STEPS], expected, rtol=1e-9)
        prev = [w.detach().clone() for w in weights]


def test_a_trainers_history_holds_each_epochs_hand_computed_internals():
    trainer = Trainer(SMALL)
    prev = [m.weight.detach().clone() for m in trainer.model if isinstance(m, nn.Linear)]
    for epoch in range(1, 5):
        trainer.epoch()
        h = trainer.history
        linears = [m for m in trainer.model if isinstance(m, nn.Linear)]
        assert h.layer_columns("grad_norm_") == ("grad_norm_1", "grad_norm_2", "grad_norm_3")
        assert h.layer_columns("update_ratio_") == ("update_ratio_1", "update_ratio_2", "update_ratio_3")
        assert len(h) == epoch and h.weight_norm_columns == ("weight_norm_1", "weight_norm_2", "weight_norm_3")
        grads = [float(m.weight.grad.norm()) for m in linears]  # the epoch's last step leaves its gradient
        ratios = [float((m.weight.detach() - p).norm() / p.norm()) for m, p in zip(linears, prev, strict=True)]
        assert np.allclose([h.last(f"grad_norm_{k}") for k in (1, 2, 3)], grads, rtol=1e-6)
        assert np.allclose([h.last(f"update_ratio_{k}") for k in (1, 2, 3)], ratios, rtol=1e-5)
        expected = np.quantile(hand_step_sizes(trainer.optimizer, trainer.params), QUANTILES)
        assert np.allclose([h.last(c) for c in STEPS], expected, rtol=1e-9)
        prev = [m.weight.detach().clone() for m in linears]


def test_the_step_size_is_what_torch_adam_actually_moves_each_parameter_by():
    """With beta1 = 0, m̂ is the gradient: Adam's documented update moves θ by lr / (sqrt(v̂) + eps) times it."""
    trainer = Trainer(SMALL.replace(betas=(0.0, 0.999), batch_size=0))  # one step an epoch
    for _ in range(3):
        before = [p.detach().clone() for p in trainer.params]
        trainer.epoch()
        moved = torch.cat([(p.detach() - b).reshape(-1) for p, b in zip(trainer.params, before, strict=True)])
        grads = torch.cat([p.grad.reshape(-1) for p in trainer.params])
        ok = grads.abs() > 1e-6
        measured = np.quantile((moved[ok].abs() / grads[ok].abs()).double().numpy(), QUANTILES)
        assert bool(ok.all())
        assert np.allclose([trainer.history.last(c) for c in STEPS], measured, rtol=1e-3)


def test_sgd_and_momentum_record_no_step_sizes():
    for name in ("sgd", "momentum"):
        trainer = Trainer(SMALL.replace(optimizer=name, epochs=2))
        trainer.run()
        assert not trainer.internals.adaptive and "step_p50" not in trainer.history.columns
        assert np.isfinite(trainer.history.column("update_ratio_1")).all()


def test_race_lanes_record_the_internals_of_equal_single_runs():
    """Stacked lanes read their gradients from slices of one stacked tensor; a lone lane trains as a Trainer."""
    race = Race(RaceConfig.of(SMALL.replace(epochs=5), [{"optimizer": "adam"}, {"optimizer": "rmsprop"},
                                                         {"optimizer": "adam", "batch_size": 0}]))
    assert [len(g) for g in race.groups] == [2, 1]
    race.run()
    for lane, cfg in zip(race.trainers, race.rcfg.lane_configs(), strict=True):
        alone = Trainer(cfg, race.data)
        alone.run()
        columns = [c for c in alone.history.columns if c.startswith(("grad_norm_", "update_ratio_", "step_p"))]
        assert len(columns) == 3 + 3 + 3
        for c in columns:
            got, want = lane.history.column(c), alone.history.column(c)
            assert len(got) == 5 and np.allclose(got, want, rtol=1e-5), c
            if lane.cfg.batch_size == 0:  # the lone lane: the same code path, bit for bit
                assert np.array_equal(got, want), c


def test_the_figure_has_a_line_per_layer_per_quantity_on_the_right_axes():
    trainer = Trainer(SMALL.replace(hidden=(6, 4), epochs=3))
    trainer.run()
    shapes = trainer.internals.shapes
    assert layer_labels(shapes) == ["layer 1 (2→6)", "layer 2 (6→4)", "layer 3 (4→1)"]
    spec = internals_spec(trainer.history, ["grad", "ratio", "weight", "step"], shapes)
    go.Figure(spec)  # plotly accepts it
    data, layout = spec["data"], spec["layout"]
    assert len(data) == 3 * 3 + 3
    for axis, (key, kind) in enumerate([("grad", "log"), ("ratio", "log"), ("weight", "linear"), ("step", "log")], 1):
        name = "yaxis" if axis == 1 else f"yaxis{axis}"
        assert layout[name]["type"] == kind and QUANTITIES[key].log == (kind == "log")
        lines = [d for d in data if d["yaxis"] == f"y{axis}"]
        assert len(lines) == 3 and all(d["xaxis"] == "x" and d["x"] == [1, 2, 3] for d in lines)
    assert [d["name"] for d in data[:3]] == layer_labels(shapes)
    assert np.allclose(data[3]["y"], trainer.history.column("update_ratio_1"), rtol=1e-6)
    only = internals_spec(trainer.history, ["ratio"], shapes)
    assert len(only["data"]) == 3 and "yaxis2" not in only["layout"]


def history_of(n: int) -> History:
    h = History()
    for e in range(1, n + 1):
        h.append({"epoch": e, "grad_norm_1": 1.0 / e, "grad_norm_2": 2.0 / e, "update_ratio_1": 0.1 / e,
                  "update_ratio_2": 0.0 if e == 3 else 0.2 / e, "step_p10": 1e-3, "step_p50": 1e-2, "step_p90": 1.0})
    return h


def test_points_hold_only_rows_in_the_history_in_the_figures_trace_order():
    h = history_of(100)
    pts = internals_points(h, ["grad", "ratio"], 2, since_epoch=97)
    assert pts["traces"] == [0, 1, 2, 3] and pts["x"] == [[97, 98, 99, 100]] * 4
    assert pts["y"][1] == pytest.approx([2.0 / e for e in (97, 98, 99, 100)])
    tail = internals_points(h, ["step"], 2)  # no epoch given: the last rows
    assert tail["x"][0] == list(range(37, 101)) and tail["y"][2] == [1.0] * 64
    assert internals_points(h, ["grad"], 2, since_epoch=101) is None  # nothing new yet
    assert internals_points(History(), ["grad"], 2) is None
    early = internals_points(h, ["ratio"], 2, since_epoch=1)
    assert early["x"][0] == list(range(1, 101))
    assert early["y"][1][2] is None  # a zero ratio is a gap on the log axis, never an error
    assert internals_points(history_of(3), ["grad"], 2, since_epoch=-50)["x"][0] == [1, 2, 3]


def test_the_panel_turns_on_with_a_toggle_per_quantity(monkeypatch):
    from playground.ui.pages import single

    sent = []
    monkeypatch.setattr(single, "internals_points", lambda *a, **k: sent.append(internals_points(*a, **k)) or sent[-1])
    at = launch({"patience": "0"}, check=True)
    assert at.toggle(key="internals").value is False  # off by default: the page costs what it did
    assert "internals_grad" not in [t.key for t in at.toggle]
    at.toggle(key="internals").set_value(True).run()
    at.button(key="step").click().run()
    assert not at.exception
    toggles = {t.key: t.value for t in at.toggle}
    assert toggles["internals_grad"] and toggles["internals_ratio"] and toggles["internals_step"]
    assert toggles["internals_weight"] is False
    assert "per epoch" in at.toggle(key="internals_ratio").help and "1e-3" in at.toggle(key="internals_ratio").help
    assert "internals_chart_grad_ratio_step" in ui(at).run.sent
    at.toggle(key="internals_weight").set_value(True).run()
    assert not at.exception and "internals_chart_grad_ratio_weight_step" in ui(at).run.sent
    assert runner(at).history.last("step_p50") > 0
    at.button(key="play").click().run()  # ticks while playing send this tick's rows as points
    time.sleep(0.2)
    at.run()
    at.button(key="play").click().run()
    assert not at.exception and runner(at).current_epoch > 1
    points = [p for p in sent if p]
    assert points and len(points[-1]["traces"]) == 3 * 3 + 3  # grad, ratio and weight per layer; 3 step lines
    assert set(points[-1]["x"][0]) <= set(runner(at).history.column("epoch").tolist())


def test_the_panel_says_why_sgd_has_no_step_size():
    at = launch({"optimizer": "sgd"}, check=True)
    at.toggle(key="internals").set_value(True).run()
    assert not at.exception
    assert "internals_step" not in [t.key for t in at.toggle]
    assert any("No step-size chart for SGD" in c.value for c in at.caption)

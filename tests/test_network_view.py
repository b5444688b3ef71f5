"""The network view's frame against the model: unit maps, the top-k summary, link widths and colours."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch
from torch import nn

from playground.config import RunConfig
from playground.engine.train import Trainer
from playground.figures import network as N
from playground.figures.codec import decode_grid
from playground.figures.grid import Boundary
from playground.figures.palette import DIVERGING, diverging_color, hex_rgb
from playground.figures.payload import payload_bytes
from playground.live import worker as W
from playground.live.loop import lane_frames, loss_points
from playground.live.slots import TrainingSlots

# Batch norm and dropout make eval mode matter; 16 units are wider than the view draws.
CFG = RunConfig(n_points=120, hidden=(16, 5), activation="tanh", batch_norm=True, dropout=0.3, epochs=50)


def trained(cfg: RunConfig, epochs: int = 5) -> tuple[Trainer, Boundary]:
    trainer = Trainer(cfg)
    trainer.run(epochs)
    return trainer, Boundary(trainer.data)


def plane_grid(boundary: Boundary) -> torch.Tensor:
    """The unit maps' grid built independently: every stride-th axis value, through the PCA plane if any."""
    s = math.ceil(boundary.resolution / N.UNIT_RES)
    gx, gy = np.meshgrid(boundary.xs[::s], boundary.ys[::s])
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    if boundary.projected:
        grid = boundary._pca.inverse_transform(grid)
    return torch.as_tensor(grid, dtype=torch.float32)


def reference_columns(trainer: Trainer, grid: torch.Tensor) -> list[np.ndarray]:
    """A plain eval-mode forward of the same model: inputs, each hidden layer after its activation, outputs."""
    model = trainer.model
    model.eval()
    ends = [i for i, m in enumerate(model) if isinstance(m, nn.Linear)]
    with torch.no_grad():
        cols = [grid.numpy()]
        for k in range(1, len(ends)):  # hidden layer k ends just before Linear k + 1 (after its dropout)
            cols.append(nn.Sequential(*list(model)[:ends[k]])(grid).numpy())
        cols.append(model(grid).numpy())
    return cols


@pytest.mark.parametrize("cfg", [CFG, CFG.replace(dataset="iris", hidden=(6,), activation="relu")],
                         ids=["moons 2-D", "iris PCA plane"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_unit_map_is_that_units_activation_on_the_grid(cfg, seed):
    trainer, boundary = trained(cfg.replace(seed=seed, init_seed=seed))
    frame = N.network_frame(trainer, boundary)
    grid = plane_grid(boundary)
    side = len(boundary.xs[::math.ceil(boundary.resolution / N.UNIT_RES)])
    reference = reference_columns(trainer, grid)
    assert len(frame["columns"]) == len(cfg.hidden) + 2
    for col, ref in zip(frame["columns"], reference, strict=True):
        top = np.abs(ref).max()
        assert col["total"] == ref.shape[1]
        for unit in col["units"]:
            want = ref[:, unit["i"]].reshape(side, side)
            s = max(np.abs(want).max(), N.SPAN_FLOOR * top)  # its own range, at least a tenth of its column's
            assert unit["span"] == pytest.approx(s, rel=1e-5)
            got = decode_grid(unit["map"])
            assert got.shape == want.shape
            # Within half of one quantization step (2s/255).
            assert np.abs(got - want).max() <= s / 255 + 1e-5 * s, (col["name"], unit["i"])
    assert payload_bytes(frame) > 0  # JSON-safe


def test_unit_maps_are_the_hidden_layers_post_activation():
    trainer, boundary = trained(CFG.replace(dropout=0.0))
    maps = N.unit_maps(trainer, boundary)
    assert [m.shape[0] for m in maps] == [16, 5]
    assert all(np.abs(m).max() <= 1.0 for m in maps)  # tanh outputs, not pre-activations
    ref = reference_columns(trainer, plane_grid(boundary))[1:-1]
    for m, r in zip(maps, ref, strict=True):
        np.testing.assert_allclose(m.reshape(m.shape[0], -1).T, r, rtol=1e-5, atol=1e-6)


def test_a_wide_layer_shows_the_top_units_by_outgoing_weight_norm_and_says_so():
    trainer, boundary = trained(CFG)
    frame = N.network_frame(trainer, boundary)
    layer1 = frame["columns"][1]
    w2 = [m.weight for m in trainer.model if isinstance(m, nn.Linear)][1].detach().numpy()
    top = set(np.argsort(-np.linalg.norm(w2, axis=0))[:N.MAX_SHOWN].tolist())
    shown = [u["i"] for u in layer1["units"]]
    assert set(shown) == top and shown == sorted(shown) and layer1["total"] == 16
    assert frame["notes"] == ["layer 1: 8 of 16 units shown, those with the largest outgoing weight norm"]
    assert [len(c["units"]) for c in frame["columns"]] == [2, 8, 5, 1]


def test_each_link_is_drawn_by_its_weight():
    trainer, boundary = trained(CFG)
    frame = N.network_frame(trainer, boundary)
    weights = [m.weight.detach().numpy() for m in trainer.model if isinstance(m, nn.Linear)]
    assert len(frame["links"]) == len(weights)
    for c, (pair, w) in enumerate(zip(frame["links"], weights, strict=True)):
        src, dst = frame["columns"][c]["units"], frame["columns"][c + 1]["units"]
        assert len(pair) == len(src) * len(dst)
        for a, b, value, width, color in pair:
            true = float(w[dst[b]["i"], src[a]["i"]])
            assert value == pytest.approx(true, rel=1e-6)
            lo, hi = N.LINK_WIDTH
            assert width == pytest.approx(lo + (hi - lo) * min(abs(true) / N.WIDTH_FULL, 1), abs=0.006)
            r, _, blue = hex_rgb(color)
            assert (blue > r) if true > 0.05 else (r > blue) if true < -0.05 else True  # blue +, orange -
            assert color == diverging_color(true / N.COLOR_FULL)
        # Wider means heavier: widths follow |w| in order.
        by_size = sorted(pair, key=lambda link: abs(link[2]))
        assert [link[3] for link in by_size] == sorted(link[3] for link in by_size)


def test_a_silent_unit_draws_grey_and_a_faint_one_pale():
    maps = np.zeros((3, 4, 4))
    maps[1] = 2.0
    maps[2, 0, 0] = 0.01
    assert N.spans(maps).tolist() == pytest.approx([0.2, 2.0, 0.2])
    assert N.spans(np.full((2, 3, 3), np.nan)).tolist() == [1.0, 1.0]


def test_link_style_ends_and_the_palette():
    assert N.link_style(0.0) == (N.LINK_WIDTH[0], DIVERGING[1])
    assert N.link_style(5.0) == (N.LINK_WIDTH[1], DIVERGING[2])
    assert N.link_style(-N.COLOR_FULL)[1] == DIVERGING[0]
    assert N.link_style(float("nan")) == (N.LINK_WIDTH[0], DIVERGING[1])
    assert diverging_color(-0.5) == "#{:02x}{:02x}{:02x}".format(
        *(round((a + b) / 2) for a, b in zip(hex_rgb(DIVERGING[0]), hex_rgb(DIVERGING[1]), strict=True)))


def test_a_diverged_model_still_gives_a_json_safe_frame():
    trainer, boundary = trained(CFG.replace(batch_norm=False, dropout=0.0), epochs=1)
    with torch.no_grad():
        trainer.model[0].weight[0, 0] = float("nan")
    frame = N.network_frame(trainer, boundary)
    assert payload_bytes(frame) > 0
    assert any(link[2] is None for link in frame["links"][0])


def test_one_input_has_no_plane_to_draw():
    trainer = Trainer(RunConfig(dataset="sine", n_points=60))
    assert not N.supported(Boundary(trainer.data))
    assert N.supported(Boundary(Trainer(RunConfig(n_points=60)).data)) and not N.supported(None)


def test_the_worker_keeps_only_the_newest_network_frame_at_its_lower_rate():
    trainer = Trainer(RunConfig(n_points=100, epochs=30))
    boundary = Boundary(trainer.data)
    made = []

    def network(runner):
        made.append(runner.current_epoch)
        return {"epoch": runner.current_epoch}

    # A rate so low that only the forced frames are made: the one the run stops on.
    w = W.Worker(trainer, lambda r: lane_frames(r, boundary), loss_points, slots=TrainingSlots(2), sid="n",
                 max_steps_per_s=1e9, network=network, network_fps=1e-6)
    w.speed = math.inf
    w.play()
    while w.playing:
        w.collect()
        time.sleep(0.01)
    assert made and made[0] in (0, 1) and made[-1] == 30 and len(made) <= 2  # the first frame, the last one
    assert w.collect_network() == {"epoch": 30} and w.collect_network() is None
    fast = W.Worker(Trainer(RunConfig(n_points=100, epochs=5)), lambda r: lane_frames(r, boundary), loss_points,
                    slots=TrainingSlots(2), sid="m", max_steps_per_s=1e9, network=network, network_fps=1e9)
    before = len(made)
    assert fast.step() and len(made) == before + 1 and fast.collect_network()["epoch"] == 1  # Step draws it

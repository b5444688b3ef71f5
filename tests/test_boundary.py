"""Tests for playground.boundary: grids, PCA projection, patch encodings and plane orientation."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from playground.config import RunConfig
from playground.engine.data import load_dataset
from playground.engine.train import Trainer
from playground.figures.codec import decode_grid, encode_grid, float_list
from playground.figures.grid import Boundary
from playground.figures.palette import ALPHA_MAX, ALPHA_MIN, hex_rgb, region_colors

RES = 24


class Stub:
    """A 'trainer' whose predict is a fixed function of the first two model inputs."""

    def __init__(self, fn):
        self.fn = fn

    def predict(self, x):
        x = torch.as_tensor(x).numpy()
        return self.fn(x[:, 0], x[:, 1]).astype(np.float32)


def three_regions(x, y):
    """Class 0 bottom-left, class 1 the right half, class 2 top-left (asymmetric on purpose)."""
    cls = np.where(x > 0, 1, np.where(y < 0, 0, 2))
    return np.eye(3)[cls]


def decode_png(patch: dict) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert patch["source"].startswith(prefix)
    img = Image.open(io.BytesIO(base64.b64decode(patch["source"][len(prefix):])))
    assert img.mode == "RGBA"
    return np.asarray(img)


@pytest.fixture(scope="module")
def moons():
    return load_dataset(RunConfig(dataset="moons"))


@pytest.fixture(scope="module")
def blobs():
    return load_dataset(RunConfig(dataset="blobs", classes=3))


# ---- encode_grid -------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3), st.integers(1, 9), st.integers(1, 9),
       st.integers(0, 2**32 - 1))
def test_encode_grid_round_trips_within_one_step(lo, span, h, w, seed):
    hi = lo + span
    z = np.random.default_rng(seed).uniform(lo, hi, size=(h, w))
    enc = encode_grid(z, lo, hi)
    json.dumps(enc)  # ships as-is to the browser
    assert enc["shape"] == [h, w] and len(base64.b64decode(enc["b64"])) == h * w
    assert np.abs(decode_grid(enc) - z).max() <= (hi - lo) / 255 + 1e-9


def test_encode_grid_nan_clip_and_flat_range():
    enc = encode_grid(np.array([[np.nan, -5.0], [0.5, 7.0]]), 0, 1)
    assert list(base64.b64decode(enc["b64"])) == [0, 0, 128, 255]  # NaN draws as lo, outliers clip
    assert decode_grid(encode_grid(np.full((2, 2), 3.0), 3, 3)).shape == (2, 2)  # no division by zero
    with pytest.raises(ValueError, match="2-D"):
        encode_grid(np.zeros(4), 0, 1)


def test_float_list_is_short_and_json_safe():
    out = float_list(np.array([0.1, np.nan, np.inf, 1 / 3], dtype=np.float32))
    assert out[0] == 0.1 and out[1] is None and out[2] is None
    assert json.dumps(out) == "[0.1, null, null, 0.33333334]"
    assert float_list(np.ones((2, 3))) == [[1.0] * 3] * 2


# ---- grids -------------------------------------------------------------------------------------

def test_2d_grid_spans_padded_data_in_model_space(moons):
    b = Boundary(moons, RES)
    x = np.concatenate([moons.x_train, moons.x_val])
    assert b.kind == "heatmap" and not b.projected and b.explained is None and b.label == ""
    assert b.points.dtype == torch.float32 and tuple(b.points.shape) == (RES * RES, 2)
    for axis, col in ((b.xs, x[:, 0]), (b.ys, x[:, 1])):
        span = col.max() - col.min()
        assert axis[0] == pytest.approx(col.min() - 0.1 * span, rel=1e-5)
        assert axis[-1] == pytest.approx(col.max() + 0.1 * span, rel=1e-5)
    # Row-major with rows following y: point (row r, column c) is (xs[c], ys[r]).
    assert b.points[RES + 3].tolist() == pytest.approx([b.xs[3], b.ys[1]])
    np.testing.assert_array_equal(b.project(x), x)


def test_pca_boundary_for_breast_cancer():
    data = load_dataset(RunConfig(dataset="breast_cancer"))
    trainer = Trainer(RunConfig(dataset="breast_cancer", epochs=2), data)
    trainer.step(1)
    b = Boundary(data, RES)
    assert b.projected and b.kind == "heatmap" and tuple(b.points.shape) == (RES * RES, 30)
    e1, e2 = b.explained
    assert 0 < e2 <= e1 < 1 and e1 + e2 < 1
    assert "PCA projection" in b.label and f"{e1 + e2:.0%}" in b.label
    # Grid points mapped back to 30-D project onto exactly the plane's grid again.
    gx, gy = np.meshgrid(b.xs, b.ys)
    np.testing.assert_allclose(b.project(b.points.numpy()), np.stack([gx.ravel(), gy.ravel()], 1), atol=1e-4)
    values = b.values(trainer)
    assert values.shape == (RES, RES) and ((values >= 0) & (values <= 1)).all()
    assert b.project(data.x_val).shape == (len(data.x_val), 2)


def test_multiclass_projected_and_curve_kinds():
    iris = Boundary(load_dataset(RunConfig(dataset="iris")), RES)
    assert iris.kind == "classes" and iris.projected and tuple(iris.points.shape) == (RES * RES, 4)
    sine = Boundary(load_dataset(RunConfig(dataset="sine")), RES)
    assert sine.kind == "curve" and sine.ys is None and tuple(sine.points.shape) == (RES * 3, 1)


def test_regression_colour_range_comes_from_training_targets():
    data = load_dataset(RunConfig(dataset="plane"))
    lo, hi = Boundary(data, RES).zrange
    y = data.y_train * data.y_std + data.y_mean  # original units, like Trainer.predict
    assert lo < y.min() and hi > y.max() and hi - lo == pytest.approx(1.2 * np.ptp(y), rel=1e-4)


# ---- orientation -------------------------------------------------------------------------------

def test_heatmap_orientation_matches_the_axes(moons):
    b = Boundary(moons, RES)
    by_x = b.values(Stub(lambda x, y: 1 / (1 + np.exp(-5 * x))))
    assert by_x[:, :3].max() < 0.1 and by_x[:, -3:].min() > 0.9  # left columns low, right high
    by_y = b.values(Stub(lambda x, y: 1 / (1 + np.exp(-5 * y))))
    assert by_y[:3].max() < 0.1 and by_y[-3:].min() > 0.9  # row 0 is the lowest y
    np.testing.assert_allclose(decode_grid(b.patch(by_x)["z"]), by_x, atol=1 / 255)


def test_class_image_orientation_and_confidence(blobs):
    b = Boundary(blobs, RES)
    rgba = decode_png(b.patch(b.values(Stub(three_regions)), trace=0))
    assert rgba.shape == (RES, RES, 4)
    colors = [hex_rgb(c) for c in region_colors(3)]
    # PNG row 0 is drawn at y0 = ys[0] (the bottom): bottom-left class 0, top-left class 2, right class 1.
    assert tuple(rgba[0, 0, :3]) == colors[0]
    assert tuple(rgba[-1, 0, :3]) == colors[2]
    assert tuple(rgba[0, -1, :3]) == colors[1] and tuple(rgba[-1, -1, :3]) == colors[1]
    assert (rgba[..., 3] == round(ALPHA_MAX * 255)).all()  # one-hot = certain = most opaque
    unsure = decode_png(b.patch(np.full((RES, RES, 3), 1 / 3)))
    assert (unsure[..., 3] == round(ALPHA_MIN * 255)).all()  # chance level = faint
    broken = decode_png(b.patch(np.full((RES, RES, 3), np.nan)))
    assert (broken[..., 3] == 0).all()  # a diverged model draws nothing, not a wrong class


# ---- with real trainers ------------------------------------------------------------------------

@pytest.mark.parametrize("name, kind, shape", [
    ("moons", "heatmap", (RES, RES)), ("blobs", "classes", (RES, RES, 3)), ("sine", "curve", (RES * 3,)),
    ("plane", "heatmap", (RES, RES)), ("iris", "classes", (RES, RES, 3)),
])
def test_values_and_patches_from_a_trainer(name, kind, shape):
    trainer = Trainer(RunConfig(dataset=name, epochs=2))
    trainer.step(1)
    b = Boundary(trainer.data, RES)
    values = b.values(trainer)
    assert b.kind == kind and values.shape == shape and np.isfinite(values).all()
    patch = b.patch(values, trace=0)
    assert patch["trace"] == 0
    json.dumps(patch, allow_nan=False)
    if kind == "curve":
        assert patch["x"] == float_list(b.xs) and len(patch["y"]) == RES * 3
        np.testing.assert_allclose(patch["y"], values, rtol=1e-6)
    if name == "plane":
        assert patch["z"]["lo"] == b.zrange[0] and patch["z"]["hi"] == b.zrange[1]


def test_resolution_must_allow_a_grid(moons):
    with pytest.raises(ValueError, match="resolution"):
        Boundary(moons, 1)


# ---- the view toggles: validation points and discretized output (issue #13) -----------------------

def _colour_at(scale: list, t: float) -> str:
    """The colour a scale of flat bands gives position t (the nearest stop on t's side of the edge)."""
    return [c for pos, c in scale if pos <= t][-1] if t < 0.5 else next(c for pos, c in scale if pos >= t)


def test_discretized_probabilities_take_one_colour_on_each_side_of_one_half(moons):
    from playground.figures.boundary import DISCRETE_PROB, boundary_figure, shown
    from playground.figures.payload import figure_dict
    from playground.figures.style import PROB_SCALE

    b = Boundary(moons, RES)
    spec = figure_dict(boundary_figure(b, moons, b.values(Stub(lambda x, y: 1 / (1 + np.exp(-x))))))
    heat = shown(spec, discrete=True)["data"][0]
    assert heat["colorscale"] == DISCRETE_PROB
    low, high = PROB_SCALE[0][1], PROB_SCALE[-1][1]
    assert {_colour_at(DISCRETE_PROB, t) for t in (0.0, 0.2, 0.49)} == {low}
    assert {_colour_at(DISCRETE_PROB, t) for t in (0.51, 0.8, 1.0)} == {high}
    assert spec["data"][0]["colorscale"] != DISCRETE_PROB, "the cached figure is left as it was"


def test_hiding_validation_points_hides_only_that_trace(moons):
    from playground.figures.boundary import boundary_figure, shown
    from playground.figures.payload import figure_dict

    b = Boundary(moons, RES)
    spec = figure_dict(boundary_figure(b, moons, None))
    hidden = shown(spec, validation=False)
    names = {t.get("name"): t.get("visible", True) for t in hidden["data"]}
    assert names["validation"] is False and names["train"] is True
    assert shown(spec) is spec  # the default view is the figure itself


def test_discretized_regression_heatmap_uses_eight_flat_bands():
    from playground.figures.boundary import DISCRETE_VALUE, boundary_figure, shown
    from playground.figures.payload import figure_dict

    data = load_dataset(RunConfig(dataset="plane"))
    b = Boundary(data, RES)
    spec = shown(figure_dict(boundary_figure(b, data, None)), discrete=True)
    scale = spec["layout"]["coloraxis"]["colorscale"]
    assert scale == DISCRETE_VALUE and len({c for _, c in scale}) == 8
    assert all(scale[i][1] == scale[i + 1][1] for i in range(0, len(scale), 2)), "each band is flat"


def test_discretized_classes_are_opaque_and_a_binary_curve_steps():
    blob = load_dataset(RunConfig(dataset="blobs", classes=3))
    b = Boundary(blob, RES)
    b.discrete = True
    unsure = decode_png(b.patch(np.full((RES, RES, 3), 0.4) + np.eye(3)[0] * 0.01))
    assert (unsure[..., 3] == round(ALPHA_MAX * 255)).all()  # the predicted class, however unsure
    trainer = Trainer(RunConfig(dataset="sine", epochs=1))
    curve = Boundary(trainer.data, RES)
    curve.task = "binary"  # a 1-D classifier's curve is P(class 1)
    curve.discrete = True
    assert set(curve.patch(np.linspace(0, 1, RES * 3))["y"]) == {0.0, 1.0}

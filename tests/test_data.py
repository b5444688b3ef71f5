"""Dataset registry: every set loads, splits are seeded and stratified, scaling uses train only."""

import numpy as np
import pytest

from playground.config import RunConfig
from playground.engine.data import REGISTRY, SEED_LAB_X, load_dataset


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_dataset_loads_with_consistent_shapes(name):
    data = load_dataset(RunConfig(dataset=name, n_points=120))
    assert data.x_train.dtype == np.float32 and data.x_train.shape[1] == data.n_features
    assert len(data.x_train) == len(data.y_train) and len(data.x_val) == len(data.y_val)
    assert np.isfinite(data.x_train).all()
    if data.task == "regression":
        assert data.n_outputs == 1
    else:
        assert set(np.unique(data.y_train)) <= set(range(data.n_classes))


def test_seed_lab_points_are_the_labs_ten():
    data = load_dataset(RunConfig(dataset="seedlab", val_frac=0.0))
    assert len(data.y_train) == 10 and not data.has_val
    raw = data.x_train * data.x_std + data.x_mean
    assert np.allclose(raw, np.array(SEED_LAB_X))
    assert list(data.y_train) == [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]


def test_standardization_is_fitted_on_the_training_split_only():
    data = load_dataset(RunConfig(dataset="wine", val_frac=0.3))
    assert np.allclose(data.x_train.mean(0), 0, atol=1e-5) and np.allclose(data.x_train.std(0), 1, atol=1e-3)
    assert not np.allclose(data.x_val.mean(0), 0, atol=1e-3)


def test_split_is_seeded_and_stratified():
    a = load_dataset(RunConfig(dataset="moons", n_points=200, seed=3))
    b = load_dataset(RunConfig(dataset="moons", n_points=200, seed=3))
    c = load_dataset(RunConfig(dataset="moons", n_points=200, seed=4))
    assert np.array_equal(a.x_val, b.x_val) and not np.array_equal(a.x_val, c.x_val)
    assert abs(a.y_val.mean() - a.y_train.mean()) < 0.02  # class balance kept in both splits


def test_blobs_class_count_and_real_names():
    assert load_dataset(RunConfig(dataset="blobs", classes=5)).n_classes == 5
    iris = load_dataset(RunConfig(dataset="iris"))
    assert iris.class_names == ("setosa", "versicolor", "virginica") and iris.n_features == 4


def _raw(name: str, noise: float = 0.0):
    data = load_dataset(RunConfig(dataset=name, n_points=400, noise=noise, val_frac=0.25))
    return np.concatenate([data.x_train, data.x_val]), np.concatenate([data.y_train, data.y_val]), data


def test_tf_playgrounds_four_datasets_are_drawn_as_its_dataset_ts_draws_them():
    x, y, data = _raw("tfp_circle")
    radius = np.hypot(x[:, 0], x[:, 1])
    assert (y == 1).sum() == (y == 0).sum() == 200
    assert radius[y == 1].max() <= 2.5 and radius[y == 0].min() >= 3.5 and radius.max() <= 5  # disc in a ring
    assert np.allclose(data.x_mean, 0) and np.allclose(data.x_std, 1)  # raw coordinates, as TFP feeds them
    x, y, _ = _raw("tfp_xor")
    assert np.abs(x).min() >= 0.3 and np.abs(x).max() <= 5.3  # TFP's padding off the axes
    assert np.array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(int))
    x, y, _ = _raw("tfp_gauss")
    assert np.allclose(x[y == 1].mean(0), [2, 2], atol=0.2) and np.allclose(x[y == 0].mean(0), [-2, -2], atol=0.2)
    assert np.allclose(x.var(0) - 4, 0.5, atol=0.15)  # variance 0.5 around centres ±2 at noise 0
    x, y, _ = _raw("tfp_spiral")
    assert np.allclose(np.sort(np.hypot(x[y == 1, 0], x[y == 1, 1])), np.arange(200) / 200 * 5, atol=1e-5)


def test_tf_playground_noise_is_its_slider_over_100_and_moves_labels_by_position():
    x, y, _ = _raw("tfp_circle", noise=0.2)  # TFP's noise 20: the label is read at a shifted position
    radius = np.hypot(x[:, 0], x[:, 1])
    assert 0 < ((radius < 2.5) & (y == 0)).sum() < 100 and ((radius > 3.5) & (y == 1)).sum() < 100
    x, y, _ = _raw("tfp_gauss", noise=0.5)  # TFP's largest noise: variance 4
    assert np.allclose(x[y == 1].var(0), 4, rtol=0.25)

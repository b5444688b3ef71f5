"""Dataset registry: every set loads, splits are seeded and stratified, scaling uses train only."""

import numpy as np
import pytest

from playground.config import RunConfig
from playground.data import REGISTRY, SEED_LAB_X, load_dataset


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

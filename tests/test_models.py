"""The MLP: layer order, dropout only in train mode, batch norm's running statistics in eval."""

import numpy as np
import torch
from torch import nn

from playground import catalog
from playground.config import RunConfig
from playground.engine.models import FEATURE_OPS, InputFeatures, SeededDropout, build_model, describe


def test_seed_lab_architecture():
    cfg = RunConfig(hidden=(20,), activation="relu", dropout=0.5)
    model = build_model(cfg, 2, 1, init_seed=0, dropout_gen=torch.Generator())
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.ReLU, SeededDropout, nn.Linear]
    assert model[0].in_features == 2 and model[0].out_features == 20 and model[3].out_features == 1
    assert describe(cfg, 2, 1) == "2-20-1 (relu, dropout 0.5)"


def test_no_hidden_layer_is_a_linear_model():
    model = build_model(RunConfig(hidden=()), 5, 3, init_seed=0)
    assert len(model) == 1 and isinstance(model[0], nn.Linear)


def test_dropout_is_active_in_train_mode_only():
    drop = SeededDropout(0.5, torch.Generator().manual_seed(0))
    x = torch.ones(1000, 8)
    train_out = drop.train()(x)
    zeros = (train_out == 0).float().mean().item()
    assert 0.4 < zeros < 0.6
    assert torch.allclose(train_out[train_out != 0], torch.full_like(train_out[train_out != 0], 2.0))
    assert torch.equal(drop.eval()(x), x)


def test_dropout_masks_follow_their_generator():
    a = SeededDropout(0.3, torch.Generator().manual_seed(7))(torch.ones(50))
    b = SeededDropout(0.3, torch.Generator().manual_seed(7))(torch.ones(50))
    c = SeededDropout(0.3, torch.Generator().manual_seed(8))(torch.ones(50))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_batch_norm_uses_running_statistics_in_eval_mode():
    model = build_model(RunConfig(hidden=(4,), batch_norm=True), 2, 1, init_seed=0)
    bn = model[1]
    assert isinstance(bn, nn.BatchNorm1d)
    x = torch.randn(64, 2, generator=torch.Generator().manual_seed(0)) * 3 + 5
    model.train()(x)  # one training pass updates the running mean/var
    assert not torch.allclose(bn.running_mean, torch.zeros(4))
    model.eval()
    h = model[0](x[:3])
    expected = (h - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
    assert torch.allclose(bn(h), expected, atol=1e-6)
    # In eval mode one sample's output does not depend on the rest of the batch.
    assert torch.allclose(model(x[:1]), model(x[:5])[:1], atol=1e-6)


def test_init_is_seeded():
    a = build_model(RunConfig(), 2, 1, init_seed=1)
    b = build_model(RunConfig(), 2, 1, init_seed=1)
    c = build_model(RunConfig(), 2, 1, init_seed=2)
    assert torch.equal(a[0].weight, b[0].weight) and not torch.equal(a[0].weight, c[0].weight)


def test_tf_playground_init_is_uniform_half_weights_and_biases_of_a_tenth():
    cfg = RunConfig(hidden=(64, 64), init="tfp")
    assert RunConfig.from_query(cfg.to_query()) == (cfg, [])
    model = build_model(cfg, 2, 1, init_seed=3)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    weights = torch.cat([m.weight.detach().reshape(-1) for m in linears])
    assert weights.abs().max() <= 0.5 and weights.min() < -0.45 and weights.max() > 0.45
    assert abs(float(weights.mean())) < 0.02 and abs(float(weights.var()) - 1 / 12) < 0.005  # U(-0.5, 0.5)
    assert all(torch.equal(m.bias, torch.full_like(m.bias, 0.1)) for m in linears)
    assert torch.equal(build_model(cfg, 2, 1, init_seed=3)[0].weight, model[0].weight)
    assert not torch.equal(build_model(RunConfig(hidden=(64, 64)), 2, 1, init_seed=3)[0].weight, model[0].weight)
    assert describe(cfg, 2, 1) == "2-64-64-1 (relu, TF Playground init)"


# Each input feature in numpy, written independently of the torch module.
NUMPY_FEATURES = {"x1": lambda x: x[:, 0], "x2": lambda x: x[:, 1], "x1sq": lambda x: x[:, 0] ** 2,
                  "x2sq": lambda x: x[:, 1] ** 2, "x1x2": lambda x: x[:, 0] * x[:, 1],
                  "sin_x1": lambda x: np.sin(x[:, 0]), "sin_x2": lambda x: np.sin(x[:, 1])}


def test_input_features_equal_their_formulas_on_random_inputs():
    assert set(FEATURE_OPS) == set(catalog.INPUT_FEATURES) == set(NUMPY_FEATURES)
    x = np.random.default_rng(0).normal(0, 3, (500, 2))
    names = tuple(catalog.INPUT_FEATURES)[::-1]  # any order: columns follow the names
    out = InputFeatures(names)(torch.as_tensor(x)).numpy()
    assert out.shape == (500, len(names))
    for k, name in enumerate(names):
        np.testing.assert_allclose(out[:, k], NUMPY_FEATURES[name](x), rtol=1e-12, atol=1e-12, err_msg=name)
    stacked = InputFeatures(("x1sq", "sin_x2"))(torch.as_tensor(x).expand(3, 500, 2))  # leading dims kept
    assert stacked.shape == (3, 500, 2)


def test_input_features_are_the_first_module_and_only_when_not_the_raw_pair():
    cfg = RunConfig(features=("x1", "x2", "x1sq", "x2sq"), hidden=(8,))
    model = build_model(cfg, 2, 1, init_seed=0)
    assert [type(m) for m in model] == [InputFeatures, nn.Linear, nn.ReLU, nn.Linear]
    assert model[0].names == cfg.features and model[1].in_features == 4
    assert list(model.state_dict()) == ["1.weight", "1.bias", "3.weight", "3.bias"]  # nothing of its own
    assert describe(cfg, 2, 1) == "4-8-1 (relu, features x₁, x₂, x₁², x₂²)"
    assert describe(RunConfig(features=("x1sq",), hidden=()), 2, 1) == "1-1 (linear model, features x₁²)"
    swapped = build_model(RunConfig(features=("x2", "x1")), 2, 1, init_seed=0)
    assert isinstance(swapped[0], InputFeatures)  # any other choice, even a reordering, is a feature map


def test_the_default_model_is_the_plain_mlp_it_always_was():
    assert RunConfig().features == catalog.RAW_FEATURES == ("x1", "x2")
    model = build_model(RunConfig(), 2, 1, init_seed=5)
    assert not any(isinstance(m, InputFeatures) for m in model)
    # Exports, tests and saved safetensors files name these keys.
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert describe(RunConfig(), 2, 1) == "2-16-16-1 (relu)"
    # Features apply to 2-D data only: other inputs are read as they are.
    wide = build_model(RunConfig(features=("x1sq",)), 4, 3, init_seed=5)
    assert isinstance(wide[0], nn.Linear) and wide[0].in_features == 4
    assert describe(RunConfig(features=("x1sq",)), 4, 3) == "4-16-16-3 (relu)"

"""Optimizer registry: steps equal hand-computed updates on a tiny tensor."""

import pytest
import torch

from playground.catalog import OPTIMIZERS
from playground.config import RunConfig
from playground.engine.optim import REGISTRY, build_optimizer, hparams_for, set_live

W0 = torch.tensor([1.0, -2.0, 0.5])
A = torch.tensor([0.3, -0.1, 2.0])  # loss = sum(A * w), so the gradient is A


def take_steps(cfg: RunConfig, n: int) -> torch.Tensor:
    w = torch.nn.Parameter(W0.clone())
    opt = build_optimizer(cfg, [w])
    for _ in range(n):
        opt.zero_grad()
        (A * w).sum().backward()
        opt.step()
    return w.detach()


def test_sgd_momentum_weight_decay_two_steps_match_hand_update():
    lr, mu, wd = 0.1, 0.9, 0.01
    cfg = RunConfig(optimizer="momentum", lr=lr, momentum=mu, weight_decay=wd)
    g1 = A + wd * W0  # coupled L2: lambda * w joins the gradient
    b1 = g1  # torch starts the velocity at the first gradient
    w1 = W0 - lr * b1
    g2 = A + wd * w1
    b2 = mu * b1 + g2
    w2 = w1 - lr * b2
    assert torch.allclose(take_steps(cfg, 1), w1, atol=1e-7)
    assert torch.allclose(take_steps(cfg, 2), w2, atol=1e-7)


def test_plain_sgd_ignores_config_momentum():
    cfg = RunConfig(optimizer="sgd", lr=0.5, momentum=0.9)
    w1 = W0 - 0.5 * A
    w2 = w1 - 0.5 * A
    assert torch.allclose(take_steps(cfg, 2), w2, atol=1e-7)


def test_adam_first_step_matches_hand_update():
    lr, wd, eps = 0.01, 0.1, 1e-8
    cfg = RunConfig(optimizer="adam", lr=lr, weight_decay=wd, eps=eps)
    g = A + wd * W0  # Adam's L2 is coupled: it goes through the adaptive scaling
    m_hat, v_hat = g, g * g  # bias correction makes the first moments exactly g and g^2
    expected = W0 - lr * m_hat / (v_hat.sqrt() + eps)
    assert torch.allclose(take_steps(cfg, 1), expected, atol=1e-7)


def test_adamw_decouples_weight_decay():
    lr, wd, eps = 0.01, 0.1, 1e-8
    cfg = RunConfig(optimizer="adamw", lr=lr, weight_decay=wd, eps=eps)
    shrunk = W0 * (1 - lr * wd)  # decay applied to the weights, outside the adaptive step
    expected = shrunk - lr * A / (A.abs() + eps)
    assert torch.allclose(take_steps(cfg, 1), expected, atol=1e-7)
    adam = take_steps(cfg.replace(optimizer="adam"), 1)
    assert not torch.allclose(adam, expected, atol=1e-5)


def test_nesterov_and_rmsprop_and_adagrad_first_steps():
    lr, mu, eps = 0.1, 0.9, 1e-8
    # Nesterov: theta -= lr * (g + mu * b), with b = g on the first step.
    assert torch.allclose(take_steps(RunConfig(optimizer="nesterov", lr=lr, momentum=mu), 1),
                          W0 - lr * (A + mu * A), atol=1e-7)
    v = 0.01 * A * A  # RMSprop: v = (1 - alpha) g^2 with alpha = 0.99
    assert torch.allclose(take_steps(RunConfig(optimizer="rmsprop", lr=lr, eps=eps), 1),
                          W0 - lr * A / (v.sqrt() + eps), atol=1e-6)
    s = A * A  # Adagrad: sum of squared gradients
    assert torch.allclose(take_steps(RunConfig(optimizer="adagrad", lr=lr, eps=1e-10), 1),
                          W0 - lr * A / (s.sqrt() + 1e-10), atol=1e-6)


def test_registry_covers_the_taught_optimizers_with_latex():
    assert {"sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw"} <= set(REGISTRY)
    for name, spec in REGISTRY.items():
        assert "\\theta" in spec.latex and spec.summary, name
        assert "lr" in hparams_for(name) and "weight_decay" in hparams_for(name)
    assert "betas" in hparams_for("adam") and "momentum" not in hparams_for("adam")


def test_set_live_changes_param_groups_and_rejects_other_keys():
    w = torch.nn.Parameter(W0.clone())
    opt = build_optimizer(RunConfig(optimizer="momentum"), [w])
    changed = set_live(opt, lr=0.5, momentum=0.5)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["momentum"] == 0.5
    assert changed == {"lr": (0.01, 0.5), "momentum": (0.9, 0.5)}
    with pytest.raises(KeyError):
        set_live(opt, betas=0.1)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_follows_a_plain_torch_optim_loop(name):
    """The registry adds nothing to torch.optim: 5 steps equal the class's own (same kernel), bit for bit."""
    cfg = RunConfig(optimizer=name, lr=0.05, weight_decay=0.01)
    spec = REGISTRY[name]
    w = torch.nn.Parameter(W0.clone())
    kwargs = {k: getattr(cfg, k) for k in spec.hparams} | spec.fixed | {spec.fast: True}
    plain = getattr(torch.optim, OPTIMIZERS[name].torch_class)([w], **kwargs)
    for _ in range(5):
        plain.zero_grad()
        (A * w).sum().backward()
        plain.step()
    assert torch.equal(take_steps(cfg, 5), w.detach())

"""Optimizer internals at each epoch's end: every Linear layer's gradient norm, update ratio and weight norm,
and an adaptive optimizer's effective per-parameter step sizes.

A few foreach kernels and one host sync (the .tolist() of one concatenated tensor) cover them all: tiny
networks train ~60 epochs a second, and each sync or Python-level op per layer shows in that rate.
"""

from __future__ import annotations

import math

import torch

from playground.engine.history import STEP_COLUMNS, grad_norm_column, update_ratio_column, weight_norm_column
from playground.engine.optim import group_settings

STEP_QUANTILES = (0.1, 0.5, 0.9)  # one per STEP_COLUMNS entry
# The optimizer.state entry each adaptive optimizer divides its step by (lr / (sqrt(v) + eps) per parameter).
# NAdam divides by the same bias-corrected sqrt(v̂) + eps as Adam; only its numerator differs.
DENOMINATORS = ((torch.optim.Adam, "exp_avg_sq"), (torch.optim.AdamW, "exp_avg_sq"),
                (torch.optim.NAdam, "exp_avg_sq"), (torch.optim.RMSprop, "square_avg"),
                (torch.optim.Adagrad, "sum"))


def denominator_state(optimizer: torch.optim.Optimizer) -> str | None:
    """The optimizer.state key of the running squared gradients this optimizer divides by (None: SGD)."""
    return next((key for cls, key in DENOMINATORS if isinstance(optimizer, cls)), None)


def _flat(states: list[dict], key: str) -> torch.Tensor:
    return torch.cat([s[key].reshape(-1) for s in states])


def running_squares(optimizer: torch.optim.Optimizer, params: list[torch.Tensor]) -> tuple[torch.Tensor, dict] | None:
    """Every parameter's running squared gradient v, flattened, and the group's settings; None before a step or for SGD.

    Adam's max_exp_avg_sq with amsgrad, and RMSprop's v - mean(g)^2 when centred, as torch.optim divides by.
    """
    key = denominator_state(optimizer)
    states = [s for s in (optimizer.state.get(p) for p in params) if s and key in s]
    if key is None or not states:
        return None
    group = group_settings(optimizer)
    if key == "exp_avg_sq" and group.get("amsgrad"):
        key = "max_exp_avg_sq"
    v = _flat(states, key)
    if key == "square_avg" and group.get("centered"):
        g = _flat(states, "grad_avg")
        v = v - g * g
    return v, {**group, "step": states[0]["step"]}  # every parameter steps at once here: one step count


def step_size(v: float, t: float, group: dict, kind: str) -> float:
    """The effective step lr / (sqrt(v̂) + eps) of one parameter whose running square is v, at step t.

    Adam, AdamW, NAdam: v̂ = v / (1 - beta2^t) (torch.optim.Adam's documented update applies it to m̂).
    RMSprop: v̂ = v. Adagrad: v̂ = the sum of squares, and lr decays to lr / (1 + (t - 1) lr_decay).
    """
    lr, root = group["lr"], math.sqrt(max(v, 0.0))  # a centred v can round below 0
    if kind == "exp_avg_sq":
        root /= math.sqrt(1 - group["betas"][1] ** t)
    elif kind == "sum":
        lr /= 1 + (t - 1) * group.get("lr_decay", 0.0)
    return lr / (root + group["eps"])


def order_positions(n: int) -> tuple[list[int], list[float]]:
    """For each STEP_QUANTILES q, the two ascending order statistics numpy's linear quantile blends, and the weight."""
    index, weight = [], []
    for q in STEP_QUANTILES:
        pos = (n - 1) * q
        index += [math.floor(pos), math.ceil(pos)]
        weight.append(pos - math.floor(pos))
    return index, weight


class Internals:
    """One trainer's per-layer record: keeps each Linear weight as it was at the last epoch's end."""

    def __init__(self, weights: list[torch.Tensor], params: list[torch.Tensor], optimizer: torch.optim.Optimizer):
        self.weights, self.params, self.optimizer = weights, params, optimizer
        self.shapes = [(w.shape[1], w.shape[0]) for w in weights]  # (in, out) per layer, first layer first
        self.kind = denominator_state(optimizer)  # None: no per-parameter step size (SGD and momentum)
        self._at = [next(i for i, p in enumerate(params) if p is w) for w in weights]  # each weight's place
        self._zero = torch.zeros((), device=params[0].device)  # the gradient of a parameter that got none
        with torch.no_grad():
            self._prev = [w.detach().clone() for w in weights]  # the ratio's W(previous epoch end)
            self._prev_norms = torch.stack(torch._foreach_norm(self._prev)).tolist()
        self._order: tuple[int, torch.Tensor, list[float]] | None = None  # (n, index, weights) of the quantiles

    @property
    def adaptive(self) -> bool:
        """Whether the optimizer divides each parameter's step by its own running RMS (the step columns)."""
        return self.kind is not None

    def _order_stats(self, v: torch.Tensor) -> tuple[torch.Tensor, list[float]]:
        n = v.numel()
        if self._order is None or self._order[0] != n:
            index, weight = order_positions(n)
            self._order = n, torch.tensor(index, device=v.device), weight
        # The step is decreasing in v: v sorted descending lists the step sizes ascending.
        return v.sort(descending=True).values[self._order[1]], self._order[2]

    def record(self, grad_norm: float | None = None, weight_norms: list[float] | None = None) -> dict[str, float]:
        """This epoch's columns, the whole model's grad_norm too; the arguments: already computed (a race's pass)."""
        # Every tensor here is detached or optimizer state: no autograd graph to keep out of.
        w = [p.detach() for p in self.weights]
        grads = [self._zero if p.grad is None else p.grad for p in self.params]
        moves = torch._foreach_sub(w, self._prev)
        parts = [torch.stack(torch._foreach_norm([*grads, *moves, *(w if weight_norms is None else ())]))]
        squares = running_squares(self.optimizer, self.params) if self.kind else None
        if squares is not None:
            v, group = squares
            stats, blend = self._order_stats(v)
            parts += [stats.to(parts[0]), torch.as_tensor(group["step"]).reshape(1).to(parts[0])]
        torch._foreach_copy_(self._prev, w)
        values = torch.cat(parts).tolist()  # the one host sync
        m, n = len(grads), len(w)
        moved = values[m:m + n]
        norms = list(weight_norms) if weight_norms is not None else values[m + n:m + 2 * n]
        row = {"grad_norm": math.sqrt(math.fsum(g * g for g in values[:m])) if grad_norm is None else grad_norm}
        row.update({grad_norm_column(k): values[i] for k, i in enumerate(self._at, start=1)})
        row.update({update_ratio_column(k): d / p if p > 0 else math.nan
                    for k, (d, p) in enumerate(zip(moved, self._prev_norms, strict=True), start=1)})
        row.update({weight_norm_column(k): v for k, v in enumerate(norms, start=1)})
        if squares is not None:
            step, stats = values[-1], values[-1 - 2 * len(blend):-1]
            sizes = [step_size(x, step, group, self.kind) for x in stats]
            row.update({name: lo + (hi - lo) * f for name, lo, hi, f in
                        zip(STEP_COLUMNS, sizes[0::2], sizes[1::2], blend, strict=True)})
        self._prev_norms = norms
        return row

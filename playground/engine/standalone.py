"""A standalone PyTorch training script exported by the Optimization Playground (needs torch only).

It rebuilds the run it came from: the data (embedded below, split and scaled exactly as the app
fed it), the network and its initial weights, the optimizer and the batch order, and prints the
per-epoch history as JSON lines: the same numbers the app recorded, bit for bit on a CPU (both train
on one thread: more threads add up some sums in another order).
Run it with `python THIS_FILE.py`; `--quiet` prints only the last epoch.

Like the app it stops on a NaN or infinite loss, on a loss over 100x its start for 10 epochs in a
row, and (with patience > 0) early, restoring the best epoch's weights. The app also stops a run
stuck at chance for 20 epochs ("stalled"); this script trains such a run on.
"""

import json
import math
import sys

import torch
from torch import nn

# ---- settings (written by the exporter) ----
TITLE = "an example: four points"
CONFIG = {"optimizer": "adam", "lr": 0.01, "epochs": 5}  # the app's settings, for the reader
TASK = "binary"  # binary (BCE with logits), multiclass (cross-entropy) or regression (MSE)
N_FEATURES, N_OUTPUTS = 2, 1
X_TRAIN = [-1.0, -1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0]  # row after row, N_FEATURES numbers each
Y_TRAIN = [0, 1, 1, 0]
X_VAL = []
Y_VAL = []
Y_STD = 1.0  # regression targets are standardized; the RMSE is reported in the original units
SEEDS = {"init": 1, "shuffle": 2, "dropout": 3}  # the app derives them from seed and init_seed
HIDDEN, ACTIVATION, DROPOUT, BATCH_NORM, TFP_INIT = [8], "ReLU", 0.0, False, False
FEATURES = []  # input features the first layer reads (e.g. ["x1", "x2", "x1sq"]); []: the inputs as they are
OPTIMIZER, OPTIMIZER_ARGS = "Adam", {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0.0,
                                     "fused": True}
BATCH_SIZE, FOLD_SINGLE = 4, False  # rows per step; FOLD_SINGLE: batch norm folds a lone last row in
EPOCHS, PATIENCE, MIN_DELTA, RESTORE_BEST = 5, 0, 0.0, True
STACK = None  # a race lane trained in a batched pass: (lanes in the pass, its place), replayed the same way
# ---- end of settings ----

DIVERGE_RATIO, SPIKE_EPOCHS = 100.0, 10  # a loss over 100x its start for 10 epochs in a row diverged
PAD = 64  # the race pads its logits so every one takes the same vectorized exp/log path


class SeededDropout(nn.Dropout):
    """Inverted dropout whose masks come from one seeded generator (so they are the app's masks)."""

    def __init__(self, p, generator):
        super().__init__(p)
        self.generator = generator

    def forward(self, x):
        """Zero each unit with probability p and scale the rest by 1/(1-p), in train mode only."""
        if not self.training or self.p == 0:
            return super().forward(x)
        keep = torch.empty_like(x).bernoulli_(1 - self.p, generator=self.generator)
        return x * keep / (1 - self.p)


# TF Playground's input features, each a function of the two input columns (the app's engine/models.py).
FEATURE_OPS = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: torch.sin(x1),
    "sin_x2": lambda x1, x2: torch.sin(x2),
}


class InputFeatures(nn.Module):
    """The chosen features of a 2-D input, one column each, in order; it has no parameters."""

    def __init__(self, names):
        super().__init__()
        self.names = tuple(names)

    def forward(self, x):
        """(..., 2) inputs -> (..., len(names)) features."""
        x1, x2 = x[..., 0], x[..., 1]
        return torch.stack([FEATURE_OPS[n](x1, x2) for n in self.names], dim=-1)


def tensors(x, y):
    """The embedded rows as tensors: float32 inputs, targets shaped for the loss."""
    xt = torch.tensor(x, dtype=torch.float32).reshape(-1, N_FEATURES)
    if TASK == "multiclass":
        return xt, torch.tensor(y, dtype=torch.int64)
    return xt, torch.tensor(y, dtype=torch.int64 if TASK == "binary" else torch.float32).float().unsqueeze(1)


def build_model():
    """[InputFeatures], then Linear, [BatchNorm], activation, [Dropout] per hidden layer, then the output layer."""
    dropout_gen = torch.Generator().manual_seed(SEEDS["dropout"])
    layers, width = [], N_FEATURES
    if FEATURES:
        layers, width = [InputFeatures(FEATURES)], len(FEATURES)
    for size in HIDDEN:
        layers.append(nn.Linear(width, size))
        if BATCH_NORM:
            layers.append(nn.BatchNorm1d(size))
        layers.append(getattr(nn, ACTIVATION)())
        if DROPOUT > 0:
            layers.append(SeededDropout(DROPOUT, dropout_gen))
        width = size
    layers.append(nn.Linear(width, N_OUTPUTS))
    torch.manual_seed(SEEDS["init"])  # every layer's initial weights are drawn after this, in order
    for layer in layers:
        if hasattr(layer, "reset_parameters"):
            layer.reset_parameters()
        if TFP_INIT and isinstance(layer, nn.Linear):  # TF Playground's: U(-0.5, 0.5), biases 0.1
            nn.init.uniform_(layer.weight, -0.5, 0.5)
            nn.init.constant_(layer.bias, 0.1)
    return nn.Sequential(*layers)


def loss_function():
    """BCE with logits, cross-entropy or mean squared error."""
    return {"binary": nn.BCEWithLogitsLoss, "multiclass": nn.CrossEntropyLoss, "regression": nn.MSELoss}[TASK]()


def _copies(t, lanes, k):
    """t as lane k of a stack of identical lanes; the others are detached, so only lane k learns."""
    return torch.stack([t if j == k else t.detach() for j in range(lanes)])


def forward(model, x):
    """The model's outputs; STACK: the race's batched pass over (lanes, batch, features), lane k's rows."""
    if not STACK:
        return model(x)
    lanes, k = STACK
    if FEATURES:  # the same for every lane: computed once, before the lanes are stacked
        x = model[0](x)
    h = x.unsqueeze(0).expand(lanes, *x.shape)
    for layer in model:
        if isinstance(layer, InputFeatures):
            continue
        if isinstance(layer, nn.Linear):
            bias, weight = _copies(layer.bias, lanes, k), _copies(layer.weight, lanes, k)
            h = torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))
        elif isinstance(layer, (nn.ReLU, nn.Identity)):
            h = layer(h)  # exact, so one call serves every lane
        else:  # per lane: batch statistics, dropout masks, exp-based kernels
            h = _copies(layer(h[k]), lanes, k)
    return h


def batch_loss(loss_fn, out, y):
    """(what to differentiate, this run's mean batch loss); STACK: per lane, padded, as the race computes it."""
    if not STACK:
        loss = loss_fn(out, y)
        return loss, loss
    lanes, k = STACK
    if TASK == "multiclass":
        per = nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), y.repeat(lanes), reduction="none")
    elif TASK == "binary":
        logits = torch.cat([out.reshape(-1), out.new_zeros(PAD)])
        target = torch.cat([y.reshape(-1).repeat(lanes), y.new_zeros(PAD)])
        per = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="none")[: out.numel()]
    else:
        per = nn.functional.mse_loss(out, y.expand_as(out), reduction="none")
    losses = per.reshape(lanes, -1).mean(1)
    return losses.sum(), losses[k]


def evaluate(model, x):
    """Eval-mode outputs of this run (lane k's rows of the stack)."""
    out = forward(model, x)
    return out[STACK[1]] if STACK else out


def batches(n, shuffle_gen):
    """Row indices of each step of one epoch: a fresh shuffled order (None: all rows, in order)."""
    if n <= BATCH_SIZE:
        yield None
        return
    order, pos = torch.randperm(n, generator=shuffle_gen), 0
    while pos < n:
        end = pos + BATCH_SIZE
        if FOLD_SINGLE and n - end == 1:
            end += 1  # a batch of one cannot be normalized: it joins this batch
        yield order[pos:end]
        pos = end


def score(out, y):
    """Accuracy (classes) or RMSE in the original units (regression)."""
    if TASK == "regression":
        return math.sqrt(float(((out - y) ** 2).mean())) * Y_STD
    if TASK == "binary":
        return float(((out > 0).float() == y).float().mean())
    return float((out.argmax(1) == y).float().mean())


def train(quiet=False):
    """Train to the epoch limit (or a stop), printing one JSON line per epoch; returns the history."""
    torch.set_num_threads(1)  # as the app: one thread, so reductions add up in the same order
    x, y = tensors(X_TRAIN, Y_TRAIN)
    x_val, y_val = tensors(X_VAL, Y_VAL)
    model, loss_fn = build_model(), loss_function()
    optimizer = getattr(torch.optim, OPTIMIZER)(model.parameters(), **OPTIMIZER_ARGS)
    shuffle_gen = torch.Generator().manual_seed(SEEDS["shuffle"])
    model.eval()
    with torch.no_grad():
        initial = float(loss_fn(model(x), y))
    history, best, best_epoch, best_state, bad, spikes = [], math.inf, 0, None, 0, 0
    steps, status = 0, "finished"
    for epoch in range(1, EPOCHS + 1):
        loss_sum = torch.zeros(())
        for idx in batches(len(y), shuffle_gen):
            model.train()
            xb, yb = (x, y) if idx is None else (x[idx], y[idx])
            optimizer.zero_grad(set_to_none=True)
            total, loss = batch_loss(loss_fn, forward(model, xb), yb)
            total.backward()
            optimizer.step()
            loss_sum.add_(loss.detach(), alpha=len(yb))
            steps += 1
        row = {"epoch": epoch, "steps": steps, "train_loss": float(loss_sum) / len(y)}
        if len(y_val):
            model.eval()
            with torch.no_grad():
                out = evaluate(model, x_val)
            row.update(val_loss=float(loss_fn(out, y_val)), val_score=score(out, y_val))
        history.append(row)
        if not quiet:
            print(json.dumps(row))
        monitored = row.get("val_loss", row["train_loss"])
        spikes = spikes + 1 if row["train_loss"] > DIVERGE_RATIO * max(initial, 1e-3) else 0
        if not (math.isfinite(row["train_loss"]) and math.isfinite(monitored)) or spikes >= SPIKE_EPOCHS:
            status = "diverged"
            break
        if monitored < best - MIN_DELTA:
            best, best_epoch, bad = monitored, epoch, 0
            if RESTORE_BEST:
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
        if PATIENCE and bad >= PATIENCE:
            status = f"stopped early; the best was epoch {best_epoch}"
            if best_state is not None:
                model.load_state_dict(best_state)
                status += ", and its weights are restored"
            break
    if quiet and history:
        print(json.dumps(history[-1]))
    print(f"{TITLE}: {status} after {len(history)} epochs", file=sys.stderr)
    return model, history


if __name__ == "__main__":
    train(quiet="--quiet" in sys.argv[1:])

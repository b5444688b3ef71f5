"""Exports of a run: a standalone PyTorch script that replays it, and its weights as safetensors.

The script is engine/standalone.py (real, linted code that imports only torch) with its settings
block rewritten for the run: the data as the app fed it, the seeds, the network and the optimizer.
Weights travel only as safetensors, never as pickle: loading a pickle can run any code.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from playground.catalog import ACTIVATIONS
from playground.config import RunConfig
from playground.engine.data import Dataset, load_dataset
from playground.engine.models import applied_features
from playground.engine.optim import REGISTRY
from playground.engine.schedule import BatchSchedule
from playground.engine.train import seeds

TEMPLATE = Path(__file__).with_name("standalone.py")
_SETTINGS = re.compile(r"# ---- settings \(written by the exporter\) ----\n.*?# ---- end of settings ----\n", re.S)
MAX_WEIGHTS_BYTES = 8 * 1024 * 1024  # the largest network the limits allow is ~0.1 MB
PICKLE_MAGIC = (b"\x80", b"PK\x03\x04")  # pickle protocol 2+, and torch.save's zip of pickles


def numbers(values: np.ndarray) -> str:
    """A flat Python list literal that reads back as exactly these values (float32, or integers)."""
    flat = np.asarray(values).ravel()
    if flat.dtype.kind in "iub":
        return _wrapped([str(int(v)) for v in flat])
    flat = flat.astype(np.float32)
    short = [np.format_float_positional(v, unique=True, trim="-") if np.isfinite(v) and v != 0 else repr(float(v))
             for v in flat]  # zeros as 0.0 / -0.0: "-0" would read back as the integer 0
    # The shortest float32 text read as a Python float (float64), then rounded to float32, could in
    # principle round twice differently: such values are written as their exact float64 value.
    back = np.array([float(s) for s in short], dtype=np.float64).astype(np.float32)
    same = back.view(np.int32) == flat.view(np.int32)
    return _wrapped([s if ok else repr(float(v)) for s, ok, v in zip(short, same, flat, strict=True)])


def _wrapped(items: list[str], per_line: int = 10) -> str:
    if len(items) <= per_line:
        return "[" + ", ".join(items) + "]"
    rows = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[\n    " + ",\n    ".join(rows) + ",\n]"


def optimizer_args(cfg: RunConfig) -> tuple[str, dict]:
    """The torch.optim class name and the keyword arguments the app builds it with."""
    spec = REGISTRY[cfg.optimizer]
    kwargs = {k: getattr(cfg, k) for k in spec.hparams}
    kwargs.update(spec.fixed)
    if kwargs.get("nesterov") and not kwargs.get("momentum"):
        kwargs["nesterov"] = False  # as build_optimizer: torch rejects Nesterov without momentum
    kwargs[spec.fast] = True
    return spec.info.torch_class, kwargs


def settings(cfg: RunConfig, data: Dataset, title: str, stack: tuple[int, int] | None = None) -> str:
    """The settings block of the standalone script for this config and data."""
    cls, kwargs = optimizer_args(cfg)
    schedule = BatchSchedule(len(data.y_train), cfg.batch_size, seed=0, batch_norm=cfg.batch_norm and bool(cfg.hidden))
    lines = [
        "# ---- settings (written by the exporter) ----",
        f"TITLE = {title!r}",
        f"CONFIG = {cfg.to_dict()!r}  # the app's settings, for the reader",
        f"TASK = {data.task!r}",
        f"N_FEATURES, N_OUTPUTS = {data.n_features}, {data.n_outputs}",
        f"X_TRAIN = {numbers(data.x_train)}",
        f"Y_TRAIN = {numbers(data.y_train)}",
        f"X_VAL = {numbers(data.x_val)}",
        f"Y_VAL = {numbers(data.y_val)}",
        f"Y_STD = {float(data.y_std)!r}",
        f"SEEDS = {seeds(cfg.seed, cfg.init_seed)!r}",
        f"HIDDEN, ACTIVATION, DROPOUT, BATCH_NORM, TFP_INIT = {list(cfg.hidden)!r}, "
        f"{ACTIVATIONS[cfg.activation]!r}, {cfg.dropout!r}, {cfg.batch_norm!r}, {cfg.init == 'tfp'!r}",
        f"FEATURES = {list(applied_features(cfg, data.n_features))!r}  # []: the inputs as they are",
        f"OPTIMIZER, OPTIMIZER_ARGS = {cls!r}, {kwargs!r}",
        f"BATCH_SIZE, FOLD_SINGLE = {schedule.batch_size}, {schedule.batch_norm!r}",
        f"EPOCHS, PATIENCE, MIN_DELTA, RESTORE_BEST = {cfg.epochs}, {cfg.patience}, {cfg.min_delta!r}, "
        f"{cfg.restore_best!r}",
        f"STACK = {stack!r}  # a race lane trained in a batched pass: (lanes in the pass, its place)",
        "# ---- end of settings ----",
    ]
    return "\n".join(lines) + "\n"


def script(cfg: RunConfig, data: Dataset | None = None, *, title: str = "",
           stack: tuple[int, int] | None = None) -> str:
    """The standalone script of a run (data: the run's own, e.g. an upload; default: cfg's dataset).

    stack: a race lane that trained in a batched pass with other lanes, as Race.stack_of gives it.
    """
    data = data if data is not None else load_dataset(cfg)
    block = settings(cfg, data, title or f"{cfg.dataset} with {REGISTRY[cfg.optimizer].label}", stack)
    return _SETTINGS.sub(lambda _: block, TEMPLATE.read_text(encoding="utf-8"), count=1)


# ---- weights ---------------------------------------------------------------------------------------


def weights_bytes(model: torch.nn.Module, cfg: RunConfig, epoch: int) -> bytes:
    """The model's state (weights, biases, batch-norm statistics) as a safetensors file."""
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    return st_save(tensors, metadata={"config": cfg.to_json(), "epoch": str(epoch),
                                      "format": "optimization-playground weights"})


def read_weights(data: bytes, model: torch.nn.Module) -> tuple[dict[str, torch.Tensor] | None, str]:
    """Parse safetensors bytes for this model: (tensors, "") or (None, why they cannot be used)."""
    if len(data) > MAX_WEIGHTS_BYTES:
        return None, f"the file is over {MAX_WEIGHTS_BYTES // (1024 * 1024)} MB; nothing was imported"
    if data.startswith(PICKLE_MAGIC):
        return None, ("this looks like a pickle (torch.save) file; weights are imported only as safetensors, "
                      "because loading a pickle can run any code. Nothing was imported")
    try:
        tensors = st_load(data)
    except (SafetensorError, ValueError, RuntimeError, OverflowError):
        return None, "this is not a safetensors file (weights are imported only as safetensors); nothing was imported"
    expected = {k: v.shape for k, v in model.state_dict().items()}
    got = {k: v.shape for k, v in tensors.items()}
    if set(got) != set(expected):
        return None, (f"these weights are for another network ({len(got)} tensors, this one has {len(expected)}); "
                      "nothing was imported")
    wrong = [k for k in expected if tuple(got[k]) != tuple(expected[k])]
    if wrong:
        return None, (f"'{wrong[0]}' is {tuple(got[wrong[0]])} in the file but {tuple(expected[wrong[0]])} here: "
                      "these weights are for another network; nothing was imported")
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        return None, f"'{bad[0]}' holds NaN or infinite values; nothing was imported"
    return tensors, ""


def import_weights(trainer, data: bytes) -> str | None:
    """Load safetensors weights into a trainer's model (its optimizer state stays); None, or why not."""
    with trainer.lock:  # never while a worker thread trains these weights
        tensors, problem = read_weights(data, trainer.model)
        if tensors is None:
            return problem
        trainer.model.load_state_dict(tensors)
        trainer.history.events.append((trainer.current_epoch, "weights imported"))
    return None

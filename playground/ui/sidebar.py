"""Sidebar widgets, seeded from a RunConfig (via session.push_config), returning a new RunConfig."""

from __future__ import annotations

import streamlit as st

from playground import config as C
from playground.config import RunConfig
from playground.data import REGISTRY
from playground.optim import REGISTRY as OPTIMIZERS
from playground.optim import hparams_for
from playground.presets import PRESETS

# Log-spaced choices, like the TF Playground's learning-rate menu.
LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WD_STEPS = (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
EPS_STEPS = (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0)
MOMENTUM_STEPS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
SPEEDS = (1, 2, 5, 10, 20, 40, 60, 80, 160, 1000)
BATCH_MODES = ("Full batch", "Mini-batch", "Stochastic (1)")
W = "w_"  # widget keys are W + field name, so session.push_config can seed them


def with_value(steps: tuple, value) -> list:
    """The step list plus an off-grid value (from a URL), kept sorted."""
    return sorted(set(steps) | {value})


def config_ui(base: RunConfig) -> RunConfig:
    """Draw all controls in the sidebar; returns the config they describe."""
    sb = st.sidebar
    sb.selectbox("Lesson", list(PRESETS), key="preset", format_func=lambda n: PRESETS[n].title,
                 on_change=_load_preset, help="Load a ready-made setup")
    values: dict = {}
    with sb.expander("Data", expanded=True):
        values.update(_data_ui(base))
    with sb.expander("Network", expanded=True):
        values.update(_network_ui())
    with sb.expander("Optimizer", expanded=True):
        values.update(_optimizer_ui(base))
    with sb.expander("Regularization", expanded=True):
        values.update(_regularization_ui(base))
    with sb.expander("Training", expanded=True):
        values.update(_training_ui())
    return base.replace(**values)


def _load_preset() -> None:
    from playground.ui import session

    session.push_config(PRESETS[st.session_state["preset"]].config, reason="lesson")


def _data_ui(base: RunConfig) -> dict:
    names = [n for n in C.DATASETS if n in REGISTRY or n == "csv"]
    dataset = st.selectbox("Dataset", names, key=W + "dataset",
                           format_func=lambda n: "Upload CSV…" if n == "csv" else f"{n} — {REGISTRY[n].description}")
    out = {"dataset": dataset}
    synthetic = dataset in REGISTRY and REGISTRY[dataset].synthetic and dataset != "seedlab"
    if synthetic:
        out["n_points"] = st.slider("Points", 10, C.MAX_POINTS, key=W + "n_points",
                                    help=f"At most {C.MAX_POINTS} points")
        out["noise"] = st.slider("Noise", 0.0, 1.0, step=0.05, key=W + "noise")
    if dataset == "blobs":
        out["classes"] = st.slider("Classes", 2, C.MAX_CLASSES, key=W + "classes")
    out["val_frac"] = st.slider("Validation share", 0.0, 0.8, step=0.05, key=W + "val_frac",
                                help="Held out: never trained on, used to spot overfitting")
    out["seed"] = int(st.number_input("Seed", 0, 2**31 - 1, step=1, key=W + "seed"))
    st.button("New data", key="new_data", icon=":material/casino:", on_click=_bump, args=("seed",),
              help="Draw a new sample (seed + 1)")
    return out


def _bump(name: str) -> None:
    from playground.ui import session

    session.bump_seed(name)


def _network_ui() -> dict:
    n_layers = st.slider("Hidden layers", 0, C.MAX_LAYERS, key=W + "n_layers",
                         help="0 hidden layers is logistic (or linear) regression")
    cols = st.columns(3)
    hidden = tuple(int(cols[i % 3].number_input(f"Layer {i + 1}", 1, C.MAX_NEURONS, step=1,
                                                key=f"{W}layer_{i}")) for i in range(n_layers))
    activation = st.selectbox("Activation", C.ACTIVATIONS, key=W + "activation", disabled=not hidden)
    return {"hidden": hidden, "activation": activation}


def _optimizer_ui(base: RunConfig) -> dict:
    name = st.selectbox("Optimizer", list(OPTIMIZERS), key=W + "optimizer",
                        format_func=lambda n: OPTIMIZERS[n].label)
    used = hparams_for(name)
    out = {"optimizer": name}
    out["lr"] = st.select_slider("Learning rate", with_value(LR_STEPS, base.lr), key=W + "lr",
                                 format_func=lambda v: f"{v:g}", help="Log scale; applies at once while training")
    if "momentum" in used:
        out["momentum"] = st.select_slider("Momentum μ", with_value(MOMENTUM_STEPS, base.momentum),
                                           key=W + "momentum")
    if "nesterov" in used:
        out["nesterov"] = st.checkbox("Nesterov look-ahead", key=W + "nesterov")
    if "betas" in used:
        cols = st.columns(2)
        b1 = cols[0].number_input("β1", 0.0, 0.999, step=0.01, format="%.3f", key=W + "beta1")
        b2 = cols[1].number_input("β2", 0.0, 0.9999, step=0.001, format="%.4f", key=W + "beta2")
        out["betas"] = (float(b1), float(b2))
    if "eps" in used:
        out["eps"] = st.select_slider("ε", with_value(EPS_STEPS, base.eps), key=W + "eps",
                                      format_func=lambda v: f"{v:g}")
    mode = st.radio("Batch", BATCH_MODES, key=W + "batch_mode", horizontal=True)
    if mode == "Mini-batch":
        out["batch_size"] = int(st.number_input("Batch size", 2, C.MAX_POINTS, step=1, key=W + "batch_size"))
    else:
        out["batch_size"] = 0 if mode == "Full batch" else 1
    return out


def _regularization_ui(base: RunConfig) -> dict:
    wd = st.select_slider("L2 weight decay λ", with_value(WD_STEPS, base.weight_decay), key=W + "weight_decay",
                          format_func=lambda v: f"{v:g}",
                          help="Coupled to the gradient in Adam; decoupled in AdamW")
    dropout = st.slider("Dropout p", 0.0, 0.9, step=0.05, key=W + "dropout",
                        help="Zeroes hidden units while training only")
    bn = st.toggle("Batch norm", key=W + "batch_norm", help="Normalize each hidden layer over the batch")
    return {"weight_decay": wd, "dropout": dropout, "batch_norm": bn}


def _training_ui() -> dict:
    out = {"epochs": int(st.number_input("Epoch limit", 1, C.MAX_EPOCHS, step=10, key=W + "epochs",
                                         help=f"At most {C.MAX_EPOCHS}"))}
    st.select_slider("Speed (epochs/s)", SPEEDS, key="speed", format_func=lambda v: "max" if v == 1000 else str(v))
    cols = st.columns(2)
    out["patience"] = int(cols[0].number_input("Early-stop patience", 0, C.MAX_EPOCHS, step=1,
                                               key=W + "patience", help="0 turns early stopping off"))
    out["min_delta"] = float(cols[1].number_input("min Δ", 0.0, 1.0, step=0.001, format="%.4f",
                                                  key=W + "min_delta"))
    out["restore_best"] = st.checkbox("Restore best weights", key=W + "restore_best")
    return out

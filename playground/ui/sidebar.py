"""Sidebar widgets, seeded from a RunConfig (via state.push_config), returning a new RunConfig."""

from __future__ import annotations

import streamlit as st

from playground import catalog
from playground import config as C
from playground.catalog import CSV, DATASETS, OPTIMIZERS
from playground.config import RunConfig
from playground.lessons import PRESETS
from playground.ui import live, state
from playground.ui.state import BATCH_MODES, W

# Log-spaced choices, like the TF Playground's learning-rate menu.
LR_STEPS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WD_STEPS = (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
EPS_STEPS = (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0)
MOMENTUM_STEPS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


def with_value(steps: tuple, value) -> list:
    """The step list plus an off-grid value (from a URL), kept sorted."""
    return sorted(set(steps) | {value})


# The settings a learner changes most (with their widths), in one row on the single-run page as in the TF
# Playground's top bar; the sidebar keeps the rest, so the page can be used with it closed.
QUICK = {"dataset": 1.4, "optimizer": 1.1, "lr": 1.2, "weight_decay": 1.3, "dropout": 1.0, "batch_norm": 1.4}


def config_ui(base: RunConfig, quick=None) -> RunConfig:
    """Draw the controls the link shows: QUICK ones in the `quick` container if given, the rest in the sidebar."""
    sb, hidden = st.sidebar, set(state.ui().hide)
    lesson = state.ui().lesson
    state.seed_missing_widget("lesson", lesson if lesson in PRESETS else "default")
    if "lesson" not in hidden:
        sb.selectbox("Lesson", list(PRESETS), key="lesson", format_func=lambda n: PRESETS[n].title,
                     on_change=_load_lesson, help="Load a ready-made setup")
    values: dict = {}
    in_row = [n for n in QUICK if n not in hidden] if quick is not None else []
    if in_row:  # first: the sidebar's controls depend on the dataset and the optimizer chosen here
        for col, name in zip(quick.columns([QUICK[n] for n in in_row], vertical_alignment="bottom"), in_row,
                             strict=True):
            with col:
                draw_controls([name], base, values)
    for title, names in GROUPS:
        shown = [n for n in names if n not in hidden and n not in in_row]
        if shown:
            with sb.expander(title, expanded=True):
                draw_controls(shown, base, values)
                if title == "Training" and quick is None:  # else the speed is in the transport's row
                    live.speed_ui()
    return base.replace(**values)


def draw_controls(names, base: RunConfig, values: dict) -> dict:
    """Draw the named controls where the caller is (sidebar or main area), adding their values."""
    for name in names:
        values.update(CONTROLS[name](base, values))
    return values


def _load_lesson() -> None:
    name = state.widget("lesson")
    state.push_config(PRESETS[name].config)
    state.ui().lesson = name


def _dataset(base: RunConfig, values: dict) -> dict:
    return {"dataset": st.selectbox("Dataset", catalog.DATASET_NAMES, key=W + "dataset",
                                    format_func=lambda n: "Upload CSV…" if n == CSV
                                    else f"{n} — {DATASETS[n].description}")}


def _sized(values: dict, base: RunConfig) -> bool:
    info = DATASETS.get(values.get("dataset", base.dataset))
    return info is not None and info.synthetic and info.sized


def _n_points(base: RunConfig, values: dict) -> dict:
    if not _sized(values, base):
        return {}
    return {"n_points": st.slider("Points", 10, C.MAX_POINTS, key=W + "n_points",
                                  help=f"At most {C.MAX_POINTS} points")}


def _noise(base: RunConfig, values: dict) -> dict:
    return {"noise": st.slider("Noise", 0.0, 1.0, step=0.05, key=W + "noise")} if _sized(values, base) else {}


def _classes(base: RunConfig, values: dict) -> dict:
    if values.get("dataset", base.dataset) != "blobs":
        return {}
    return {"classes": st.slider("Classes", 2, C.MAX_CLASSES, key=W + "classes")}


def _val_frac(base: RunConfig, values: dict) -> dict:
    return {"val_frac": st.slider("Validation share", 0.0, 0.8, step=0.05, key=W + "val_frac",
                                  help="Held out: never trained on, used to spot overfitting")}


def _seed(base: RunConfig, values: dict) -> dict:
    out = {"seed": int(st.number_input("Seed", 0, C.MAX_SEED, step=1, key=W + "seed"))}
    st.button("New data", key="new_data", icon=":material/casino:", on_click=state.bump_seed, args=("seed",),
              help="Draw a new sample (seed + 1)")
    return out


def _features(base: RunConfig, values: dict) -> dict:
    info = DATASETS.get(values.get("dataset", base.dataset))
    if info is not None and info.inputs != 2:  # an upload may be 2-D: its run says when features do not apply
        return {}
    rule = C.FIELDS["features"].metadata["help"]
    chosen = st.multiselect("Input features", tuple(catalog.INPUT_FEATURES), key=W + "features",
                            format_func=catalog.INPUT_FEATURES.get, on_change=_keep_a_feature,
                            help=rule[:1].upper() + rule[1:] + ", as in the TF Playground")
    return {"features": tuple(chosen)} if chosen else {}


def _keep_a_feature() -> None:
    # Emptying the picker would leave the network no input: keep what it read before.
    if not state.widget(W + "features"):
        kept = (state.ui().cfg or RunConfig()).features
        state.seed_widget(W + "features", list(kept))
        state.ui().notice = (f"The network needs {C.FEATURES.too_long}; kept "
                             f"{', '.join(catalog.INPUT_FEATURES[n] for n in kept)}.")


def _hidden(base: RunConfig, values: dict) -> dict:
    n_layers = st.slider("Hidden layers", 0, C.MAX_LAYERS, key=W + "n_layers",
                         help="0 hidden layers is logistic (or linear) regression")
    cols = st.columns(3)
    return {"hidden": tuple(int(cols[i % 3].number_input(f"Layer {i + 1}", 1, C.MAX_NEURONS, step=1,
                                                         key=f"{W}layer_{i}")) for i in range(n_layers))}


NEW_LAYER_UNITS = 4  # a first hidden layer added from the network view; later ones copy the last one's width


def edit_network(key: str) -> None:
    """The network view's +/- (its value under key: {op, layer, delta}), applied to the hidden-layer widgets."""
    edit = state.widget(key) or {}
    sizes = [int(state.widget(f"{W}layer_{i}", NEW_LAYER_UNITS)) for i in range(int(state.widget(W + "n_layers", 0)))]
    delta, layer = int(edit.get("delta", 0)), int(edit.get("layer", -1))
    if edit.get("op") == "layers":
        sizes = sizes[:-1] if delta < 0 else [*sizes, sizes[-1] if sizes else NEW_LAYER_UNITS]
    elif edit.get("op") == "units" and 0 <= layer < len(sizes):
        sizes[layer] += 1 if delta > 0 else -1
    sizes = [min(max(n, 1), C.MAX_NEURONS) for n in sizes[:C.MAX_LAYERS]]
    state.seed_widget(W + "n_layers", len(sizes))
    for i, n in enumerate(sizes):
        state.seed_widget(f"{W}layer_{i}", n)
    state.ui().network_edited = True


def _activation(base: RunConfig, values: dict) -> dict:
    return {"activation": st.selectbox("Activation", tuple(catalog.ACTIVATIONS), key=W + "activation",
                                       disabled=not values.get("hidden", base.hidden))}


def _init(base: RunConfig, values: dict) -> dict:
    return {"init": st.selectbox("Initial weights", tuple(catalog.INITS), key=W + "init", format_func=catalog.INITS.get,
                                 help="How the starting weights are drawn; Reset draws new ones the same way")}


def _optimizer(base: RunConfig, values: dict) -> dict:
    return {"optimizer": st.selectbox("Optimizer", list(OPTIMIZERS), key=W + "optimizer",
                                      format_func=lambda n: OPTIMIZERS[n].label)}


def _uses(name: str, base: RunConfig, values: dict) -> bool:
    return name in OPTIMIZERS[values.get("optimizer", base.optimizer)].hparams


def _lr(base: RunConfig, values: dict) -> dict:
    return {"lr": st.select_slider("Learning rate", with_value(LR_STEPS, base.lr), key=W + "lr",
                                   format_func=lambda v: f"{v:g}", help="Log scale; applies at once while training")}


def _momentum(base: RunConfig, values: dict) -> dict:
    if not _uses("momentum", base, values):
        return {}
    return {"momentum": st.select_slider("Momentum μ", with_value(MOMENTUM_STEPS, base.momentum), key=W + "momentum")}


def _nesterov(base: RunConfig, values: dict) -> dict:
    if not _uses("nesterov", base, values):
        return {}
    return {"nesterov": st.checkbox("Nesterov look-ahead", key=W + "nesterov")}


def _betas(base: RunConfig, values: dict) -> dict:
    if not _uses("betas", base, values):
        return {}
    cols = st.columns(2)
    b1 = cols[0].number_input("β1", 0.0, C.MAX_BETAS[0], step=0.01, format="%.3f", key=W + "beta1")
    b2 = cols[1].number_input("β2", 0.0, C.MAX_BETAS[1], step=0.001, format="%.4f", key=W + "beta2")
    return {"betas": (float(b1), float(b2))}


def _eps(base: RunConfig, values: dict) -> dict:
    if not _uses("eps", base, values):
        return {}
    return {"eps": st.select_slider("ε", with_value(EPS_STEPS, base.eps), key=W + "eps",
                                    format_func=lambda v: f"{v:g}")}


def _batch_size(base: RunConfig, values: dict) -> dict:
    mode = st.radio("Batch", BATCH_MODES, key=W + "batch_mode", horizontal=True)
    if mode == "Mini-batch":
        return {"batch_size": int(st.number_input("Batch size", 2, C.MAX_POINTS, step=1, key=W + "batch_size"))}
    return {"batch_size": 0 if mode == "Full batch" else 1}


def _weight_decay(base: RunConfig, values: dict) -> dict:
    return {"weight_decay": st.select_slider("L2 weight decay λ", with_value(WD_STEPS, base.weight_decay),
                                             key=W + "weight_decay", format_func=lambda v: f"{v:g}",
                                             help="Coupled to the gradient in Adam; decoupled in AdamW")}


def _dropout(base: RunConfig, values: dict) -> dict:
    return {"dropout": st.slider("Dropout p", 0.0, 0.9, step=0.05, key=W + "dropout",
                                 help="Zeroes hidden units while training only")}


def _batch_norm(base: RunConfig, values: dict) -> dict:
    return {"batch_norm": st.toggle("Batch norm", key=W + "batch_norm",
                                    help="Normalize each hidden layer over the batch")}


def _epochs(base: RunConfig, values: dict) -> dict:
    return {"epochs": int(st.number_input("Epoch limit", 1, C.MAX_EPOCHS, step=10, key=W + "epochs",
                                          help=f"At most {C.MAX_EPOCHS}"))}


def _patience(base: RunConfig, values: dict) -> dict:
    return {"patience": int(st.number_input("Early-stop patience", 0, C.MAX_EPOCHS, step=1, key=W + "patience",
                                            help="Epochs without a new low of the validation loss (the train loss "
                                                 "without a validation split) before stopping; 0 = off"))}


def _min_delta(base: RunConfig, values: dict) -> dict:
    return {"min_delta": float(st.number_input("min Δ", 0.0, 1.0, step=0.001, format="%.4f", key=W + "min_delta"))}


def _restore_best(base: RunConfig, values: dict) -> dict:
    return {"restore_best": st.checkbox("Restore best weights", key=W + "restore_best")}


# Every setting's control, by RunConfig field name; the sidebar draws them in GROUPS, projector mode
# draws a lesson's own. (device has no control: the server picks it.)
CONTROLS = {
    "dataset": _dataset, "n_points": _n_points, "noise": _noise, "classes": _classes, "val_frac": _val_frac,
    "seed": _seed, "features": _features, "hidden": _hidden, "activation": _activation, "init": _init,
    "optimizer": _optimizer, "lr": _lr, "momentum": _momentum, "nesterov": _nesterov, "betas": _betas, "eps": _eps,
    "batch_size": _batch_size, "weight_decay": _weight_decay, "dropout": _dropout, "batch_norm": _batch_norm,
    "epochs": _epochs, "patience": _patience, "min_delta": _min_delta, "restore_best": _restore_best,
}
GROUPS = (
    ("Data", ("dataset", "n_points", "noise", "classes", "val_frac", "seed")),
    ("Network", ("features", "hidden", "activation", "init")),
    ("Optimizer", ("optimizer", "lr", "momentum", "nesterov", "betas", "eps", "batch_size")),
    ("Regularization", ("weight_decay", "dropout", "batch_norm")),
    ("Training", ("epochs", "patience", "min_delta", "restore_best")),
)

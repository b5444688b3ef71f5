"""All st.session_state and st.query_params access: config from the URL, widget seeding,
and the per-visitor trainer."""

from __future__ import annotations

import uuid

import streamlit as st

from playground.config import MAX_LAYERS, MAX_TRAINING_SESSIONS, RunConfig
from playground.race_config import RaceConfig
from playground.slots import TrainingSlots
from playground.ui.sidebar import BATCH_MODES, W

CFG = "cfg"  # the config the widgets were last seeded from, or that they produced


def widget_values(cfg: RunConfig) -> dict:
    """Session-state values that make every sidebar widget show cfg."""
    values = {W + name: value for name, value in cfg.to_dict().items() if not isinstance(value, list)}
    values[W + "n_layers"] = len(cfg.hidden)
    for i in range(MAX_LAYERS):
        values[f"{W}layer_{i}"] = cfg.hidden[i] if i < len(cfg.hidden) else 8
    values[W + "beta1"], values[W + "beta2"] = cfg.betas
    mode = 0 if cfg.batch_size == 0 else 2 if cfg.batch_size == 1 else 1
    values[W + "batch_mode"] = BATCH_MODES[mode]
    values[W + "batch_size"] = cfg.batch_size if cfg.batch_size > 1 else 32
    return values


def push_config(cfg: RunConfig, reason: str = "") -> None:
    """Make the widgets show cfg (a lesson, a URL, an import, New data or Reset)."""
    for key, value in widget_values(cfg).items():
        st.session_state[key] = value
    st.session_state[CFG] = cfg
    if reason:
        st.session_state["notice"] = reason


def seed_missing_widgets(cfg: RunConfig) -> None:
    """Restore widgets Streamlit forgot while they were hidden (e.g. Points for the seed lab)."""
    for key, value in widget_values(cfg).items():
        if key not in st.session_state:
            st.session_state[key] = value


def bump_seed(name: str) -> None:
    """New data (seed + 1) or new initial weights (init_seed + 1)."""
    cfg = current_config()
    push_config(cfg.replace(**{name: getattr(cfg, name) + 1}))


def bootstrap() -> tuple[RunConfig, list[str]]:
    """On a visitor's first run read the config from the URL; later runs keep theirs."""
    if CFG in st.session_state:
        return st.session_state[CFG], []
    params = {k: st.query_params.get(k) for k in st.query_params}
    if params.get("mode") == "race":
        rcfg, warnings = RaceConfig.from_query(params)
        st.session_state["mode"] = "Race"
        st.session_state["lanes"] = [dict(lane) for lane in rcfg.lanes]
        cfg = rcfg.base
    else:
        lane_keys = [k for k in params if k == "mode" or k.startswith("lane")]
        cfg, warnings = RunConfig.from_query({k: v for k, v in params.items() if k not in lane_keys})
        if "mode" in params:
            warnings.append(f"unknown mode '{str(params['mode'])[:40]}' was ignored; showing a single run")
        if any(k.startswith("lane") for k in lane_keys):
            warnings.append("lane settings only apply with mode=race; they were ignored")
    push_config(cfg)
    return cfg, warnings


def current_config() -> RunConfig:
    """The config the widgets last produced."""
    return st.session_state.get(CFG, RunConfig())


def remember(cfg: RunConfig, query: dict[str, str] | None = None) -> None:
    """Store the widgets' config and mirror it (or a race's query) into the URL."""
    st.session_state[CFG] = cfg
    query = query or cfg.to_query()
    if {k: st.query_params.get(k) for k in st.query_params} != query:
        st.query_params.from_dict(query)


@st.cache_resource
def training_slots() -> TrainingSlots:
    """One per server process, shared by every visitor's session."""
    return TrainingSlots(MAX_TRAINING_SESSIONS)


def session_id() -> str:
    """A random id for this browser session (for the training queue)."""
    if "sid" not in st.session_state:
        st.session_state["sid"] = uuid.uuid4().hex
    return st.session_state["sid"]


def get(key: str, default=None):
    """Read a per-session value."""
    return st.session_state.get(key, default)


def put(key: str, value) -> None:
    """Store a per-session value."""
    st.session_state[key] = value


def pop(key: str, default=None):
    """Remove and return a per-session value."""
    return st.session_state.pop(key, default)

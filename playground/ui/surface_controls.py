"""The surfaces page's controls: the sidebar (lesson, surface, start, noise, limits) and the paths editor."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from playground import config as C
from playground.catalog import OPTIMIZERS, SURFACES
from playground.config import RunConfig
from playground.fields import format_value
from playground.lessons import LESSONS, SURFACE_LESSONS
from playground.markup import md
from playground.surfaces.config import MAX_NOISE, SurfaceConfig, parse_path
from playground.ui import live, state
from playground.ui.sidebar import with_value

S = "s_"  # widget keys: S + setting name
KAPPA_STEPS = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
NOISE_STEPS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, MAX_NOISE)
TOL_STEPS = (1e-15, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1.0)  # the config's whole range
COLUMNS = ("optimizer", "lr", "momentum", "nesterov", "beta1", "beta2", "eps", "weight_decay")


def widget_values(scfg: SurfaceConfig) -> dict:
    """Session-state values that make every surface widget show scfg."""
    x, y = scfg.start_point
    return {S + "surface": scfg.surface, S + "kappa": scfg.kappa, S + "angle": scfg.angle, S + "x0": x,
            S + "y0": y, S + "noise": scfg.noise, S + "seed": scfg.seed, S + "steps": scfg.steps, S + "tol": scfg.tol}


def push(scfg: SurfaceConfig) -> None:
    """Make the widgets and the paths editor show scfg (a lesson or a link)."""
    for key, value in widget_values(scfg).items():
        state.seed_widget(key, value)
    ui = state.ui()
    ui.surface, ui.surface_paths_version = scfg, ui.surface_paths_version + 1


def surface_ui() -> SurfaceConfig:
    """The sidebar and the paths editor; returns the config they describe."""
    ui = state.ui()
    base = ui.surface or SurfaceConfig()
    for key, value in widget_values(base).items():
        state.seed_missing_widget(key, value)  # widgets Streamlit forgot while another mode showed
    if ui.surface_pending:
        state.seed_widget(S + "x0", ui.surface_pending[0])
        state.seed_widget(S + "y0", ui.surface_pending[1])
        ui.surface_pending = None
    if ui.present:  # projector mode: the lesson's run as it is, no sidebar and no paths editor
        return base
    values = _sidebar(base)
    with st.expander(f"Paths: 1 to {C.MAX_PATHS} optimizers from the same start", expanded=True):
        paths, warnings = paths_ui(base)
        for w in warnings:
            st.warning(md(w))
    return base.replace(**values, paths=paths)


def _sidebar(base: SurfaceConfig) -> dict:
    sb = st.sidebar
    lesson = state.ui().lesson
    state.seed_missing_widget(S + "lesson", lesson if lesson in SURFACE_LESSONS else "")
    sb.selectbox("Lesson", ["", *SURFACE_LESSONS], key=S + "lesson", on_change=_load_lesson,
                 format_func=lambda n: LESSONS[n].title if n else "Free play", help="Load a ready-made surface run")
    name = sb.selectbox("Surface", list(SURFACES), key=S + "surface", on_change=_surface_changed,
                        format_func=lambda n: SURFACES[n].label)
    out: dict = {"surface": name}
    if name == "quadratic":
        out["kappa"] = float(sb.select_slider("Condition number κ", with_value(KAPPA_STEPS, base.kappa),
                                              key=S + "kappa", format_func=lambda v: f"{v:g}",
                                              help="Curvature across the ravine over curvature along it"))
        out["angle"] = float(sb.slider("Rotation (degrees)", -90.0, 90.0, step=5.0, key=S + "angle"))
    (xlo, xhi), (ylo, yhi) = SURFACES[name].domain
    cols = sb.columns(2)
    x = cols[0].number_input("Start x", xlo, xhi, step=0.1, format="%.4f", key=S + "x0")
    y = cols[1].number_input("Start y", ylo, yhi, step=0.1, format="%.4f", key=S + "y0",
                             help="Or click the contour plot")
    out["start"] = () if (x, y) == SURFACES[name].start else (float(x), float(y))
    out["noise"] = float(sb.select_slider("Gradient noise σ", with_value(NOISE_STEPS, base.noise), key=S + "noise",
                                          format_func=lambda v: f"{v:g}",
                                          help="Gaussian noise added to every gradient, as a mini-batch would"))
    out["seed"] = int(sb.number_input("Noise seed", 0, C.MAX_SEED, step=1, key=S + "seed"))
    out["steps"] = int(sb.number_input("Step limit", 1, C.MAX_SURFACE_STEPS, step=50, key=S + "steps"))
    out["tol"] = float(sb.select_slider("ε (converged once f − f* < ε)", with_value(TOL_STEPS, base.tol),
                                        key=S + "tol", format_func=lambda v: f"{v:g}"))
    with sb:
        live.speed_ui("steps")
    return out


def _load_lesson() -> None:
    name, ui = state.widget(S + "lesson"), state.ui()
    ui.lesson, ui.playing = name or None, False
    if name:
        push(LESSONS[name].surface)


def _surface_changed() -> None:
    start = SURFACES[state.widget(S + "surface")].start
    state.seed_widget(S + "x0", start[0])
    state.seed_widget(S + "y0", start[1])


def _rows(base: SurfaceConfig) -> pd.DataFrame:
    rows = []
    for cfg in base.path_configs():
        used = OPTIMIZERS[cfg.optimizer].hparams
        values = {name: getattr(cfg, name) if name in used else None for name in COLUMNS[1:] if "beta" not in name}
        betas = cfg.betas if "betas" in used else (None, None)
        rows.append({"optimizer": cfg.optimizer, **values, "beta1": betas[0], "beta2": betas[1]})
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _column_config() -> dict:
    cc, meta = st.column_config, {name: C.FIELDS[name].metadata for name in ("lr", "momentum", "eps", "weight_decay")}

    def number(name: str, label: str) -> object:
        return cc.NumberColumn(label, min_value=meta[name]["lo"], max_value=meta[name]["hi"], format="%g")

    return {"optimizer": cc.SelectboxColumn("optimizer", options=list(OPTIMIZERS), required=True),
            "lr": number("lr", "lr"), "momentum": number("momentum", "momentum μ"),
            "nesterov": cc.CheckboxColumn("Nesterov"),
            "beta1": cc.NumberColumn("β1", min_value=0.0, max_value=C.MAX_BETAS[0], format="%g"),
            "beta2": cc.NumberColumn("β2", min_value=0.0, max_value=C.MAX_BETAS[1], format="%g"),
            "eps": number("eps", "ε (Adam's)"), "weight_decay": number("weight_decay", "L2 λ")}


def paths_ui(base: SurfaceConfig) -> tuple[tuple, list[str]]:
    """An editable table of paths; empty cells are settings the row's optimizer does not use."""
    edited = st.data_editor(_rows(base), key=f"{S}paths_{state.ui().surface_paths_version}", num_rows="dynamic",
                            width="stretch", column_config=_column_config(), hide_index=True)
    st.caption("Empty cells: settings that row's optimizer does not use. Every path starts from the same point.")
    warnings, paths = [], []
    for k, row in enumerate(edited.to_dict("records"), start=1):
        path = parse_path(_row_text(row), f"path {k}", warnings) if row.get("optimizer") in OPTIMIZERS else None
        if path:
            paths.append(path)
    if len(paths) > C.MAX_PATHS:
        warnings.append(f"at most {C.MAX_PATHS} paths; only the first {C.MAX_PATHS} run")
    if not paths:
        warnings.append("a surface run needs at least one path with an optimizer; keeping the previous paths")
        return base.paths, warnings
    return tuple(paths[: C.MAX_PATHS]), warnings


def _row_text(row: dict) -> str:
    """A table row as path text ('adam:lr=0.1;betas=0.9,0.999'), keeping only what its optimizer uses."""
    name = row["optimizer"]
    used, default = OPTIMIZERS[name].hparams, RunConfig()
    cells = {k: _plain(v) for k, v in row.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    if "beta1" in cells or "beta2" in cells:
        cells["betas"] = (cells.pop("beta1", default.betas[0]), cells.pop("beta2", default.betas[1]))
    parts = [f"{k}={format_value(v)}" for k, v in cells.items() if k in used and k != "optimizer"]
    return f"{name}:{';'.join(parts)}"


def _plain(value):
    """A cell as a plain Python value (numpy's repr would reach the URL as 'np.float64(0.1)')."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return float(value) if isinstance(value, (int, float, np.number)) else value

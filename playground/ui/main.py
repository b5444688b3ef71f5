"""The page: read the URL (first run) or the widgets, pick the mode's page, then the shared parts."""

from __future__ import annotations

from contextlib import nullcontext

import streamlit as st

from playground import links
from playground.catalog import CSV, MODES
from playground.engine.train import Trainer
from playground.markup import md
from playground.ui import classroom, exports, files, live, panels, reconnect, sidebar, state, upload
from playground.ui.pages import race, single, surfaces, sweep

# Only the open tab's content runs and is sent: Streamlit's browser side re-renders every element on the
# page at each live tick, and the four tabs' content cost the playing page a third of its animation frames
# (measured: 25 -> 41 per second on the tf-playground lesson).
TABS_KEY = "tabs"
MODE_LABELS = {"single": "Single run", "race": "Race", "surfaces": "Surfaces", "sweep": "Sweep"}


def page(corner=None) -> None:
    """Read the config (URL or widgets), sync the run, draw controls and the live area; `corner` is beside the title."""
    reconnect.install()  # once per process: a session Streamlit drops gets its websocket closed, so it reconnects
    files.hold_uploads(upload.CSV_KEY, panels.IMPORT_KEY, exports.WEIGHTS_KEY)
    state.take_opening()
    cfg, warnings = state.bootstrap()
    state.seed_missing_widgets(cfg)
    ui = state.ui()
    ui.page_run += 1  # every chart sends its figure once in this run
    if ui.present:
        classroom.present_style()
    elif "mode" not in ui.hide:
        ui.mode = st.sidebar.radio("Mode", MODES, key="mode", horizontal=True, format_func=MODE_LABELS.get,
                                   help="Race: 2-4 lanes from the same initial weights and batch order. "
                                        "Surfaces: optimizers walking 2-D loss functions. "
                                        "Sweep: a heatmap of runs over two settings, on Ray Tune")
    ui.pause_other_modes()
    if ui.mode == links.SURFACES:
        panels.warnings_banner(warnings)
        surfaces.surfaces_page(cfg)
        _notice()
        return
    head = transport = nullcontext()
    if ui.present:  # the lesson's text on top, then the transport beside the lesson's own controls
        head = st.container()
        transport, controls = st.columns([3, 2], vertical_alignment="bottom")
        with controls:
            cfg = classroom.present_controls(cfg, ui.mode)
    else:  # a single run's most-used settings sit in a row above it; the other modes keep all in the sidebar
        cfg = sidebar.config_ui(cfg, quick=st.container(key="quick_row") if ui.mode == links.SINGLE else None)
    with head:
        panels.warnings_banner(warnings)
    if ui.mode == links.SWEEP:
        sweep.sweep_page(cfg)
        _notice()
        return
    dataset, data_key = upload.csv_ui(cfg, None if ui.present else corner) if cfg.dataset == CSV else (None, None)
    if cfg.dataset == CSV and dataset is None:
        state.remember(cfg, links.to_query(state.page_state(cfg, _lanes(ui))))
        st.info(upload.PROMPT)
        return
    if ui.mode == links.RACE:
        run = race.race_page(cfg, dataset, data_key)
        draw, current, lanes = race.draw, run.runner.rcfg, run.runner.rcfg.lanes
    else:
        run = single.sync_run(cfg, dataset, data_key)
        draw, current, lanes = single.draw, cfg, ()
    page_state = state.page_state(cfg, lanes)
    state.remember(cfg, links.to_query(page_state))
    _notice()
    with head:
        panels.lesson_caption(current)
        classroom.lesson_text(ui.mode, run.runner)
    with transport:
        live.transport_ui(run, speed=ui.mode == links.SINGLE and not ui.present)
    live.live_area(run, draw)
    _tabs(run, page_state)


def _lanes(ui: state.UIState) -> tuple:
    return tuple(tuple(sorted(lane.items())) for lane in ui.lanes) if ui.mode == links.RACE and ui.lanes else ()


def _notice() -> None:
    notice, state.ui().notice = state.ui().notice, None
    if notice:
        st.toast(md(notice))


def _tabs(run: state.LiveRun, page_state: links.PageState) -> None:
    """The tabs under the live area; only the open one runs (see TABS_KEY)."""
    trainers: list[Trainer] = run.runner.lanes
    theory, evaluation, history, share = st.tabs(["Theory", "Evaluation", "History", "Share"], key=TABS_KEY,
                                                 on_change="rerun")
    if theory.open:
        with theory:
            panels.theory_panel(trainers, run.runner.labels)
    if evaluation.open:
        with evaluation:
            panels.evaluation_panel(trainers[0])
    if history.open:
        with history:
            panels.history_panel(trainers[0])
            exports.exports_panel(run, race=page_state.mode == links.RACE)
    if share.open:
        with share:
            if page_state.cfg.dataset == CSV:  # the link holds the settings, never the visitor's file
                st.info(upload.NOT_IN_LINK, icon=":material/cloud_off:")
            panels.share_panel(links.to_query(page_state), links.to_query(page_state, compact=True),
                               teacher=links.teacher(page_state))

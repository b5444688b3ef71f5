"""The race page: edit 2-4 lanes, drive them with one transport, watch every boundary and one loss plot."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground import config as C
from playground.catalog import DEFAULT_LANES, OPTIMIZERS, Status
from playground.config import RunConfig, format_value, parse_value
from playground.engine.race import Race
from playground.figures.grid import Boundary
from playground.figures.leaderboard import styled_leaderboard
from playground.figures.loss import race_loss_spec
from playground.figures.weights import with_weight_norms
from playground.lessons import COMPARISONS
from playground.markup import md
from playground.race_config import RaceConfig
from playground.ui import live, state
from playground.ui.state import LiveRun

COLUMNS = ("optimizer", "lr", "momentum", "batch_size", "weight_decay", "dropout", "batch_norm")
# Sized so the lanes' boundaries (one row of small multiples) and the shared loss chart fit one
# 1440 x 900 screen under the transport while the race plays.
HEIGHT = 185
LOSS_HEIGHT = 260  # the loss curves, with each lane's weight norms in a panel beside them
PICK_KEY = "compare"


def pick_ui() -> None:
    """Ready-made comparisons by their whole titles; picking one loads its lanes."""
    ui = state.ui()
    if ui.lesson in COMPARISONS:
        state.seed_missing_widget(PICK_KEY, ui.lesson)  # a lesson link shows its race picked
    st.selectbox("Ready-made race", list(COMPARISONS), label_visibility="collapsed", key=PICK_KEY,
                 format_func=lambda n: COMPARISONS[n].title, index=None, on_change=_picked,
                 placeholder="Ready-made races: choose one, and its lanes and shared settings load at once",
                 help="Each loads 2-4 lanes and the settings they share; its title and what to look for show "
                      "above the transport.")


def _picked() -> None:
    name = state.widget(PICK_KEY)
    if name in COMPARISONS:
        _load_comparison(name)


def lanes_ui(base: RunConfig) -> tuple[list[dict], list[str]]:
    """An editable table of lanes."""
    ui = state.ui()
    lanes = ui.lanes or [dict(lane) for lane in DEFAULT_LANES]
    rows = pd.DataFrame([{**{c: getattr(base.replace(**lane), c) for c in COLUMNS}, "other": _others(lane)}
                         for lane in lanes])
    edited = st.data_editor(rows, key=f"lanes_editor_{ui.lanes_version}", num_rows="dynamic",
                            width="stretch", column_config=_column_config(), hide_index=False,
                            disabled=["other"])
    return _rows_to_lanes(edited, lanes)


def _others(lane: dict) -> str:
    """Overrides the table has no column for (from a link): shown, and kept."""
    return ", ".join(f"{k}={format_value(v)}" for k, v in lane.items() if k not in COLUMNS)


def _column_config() -> dict:
    cc, f = st.column_config, C.FIELDS
    meta = {name: f[name].metadata for name in COLUMNS}
    return {
        "optimizer": cc.SelectboxColumn("optimizer", options=list(OPTIMIZERS), required=True),
        "lr": cc.NumberColumn("lr", min_value=meta["lr"]["lo"], max_value=meta["lr"]["hi"], format="%g",
                              required=True),
        "momentum": cc.NumberColumn("momentum", min_value=0.0, max_value=meta["momentum"]["hi"], format="%g"),
        "batch_size": cc.NumberColumn("batch size", min_value=0, max_value=C.MAX_POINTS, step=1,
                                      help="0 = full batch, 1 = stochastic"),
        "weight_decay": cc.NumberColumn("L2 λ", min_value=0.0, max_value=meta["weight_decay"]["hi"], format="%g"),
        "dropout": cc.NumberColumn("dropout", min_value=0.0, max_value=meta["dropout"]["hi"], format="%g"),
        "batch_norm": cc.CheckboxColumn("batch norm"),
        "other": cc.TextColumn("other overrides", help="Set by a shared link; kept as they are"),
    }


def _rows_to_lanes(edited: pd.DataFrame, previous: list[dict]) -> tuple[list[dict], list[str]]:
    warnings, lanes = [], []
    for k, row in enumerate(edited.to_dict("records"), start=1):
        kept = previous[k - 1] if k <= len(previous) else {}
        lane = {name: value for name, value in kept.items() if name not in COLUMNS}
        for name in COLUMNS:
            value, problem = parse_value(name, row.get(name))
            if problem:
                warnings.append(f"lane {k}: {problem}")
            if value is not None:
                lane[name] = value
        lanes.append(lane)
    if len(lanes) > C.MAX_LANES:
        warnings.append(f"a race has at most {C.MAX_LANES} lanes; only the first {C.MAX_LANES} run")
    if len(lanes) < 2:
        warnings.append("a race needs at least 2 lanes; add a row to the table")
    return lanes[: C.MAX_LANES], warnings


def _load_comparison(name: str) -> None:
    ui = state.ui()
    comp = COMPARISONS[name]
    state.push_config(comp.base)
    ui.lesson, ui.lanes, ui.playing = name, [dict(lane) for lane in comp.lanes], False
    ui.lanes_version += 1  # fresh editor rows


def sync_race(base: RunConfig, lanes: list[dict], dataset=None, data_key: str | None = None) -> LiveRun:
    """Keep the visitor's race in step with the widgets (and the upload): any change restarts it."""
    ui = state.ui()
    rcfg = RaceConfig.of(base, lanes)
    run = ui.run
    if run is None or run.runner.rcfg != rcfg or run.data_key != data_key:
        if run is not None and run.runner.current_epoch:
            ui.notice = "The race changed: every lane restarted from the same initial weights."
        race = Race(rcfg, dataset)
        run = ui.new_run(race, Boundary(race.data), data_key)
    ui.lanes = lanes
    return run


def draw(run: LiveRun, got: live.Got | None) -> None:
    """Counter, lane errors, the leaderboard, a boundary per lane and the shared loss and weight-norm chart."""
    race: Race = run.runner
    live.counter(run, f"{len(race.trainers)} lanes")
    if race.notice:
        st.caption(md(race.notice))
    for label, t in zip(race.labels, race.trainers, strict=True):
        if t.status.broken:
            st.error(f"{md(label)}: {md(t.message)}")
    cols = st.columns(len(race.trainers))  # small multiples in one row
    for k, t in enumerate(race.trainers):
        with cols[k]:
            # Only a status other than "running" is named: the longest labels then fit one line at 1280 px.
            running = t.status == Status.RUNNING
            st.caption(f"**{md(race.labels[k])}**" + ("" if running else f" · {t.status}"))
            live.lane_chart(run, k, got, height=HEIGHT, title=race.labels[k], key=f"race_boundary_{k}",
                            small=True)
    has_val = race.data.has_val

    def figure() -> dict:
        loss = race_loss_spec(race.trainers, race.labels, log_y=state.widget("log_y", False), validation=has_val)
        return with_weight_norms(loss, race.trainers, race.labels, height=LOSS_HEIGHT)

    live.chart(run, "race_loss_chart", figure, height=LOSS_HEIGHT, got=got,
               tick=lambda g: {"points": live.loss_points(g, has_val, weight_norms=True)})
    st.table(styled_leaderboard(race.leaderboard()))  # a real HTML table: 4 rows, no canvas grid


def race_page(base: RunConfig, dataset=None, data_key: str | None = None) -> LiveRun:
    """Lanes editor, sync, transport and live area; returns the race's live run."""
    ui = state.ui()
    if ui.present or "lanes" in ui.hide:  # projector mode: the lesson's lanes, no editor
        lanes = ui.lanes or [dict(lane) for lane in DEFAULT_LANES]
        return sync_race(base, lanes, dataset, data_key)
    pick, table = st.columns([2, 3])
    with pick:
        pick_ui()
    # Folded once a ready-made race is picked: its charts, not its table, belong on the first screen.
    with table, st.expander("Lanes: what each racer changes (the rest is shared)",
                            expanded=ui.lesson not in COMPARISONS):
        lanes, warnings = lanes_ui(base)
    for w in warnings:
        st.warning(md(w))
    if len(lanes) < 2:
        lanes = [dict(lane) for lane in DEFAULT_LANES]
    run = sync_race(base, lanes, dataset, data_key)
    return run

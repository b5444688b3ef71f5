"""Race mode: edit 2-4 lanes, drive them with one transport, watch every boundary and one loss plot."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from playground import config as C
from playground import plots
from playground.boundary import Boundary
from playground.config import RunConfig, format_value, parse_value
from playground.live import advance, frame
from playground.presets import COMPARISONS
from playground.race import Race
from playground.race_config import RaceConfig
from playground.race_plots import race_loss_spec, styled_leaderboard
from playground.ui import session, views
from playground.ui.live_chart import live_chart
from playground.ui.panels import escape_md

# Boundary frames per lane per tick: 4 lanes x 15 redraws/s is what a 2-core laptop's browser keeps up with.
RACE_FRAMES = 3
COLUMNS = ("optimizer", "lr", "momentum", "batch_size", "weight_decay", "dropout", "batch_norm")


def lanes_ui(base: RunConfig) -> tuple[list[dict], list[str]]:
    """Ready-made comparisons (one click each) and an editable table of lanes."""
    st.markdown("**Ready-made races**")
    cols = st.columns(len(COMPARISONS))
    for col, comp in zip(cols, COMPARISONS.values(), strict=True):
        col.button(comp.title, key=f"compare_{comp.name}", on_click=_load_comparison, args=(comp.name,),
                   help=comp.look_for, width="stretch")
    lanes = session.get("lanes") or [dict(lane) for lane in COMPARISONS["optimizers"].lanes]
    rows = pd.DataFrame([{**{c: getattr(base.replace(**lane), c) for c in COLUMNS}, "other": _others(lane)}
                         for lane in lanes])
    edited = st.data_editor(rows, key=f"lanes_editor_{session.get('lanes_version', 0)}", num_rows="dynamic",
                            width="stretch", column_config=_column_config(), hide_index=False,
                            disabled=["other"])
    return _rows_to_lanes(edited, lanes)


def _others(lane: dict) -> str:
    """Overrides the table has no column for (from a link): shown, and kept."""
    return ", ".join(f"{k}={format_value(v)}" for k, v in lane.items() if k not in COLUMNS)


def _column_config() -> dict:
    cc = st.column_config
    return {
        "optimizer": cc.SelectboxColumn("optimizer", options=list(C.OPTIMIZERS), required=True),
        "lr": cc.NumberColumn("lr", min_value=1e-5, max_value=10.0, format="%g", required=True),
        "momentum": cc.NumberColumn("momentum", min_value=0.0, max_value=0.999, format="%g"),
        "batch_size": cc.NumberColumn("batch size", min_value=0, max_value=C.MAX_POINTS, step=1,
                                      help="0 = full batch, 1 = stochastic"),
        "weight_decay": cc.NumberColumn("L2 λ", min_value=0.0, max_value=1.0, format="%g"),
        "dropout": cc.NumberColumn("dropout", min_value=0.0, max_value=0.9, format="%g"),
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
    comp = COMPARISONS[name]
    session.push_config(comp.base, reason="lesson")
    session.put("lanes", [dict(lane) for lane in comp.lanes])
    session.put("lanes_version", session.get("lanes_version", 0) + 1)  # fresh editor rows
    session.put("playing", False)


def sync_race(base: RunConfig, lanes: list[dict], dataset=None, data_key: str | None = None) -> Race:
    """Keep the session's race in step with the widgets (and the upload): any change restarts it."""
    rcfg = RaceConfig.of(base, lanes)
    race: Race | None = session.get("race")
    if race is None or race.rcfg != rcfg or session.get("race_data_key") != data_key:
        session.put("race_data_key", data_key)
        if race is not None and race.current_epoch:
            session.put("notice", "The race changed: every lane restarted from the same initial weights.")
        race = Race(rcfg, dataset)
        session.put("race", race)
        session.put("race_boundary", Boundary(race.data))
        session.put("race_revision", session.get("race_revision", 0) + 1)
        session.put("race_figures", {})
    session.put("lanes", lanes)
    return race


def live_area(race: Race) -> None:
    """The race's live fragment: one transport, all lanes in lockstep."""
    run_every = views.TICK_S if session.get("playing", False) else None

    @st.fragment(run_every=run_every)
    def _live() -> None:
        lane_frames = _tick(race) if session.get("playing", False) else None
        _draw(race, lane_frames)
        if session.get("playing", False) and race.done:
            session.put("playing", False)
            views.release_slot()
            st.rerun(scope="app")

    _live()


def _tick(race: Race) -> list[list[dict]] | None:
    if not views.may_train():
        return None
    steps = sum(t.steps_per_epoch for t in race.trainers if not t.done)
    quota = views.epochs_owed(steps)
    if quota == 0:
        return None
    tick = advance(race, session.get("race_boundary"), budget_s=views.BUDGET_S, max_epochs=quota,
                   max_frames=RACE_FRAMES, lanes=race.trainers,
                   keep_going=lambda: session.get("playing", False))
    return tick.lanes


def _draw(race: Race, lane_frames: list[list[dict]] | None) -> None:
    st.markdown(f'<span id="epoch-counter" data-epoch="{race.current_epoch}"></span>'
                f"**Epoch {race.current_epoch}** / {race.rcfg.base.epochs} · {len(race.trainers)} lanes",
                unsafe_allow_html=True)
    for label, t in zip(race.labels, race.trainers, strict=True):
        if t.status in ("diverged", "failed"):
            st.error(f"{escape_md(label)}: {escape_md(t.message)}")
    st.table(styled_leaderboard(race.leaderboard()))  # a real HTML table: 4 rows, no canvas grid
    boundary: Boundary = session.get("race_boundary")
    cols = st.columns(2)
    for k, t in enumerate(race.trainers):
        frames = lane_frames[k] if lane_frames else [frame(t, boundary)]
        with cols[k % 2]:
            st.markdown(f"**{escape_md(race.labels[k])}** · {t.status}")
            live_chart(_base_figure(k, t, boundary, race.labels[k]), frames, key=f"race_boundary_{k}",
                       revision=session.get("race_revision", 0), height=380)
    loss = race_loss_spec(race.trainers, race.labels, log_y=session.get("log_y", False))
    live_chart(loss, None, key="race_loss_chart", height=380)


def _base_figure(k: int, trainer, boundary: Boundary, label: str) -> dict:
    figures = session.get("race_figures")
    if k not in figures:
        fig = plots.boundary_figure(boundary, trainer.data, boundary.values(trainer), title=label)
        fig.update_layout(height=380)
        figures[k] = plots.figure_dict(fig)
    return figures[k]


def race_page(base: RunConfig, dataset=None, data_key: str | None = None) -> tuple[Race, dict[str, str]]:
    """Lanes editor, sync, transport and live area; returns the race and its URL query."""
    with st.expander("Lanes: what each racer changes (everything else is shared)", expanded=True):
        lanes, warnings = lanes_ui(base)
        for w in warnings:
            st.warning(escape_md(w))
    if len(lanes) < 2:
        lanes = [dict(lane) for lane in COMPARISONS["optimizers"].lanes]
    race = sync_race(base, lanes, dataset, data_key)
    for comp in COMPARISONS.values():
        if race.rcfg == RaceConfig.of(comp.base, list(comp.lanes)):
            st.caption(f"**{comp.title}.** What to look for: {comp.look_for}")
    views.transport_ui(race)
    live_area(race)
    return race, {**race.rcfg.to_query(), "mode": "race"}

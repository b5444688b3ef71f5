"""Transport controls and the live area: a fragment that trains a time-boxed chunk per tick
and sends every epoch's boundary since the last tick to the live chart for playback."""

from __future__ import annotations

import time

import streamlit as st

from playground import plots
from playground.boundary import Boundary
from playground.config import MAX_STEPS_PER_S, MAX_TRAINING_SESSIONS, RunConfig
from playground.live import advance, apply_live, frame, metrics_report, reset_reasons
from playground.models import describe
from playground.train import Trainer
from playground.ui import session
from playground.ui.live_chart import live_chart

TICK_S = 0.15  # fragment period while playing: up to ~6 server round trips a second
BUDGET_S = 0.12  # training time per tick, leaving the rest of the tick for drawing
MAX_FRAMES = 40  # boundary frames per tick at most (~200 redraws/s ceiling)


def new_run(cfg: RunConfig, dataset=None) -> Trainer:
    """Build a trainer and its boundary grid, replacing the session's run."""
    trainer = Trainer(cfg, dataset)
    session.put("trainer", trainer)
    session.put("boundary", Boundary(trainer.data))
    session.put("revision", session.get("revision", 0) + 1)
    session.put("base_figure", None)
    return trainer


def sync_run(cfg: RunConfig, dataset=None, data_key: str | None = None) -> Trainer:
    """Keep the session's trainer in step with the widgets: live changes or a restart."""
    trainer: Trainer | None = session.get("trainer")
    if trainer is None or session.get("data_key") != data_key:
        session.put("data_key", data_key)  # a new upload is new data: restart
        return new_run(cfg, dataset)
    reasons = reset_reasons(trainer.cfg, cfg)
    if reasons:
        if trainer.current_epoch:
            session.put("notice", f"Changed {', '.join(reasons)}: the run restarted from epoch 0.")
        session.put("playing", session.get("playing", False) and not trainer.done)
        return new_run(cfg, dataset)
    changed = apply_live(trainer, cfg)
    if changed and trainer.current_epoch:
        session.put("notice", f"Applied to the running optimizer at epoch {trainer.current_epoch}: "
                              + ", ".join(changed))
    return trainer


def transport_ui(runner) -> None:
    """Play/Pause, Step, Reset, like a media player; runner is the Trainer or the Race."""
    session.put("runner", runner)
    playing = session.get("playing", False)
    cols = st.columns([1, 1, 1, 1, 4])
    label, icon = ("Pause", ":material/pause:") if playing else ("Play", ":material/play_arrow:")
    cols[0].button(label, key="play", icon=icon, type="primary", on_click=_toggle_play,
                   disabled=runner.done and not playing, width="stretch")
    cols[1].button("Step", key="step", icon=":material/skip_next:", on_click=_step, width="stretch",
                   disabled=runner.done, help="Train exactly one epoch")
    cols[2].button("Reset", key="reset", icon=":material/restart_alt:", on_click=_reset, width="stretch",
                   help="New initial weights, same data")
    cols[3].toggle("log y", key="log_y", help="Log-scale loss axis")


def _toggle_play() -> None:
    session.put("playing", not session.get("playing", False))
    session.put("last_tick", None)
    if not session.get("playing"):
        release_slot()
        runner = session.get("runner")
        if runner is not None:
            with runner.lock:  # let a tick still training on another thread finish first
                pass


def _step() -> None:
    session.put("playing", False)
    release_slot()
    runner = session.get("runner")
    if runner is not None:
        runner.epoch()


def _reset() -> None:
    session.put("playing", False)
    session.bump_seed("init_seed")


def live_area() -> None:
    """The live fragment: re-run every TICK_S while playing, else only on demand."""
    run_every = TICK_S if session.get("playing", False) else None

    @st.fragment(run_every=run_every)
    def _live() -> None:
        trainer: Trainer = session.get("trainer")
        frames = _tick(trainer) if session.get("playing", False) else []
        _draw(trainer, frames)
        if session.get("rate_limited"):
            st.caption(f"Speed is capped at {MAX_STEPS_PER_S:,} optimizer steps per second per visitor.")
        if session.get("playing", False) and trainer.done:
            session.put("playing", False)
            release_slot()
            st.rerun(scope="app")  # stop the ticks and relabel Play

    _live()


def may_train() -> bool:
    """Take (or keep) one of the server's training slots; otherwise say where we are in the queue."""
    position = session.training_slots().request(session.session_id())
    if position:
        st.info(f"Queued: {position - 1} ahead of you. {MAX_TRAINING_SESSIONS} visitors are training "
                "right now; yours starts as soon as a place frees up.")
    return position == 0


def release_slot() -> None:
    """Give the training slot back (paused, stepped, or the run ended)."""
    session.training_slots().release(session.session_id())


def epochs_owed(steps_per_epoch: int) -> int:
    """Whole epochs the speed setting asks for since the last tick, within the steps/s limit."""
    now = time.perf_counter()
    last = session.get("last_tick") or now - TICK_S
    elapsed = min(max(now - last, 0.02), 1.0)
    session.put("last_tick", now)
    owed = session.get("owed", 0.0) + session.get("speed", 60) * elapsed
    cap = max(1.0, MAX_STEPS_PER_S * elapsed / max(steps_per_epoch, 1))
    session.put("rate_limited", owed > cap + 1)
    owed = min(owed, cap)
    quota = int(owed)
    session.put("owed", owed - quota)  # slow speeds accumulate fractions of an epoch
    return quota


def _tick(trainer: Trainer) -> list[dict]:
    if not may_train():
        return []
    quota = epochs_owed(trainer.steps_per_epoch)
    if quota == 0:
        return []
    tick = advance(trainer, session.get("boundary"), budget_s=BUDGET_S, max_epochs=quota,
                   max_frames=MAX_FRAMES, keep_going=lambda: session.get("playing", False))
    return tick.frames


def _draw(trainer: Trainer, frames: list[dict]) -> None:
    boundary: Boundary | None = session.get("boundary")
    _status_line(trainer)
    left, right = st.columns(2)
    with left:
        if boundary is not None:
            if not frames:  # paused: one frame that shows the current weights
                frames = [frame(trainer, boundary)]
            live_chart(_base_figure(trainer, boundary), frames, key="boundary_chart",
                       revision=session.get("revision", 0), height=plots.HEIGHT)
    with right:
        loss = plots.loss_spec(trainer.history, log_y=session.get("log_y", False),
                               best_epoch=trainer.best_epoch or None, stop_epoch=trainer.stop_epoch,
                               events=trainer.history.events)
        live_chart(loss, None, key="loss_chart", height=plots.HEIGHT - 60)
        _metrics(trainer)


def _base_figure(trainer: Trainer, boundary: Boundary) -> dict:
    # Built once per run: later epochs arrive as frames that patch the background only.
    fig = session.get("base_figure")
    if fig is None:
        fig = plots.figure_dict(plots.boundary_figure(boundary, trainer.data, boundary.values(trainer)))
        session.put("base_figure", fig)
    return fig


def _status_line(trainer: Trainer) -> None:
    counter = f"**Epoch {trainer.current_epoch}** / {trainer.cfg.epochs} · {trainer.steps} steps"
    counter += f" · {trainer.steps_per_epoch} per epoch (batch {trainer.batch_size})"
    counter += f" · network {describe(trainer.cfg, trainer.data.n_features, trainer.data.n_outputs)}"
    st.markdown(f'<span id="epoch-counter" data-epoch="{trainer.current_epoch}"></span>{counter}',
                unsafe_allow_html=True)
    if trainer.status in ("diverged", "failed"):
        st.error(trainer.message)
    elif trainer.status == "stopped early":
        st.success(trainer.message)
    elif trainer.status == "finished":
        st.info(f"Finished: reached the epoch limit ({trainer.cfg.epochs}). Raise it to go on.")


METRICS_EVERY_S = 0.5  # sklearn metrics cost ~20 ms; twice a second is plenty for a table


def _metrics(trainer: Trainer) -> None:
    if trainer.current_epoch == 0:
        st.caption("Press Play or Step to start training.")
        return
    cached = session.get("metrics_cache")
    now = time.perf_counter()
    fresh = cached and cached[0] is trainer and (
        cached[1] == trainer.current_epoch or (session.get("playing") and now - cached[2] < METRICS_EVERY_S))
    if not fresh:
        cached = (trainer, trainer.current_epoch, now, metrics_report(trainer))
        session.put("metrics_cache", cached)
    table, gap, warning = cached[3]
    st.table(table.style.format("{:.4f}", na_rep="–"))  # plain HTML: far cheaper to redraw each tick than a grid
    if gap == gap:
        st.caption(f"Generalization gap (val − train loss): **{gap:+.4f}**")
    if warning:
        st.warning(warning)

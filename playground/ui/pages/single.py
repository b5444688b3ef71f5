"""The single-run page: one trainer, its boundary, loss curve and metrics table."""

from __future__ import annotations

from functools import partial

import streamlit as st

from playground.catalog import Status
from playground.config import RunConfig
from playground.engine.evaluation import metrics_report
from playground.engine.models import describe
from playground.engine.train import Trainer
from playground.figures.grid import Boundary
from playground.figures.loss import loss_markers, loss_spec
from playground.figures.network import network_frame, supported
from playground.figures.style import HEIGHT
from playground.live.runner import reset_reasons
from playground.markup import md
from playground.ui import live, state
from playground.ui.state import LiveRun

# The metrics table costs ~50 ms of sklearn and pandas: while playing it is refreshed every this
# many epochs (about twice a second at the default speed), exact whenever the run pauses or ends.
METRICS_EVERY_EPOCHS = 25


def sync_run(cfg: RunConfig, dataset=None, data_key: str | None = None) -> LiveRun:
    """Keep the visitor's run in step with the widgets: live changes in place, or a restart."""
    ui = state.ui()
    run = ui.run
    if run is None or run.data_key != data_key:
        return _new_run(cfg, dataset, data_key)  # a new upload is new data: restart
    trainer: Trainer = run.runner
    reasons = reset_reasons(trainer.cfg, cfg)
    if reasons:
        if trainer.current_epoch:
            ui.notice = f"Changed {', '.join(reasons)}: the run restarted from epoch 0."
        ui.playing = ui.playing and not trainer.done
        return _new_run(cfg, dataset, data_key)
    changed = trainer.configure(cfg)
    if changed and trainer.current_epoch:
        ui.notice = f"Applied to the running optimizer at epoch {trainer.current_epoch}: " + ", ".join(changed)
    return run


def _new_run(cfg: RunConfig, dataset, data_key: str | None) -> LiveRun:
    trainer = Trainer(cfg, dataset)
    boundary = Boundary(trainer.data)
    network = partial(network_frame, boundary=boundary) if supported(boundary) else None
    return state.ui().new_run(trainer, boundary, data_key, network=network)


def draw(run: LiveRun, got: live.Got | None) -> None:
    """Status line, the network view, then the boundary on the left, the loss curve and metrics on the right."""
    trainer: Trainer = run.runner
    _status_line(run)
    if not state.ui().present:  # projector mode: the two charts fill the screen; the view would push them off
        _network_view(run, got)
    left, right = st.columns(2)
    height = live.chart_height(HEIGHT)
    with left:
        live.lane_chart(run, 0, got, height=height, key="boundary_chart")
    with right:
        marks = {"best_epoch": trainer.best_epoch or None, "stop_epoch": trainer.stop_epoch,
                 "events": trainer.history.events}
        has_val = trainer.data.has_val

        def figure() -> dict:
            return loss_spec(trainer.history, log_y=state.widget("log_y", False), validation=has_val, **marks)

        live.chart(run, "loss_chart", figure, height=live.chart_height(HEIGHT - 60),
                   points=live.loss_points(got, has_val), layout=loss_markers(trainer.history, **marks),
                   lost=bool(got and got.lost))
        _metrics(trainer)


def _network_view(run: LiveRun, got: live.Got | None) -> None:
    if supported(run.boundary):
        live.network_chart(run, got, key="network_view")
    else:
        st.caption("The network view draws each unit over the input plane: it needs 2-D inputs "
                   "(or more, through their PCA plane).")


def _status_line(run: LiveRun) -> None:
    trainer: Trainer = run.runner
    network = describe(trainer.cfg, trainer.data.n_features, trainer.data.n_outputs)
    live.counter(run, f"{trainer.steps} steps · {trainer.steps_per_epoch} per epoch (batch {trainer.batch_size})"
                      f" · network {network}")
    if trainer.notice:
        st.caption(md(trainer.notice))
    if trainer.status.broken:
        st.error(md(trainer.message))
    elif trainer.status == Status.EARLY:
        st.success(md(trainer.message))
    elif trainer.status == Status.FINISHED:
        st.info(f"Finished: reached the epoch limit ({trainer.cfg.epochs}). Raise it to go on.")


def _metrics(trainer: Trainer) -> None:
    if trainer.current_epoch == 0:
        st.caption("Press Play or Step to start training.")
        return
    ui = state.ui()
    cached = ui.metrics_cache
    fresh = cached and cached[0] is trainer and (
        cached[1] == trainer.current_epoch or (ui.playing and trainer.current_epoch - cached[1] < METRICS_EVERY_EPOCHS))
    if not fresh:
        report = metrics_report(trainer)
        shown = report.table.map(lambda v: "–" if v != v else f"{v:.4f}")  # plain strings: no Styler per tick
        cached = ui.metrics_cache = (trainer, trainer.current_epoch, report, shown)
    report, shown = cached[2], cached[3]
    st.table(shown)
    gap = f" Generalization gap (validation − train loss): **{report.gap:+.4f}**." if report.gap == report.gap else ""
    st.caption("Each column is one set of weights, measured in eval mode (dropout off, batch-norm running "
               f"statistics); the chart's train curve is the running loss while training.{gap}")
    if report.warning:
        st.warning(report.warning)

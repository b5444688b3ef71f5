"""The single-run page: one trainer, its boundary, loss curve and metrics table."""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from playground.catalog import OPTIMIZERS, Status
from playground.config import RunConfig
from playground.engine.evaluation import metrics_report
from playground.engine.models import describe
from playground.engine.train import Trainer
from playground.figures.grid import Boundary
from playground.figures.internals import QUANTITIES, internals_height, internals_points, internals_spec
from playground.figures.loss import loss_markers, loss_spec
from playground.figures.network import network_frame, supported
from playground.figures.sparkline import sparkline
from playground.figures.style import HEIGHT, TRAIN_COLOR, VAL_COLOR
from playground.live.runner import reset_reasons
from playground.markup import md
from playground.ui import live, sidebar, state
from playground.ui.state import LiveRun

# The metrics table costs ~50 ms of sklearn and pandas: while playing it is refreshed every this
# many epochs (about twice a second at the default speed), exact whenever the run pauses or ends.
METRICS_EVERY_EPOCHS = 25
BOUNDARY_HEIGHT, LOSS_HEIGHT = 280, 210  # one column under the transport: both fit a 1280 x 720 screen
NETWORK_KEY = "network_view"


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
    """Status line; then the network and the metrics on the left, the boundary and the loss curve on the right."""
    _status_line(run)
    if state.ui().present:  # projector mode: the two charts fill the screen; the view would push them off
        left, right = st.columns(2)
        with left:
            live.lane_chart(run, 0, got, height=live.chart_height(HEIGHT), key="boundary_chart")
        with right:
            _loss_chart(run, got, live.chart_height(HEIGHT - 60))
            _metrics(run.runner)
        return
    # Read left to right as the TF Playground: the network, then what it outputs, all on the first screen.
    left, right = st.columns([1.15, 1])
    with left:
        _network_view(run, got)
        _metrics(run.runner)
    with right:
        live.lane_chart(run, 0, got, height=BOUNDARY_HEIGHT, key="boundary_chart")
        _loss_chart(run, got, LOSS_HEIGHT)
        _internals(run, got)


def _loss_chart(run: LiveRun, got: live.Got | None, height: int) -> None:
    trainer: Trainer = run.runner
    marks = {"best_epoch": trainer.best_epoch or None, "stop_epoch": trainer.stop_epoch,
             "events": trainer.history.events}
    has_val = trainer.data.has_val

    def figure() -> dict:
        return loss_spec(trainer.history, log_y=state.widget("log_y", False), validation=has_val, **marks)

    def tick(g: live.Got) -> dict:
        now = {"best_epoch": trainer.best_epoch or None, "stop_epoch": trainer.stop_epoch,
               "events": trainer.history.events}  # a poll's markers are as of its epochs
        return {"points": live.loss_points(g, has_val), "layout": loss_markers(trainer.history, **now)}

    live.chart(run, "loss_chart", figure, height=height, layout=loss_markers(trainer.history, **marks),
               got=got, tick=tick)


INTERNALS_CHART = "internals_chart"  # + the quantities shown: a new set is a new chart with its own figure
INTERNALS_ON = {"grad": True, "ratio": True, "weight": False, "step": True}  # each toggle's default
INTERNALS_HELP = {
    "grad": "Each Linear layer's weight-gradient norm ‖∂L/∂W‖ (Frobenius) after the epoch's last step, one line "
            "per layer. Shrinking toward 0: the layer has converged, or its gradient vanishes on the way back "
            "(deep sigmoid or tanh). Growing fast: the learning rate is too large.",
    "ratio": "How far each layer's weights moved in one epoch, relative to their size: ‖W(end of this epoch) − "
             "W(end of the previous one)‖ / ‖W(previous)‖ (epoch 1: against the initial weights). It is per "
             "epoch, not per step: the healthy value often quoted for one step is near 1e-3, so an epoch of many "
             "steps reads larger. Far larger: the layer churns (lr too large); far smaller: it stopped learning.",
    "weight": "Each layer's weight norm ‖W‖ (Frobenius). Weight decay pulls it down; without regularization, "
              "or with a too-large learning rate, it grows.",
}
STEP_HELP = {  # by the optimizer state it divides by (engine.internals.DENOMINATORS)
    "exp_avg_sq": "lr / (√v̂ + ε), with v̂ = v / (1 − β₂ᵗ) its bias-corrected running mean of squared gradients",
    "square_avg": "lr / (√v + ε), with v its running mean of squared gradients (no bias correction)",
    "sum": "lr / (√s + ε), with s the sum of all past squared gradients (so it only shrinks)",
}


def _internals(run: LiveRun, got: live.Got | None) -> None:
    """The optimizer-internals panel: a toggle per quantity, then one live chart extended per epoch."""
    trainer: Trainer = run.runner
    state.seed_missing_widget("internals", False)
    if not st.toggle("Optimizer internals", key="internals",
                     help="Per epoch, what the optimizer does to each Linear layer (also in the History tab's CSV)."):
        return
    label, kind = OPTIMIZERS[trainer.cfg.optimizer].label, trainer.internals.kind
    keys = [k for k in QUANTITIES if k != "step" or kind]
    shown, row = [], st.container(horizontal=True)  # the toggles wrap in the half-width column
    for key in keys:
        state.seed_missing_widget(f"internals_{key}", INTERNALS_ON[key])
        help_text = INTERNALS_HELP.get(key) or (
            f"{label}'s effective per-parameter step size {STEP_HELP[kind]}, read from the optimizer's state: the "
            "median (bold) and the 10th–90th percentile band over every weight and bias. Each parameter moves by "
            "this times its gradient (or momentum): small gradients get large steps, and a parameter whose "
            "gradient was always 0 (a dead ReLU unit) gets the largest, lr / ε.")
        if row.toggle(QUANTITIES[key].label, key=f"internals_{key}", help=help_text):
            shown.append(key)
    if not kind:
        st.caption(f"No step-size chart for {label}: it moves every parameter by the same learning rate "
                   f"(lr = {trainer.lr:g}) times its gradient or velocity. Only the adaptive optimizers (RMSprop, "
                   "Adagrad, Adam, AdamW, NAdam) give each parameter a step size of its own.")
    if not shown:
        st.caption("Turn on a quantity to chart it per epoch.")
        return
    key = "_".join([INTERNALS_CHART, *shown])
    for stale in [k for k in run.sent if k.startswith(INTERNALS_CHART) and k != key]:
        del run.sent[stale]  # toggled back to an earlier set: its new chart needs the figure again
    shapes, history = trainer.internals.shapes, trainer.history

    def tick(g: live.Got) -> dict | None:
        since = g.points[0][0][0] if g.points and g.points[0] else None  # this tick's first epoch
        return None if since is None else {"points": internals_points(history, shown, len(shapes), since_epoch=since)}

    live.chart(run, key, lambda: internals_spec(history, shown, shapes), height=internals_height(shown),
               got=got, tick=tick)


def _network_view(run: LiveRun, got: live.Got | None) -> None:
    if supported(run.boundary):
        ui = state.ui()
        editable = not ui.present and "hidden" not in ui.hide  # the +/- change the Hidden layers controls
        live.network_chart(run, got, key=NETWORK_KEY,
                           on_edit=partial(sidebar.edit_network, NETWORK_KEY) if editable else None)
    else:
        st.caption("The network view draws each unit over the input plane: it needs 2-D inputs "
                   "(or more, through their PCA plane).")


def _loss_now(trainer: Trainer) -> str:
    """This epoch's train (and validation) loss with a sparkline of both so far, as the TF Playground shows."""
    history = trainer.history
    if not len(history):
        return ""
    train, val = history.column("train_loss"), history.column("val_loss")
    text = f"train loss {train[-1]:.3f}" + (f" · val {val[-1]:.3f}" if np.isfinite(val[-1]) else "")
    return text + " " + sparkline([(train, TRAIN_COLOR), (val, VAL_COLOR)])


def _status_line(run: LiveRun) -> None:
    trainer: Trainer = run.runner
    network = describe(trainer.cfg, trainer.data.n_features, trainer.data.n_outputs)
    live.counter(run, f"{trainer.steps} steps · {trainer.steps_per_epoch} per epoch (batch {trainer.batch_size})"
                      f" · network {network}", spark=_loss_now(trainer))
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

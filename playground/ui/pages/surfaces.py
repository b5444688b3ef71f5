"""The surfaces page: 1-7 torch.optim optimizers walking a 2-D loss surface, live, with Distill's theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from playground import links
from playground.catalog import optimizer_rule
from playground.config import RunConfig
from playground.fields import format_value, number
from playground.figures.surface import merge_frames, path_color, path_frames, surface_spec, values_spec
from playground.markup import md
from playground.surfaces import theory
from playground.surfaces.config import SurfaceConfig
from playground.surfaces.run import SurfaceRun
from playground.ui import classroom, live, panels, state, surface_controls
from playground.ui.state import LiveRun

HEIGHT = 580
MODE = links.SURFACES


def surfaces_page(cfg: RunConfig) -> None:
    """Controls, the run, the transport and the live area; rules and theory beside the contour."""
    state.seed_missing_widget("log_y", True)  # f − f* spans dozens of decades; a visitor's own choice stays
    scfg = surface_controls.surface_ui()
    run = sync(scfg)
    page = state.page_state(cfg, surface=scfg)
    state.remember(cfg, links.to_query(page))
    panels.lesson_caption(scfg)
    classroom.lesson_text(MODE, run.runner)
    live.transport_ui(run, step_help="One optimizer step of every path",
                      reset_help="Start every path again from the start point (with noise: the next noise seed)",
                      boundary=False)
    chart, side = st.columns([3, 2])
    with side:
        rules(run.runner)
        if scfg.surface == "quadratic":
            theory_note(scfg)
    with chart:
        live.live_area(run, draw)
    with st.expander("Share"):
        panels.share_panel(links.to_query(page), links.to_query(page, compact=True), importer=False,
                           teacher=links.teacher(page))


def sync(scfg: SurfaceConfig) -> LiveRun:
    """Keep the visitor's surface run in step with the controls: any change starts every path again."""
    ui = state.ui()
    ui.surface = scfg
    run = ui.run
    if run is None or run.runner.cfg != scfg:
        if run is not None and run.runner.current_epoch:
            ui.notice = "The surface run changed: every path started again from the start point."
        run = ui.new_run(SurfaceRun(scfg), None, frames=path_frames, points=SurfaceRun.points, reset=_reset)
    return run


def _reset() -> None:
    ui = state.ui()
    if ui.surface is not None and ui.surface.noise:
        state.seed_widget(surface_controls.S + "seed", ui.surface.seed + 1)
    ui.runs.pop(MODE, None)  # the next run of the page builds the paths afresh


def draw(run: LiveRun, got: live.Got | None) -> None:
    """Counter, the contour with every path, the table, and f per step (with the theory on the quadratic)."""
    runner: SurfaceRun = run.runner
    start = format_value(runner.cfg.start_point)
    live.counter(run, f"{len(runner.paths)} paths on {runner.surface.info.label} from ({start})", unit="Step")
    if runner.message:
        st.caption(md(runner.message))
    paused = None if got else merge_frames([[f] for f in path_frames(runner)])  # paused: where each path is now

    def tick(g: live.Got) -> dict | None:
        return {"frames": merge_frames(g.frames)} if g.frames and g.frames[0] else None

    click = live.chart(run, "surface_chart", lambda: _contour(run), paused, height=HEIGHT, clicks=True, got=got,
                       tick=tick)
    _take_click(click, runner)
    with st.container(key="surface_table"):  # a stable home: the caption above comes and goes
        st.table(_styled(runner.table()))
    predictions = _predictions(runner)
    known = runner.surface.info.f_star is not None
    log_y = known and state.widget("log_y", False)

    def values() -> dict:
        series = [np.asarray([p.gap(v) for v in p.values]) for p in runner.paths]
        whole = {k: theory.predict(runner.cfg, runner.paths[k].cfg, runner.cfg.steps)[1] for k in predictions}
        return values_spec(runner.labels, series, whole, log_y=log_y,
                           ylabel="f − f*" + (" (log)" if log_y else "") if known else "f")

    live.chart(run, "surface_values", values, height=340, got=got,
               tick=lambda g: {"points": live.loss_points(g, False)})
    if predictions:
        st.table(_theory_table(runner, predictions))


def _contour(run: LiveRun) -> dict:
    """The contour with an empty path per optimizer, built once per run."""
    if 0 not in run.figures:
        runner: SurfaceRun = run.runner
        xs, ys, z = runner.surface.grid()
        info = runner.surface.info
        run.figures[0] = surface_spec(xs, ys, z, floor=runner.paths[0].floor, log=info.f_star is not None,
                                      labels=runner.labels, start=runner.cfg.start_point, minima=info.minima,
                                      saddles=info.saddles, domain=info.domain, height=HEIGHT)
    return run.figures[0]


def _styled(frame: pd.DataFrame):
    formats = {c: "{:.4g}" for c in frame.columns if frame[c].dtype.kind == "f"}
    return frame.style.format(formats, na_rep="–")


def _take_click(value, runner: SurfaceRun) -> None:
    """A new click on the contour becomes the start of every path (the widgets take it on the next run)."""
    ui = state.ui()
    if not isinstance(value, dict) or "x" not in value or value == ui.surface_click:
        return  # no click yet, the same one again, or the chart asking for its figure
    ui.surface_click = value
    try:
        x, y = number(value.get("x"), float), number(value.get("y"), float)
    except (TypeError, ValueError):
        return
    (xlo, xhi), (ylo, yhi) = runner.surface.info.domain
    ui.surface_pending = (round(min(max(x, xlo), xhi), 3), round(min(max(y, ylo), yhi), 3))
    ui.playing = False
    state.ui().run.worker.pause()
    st.rerun(scope="app")


def _predictions(runner: SurfaceRun) -> dict[int, tuple]:
    steps = runner.current_epoch  # the table's rates; the chart's dashed lines run to the step limit
    out = {}
    for k, path in enumerate(runner.paths):
        predicted = theory.predict(runner.cfg, path.cfg, steps)
        if predicted is not None:
            out[k] = predicted
    return out


def _theory_table(runner: SurfaceRun, predictions: dict[int, tuple]):
    """Distill's predicted rate and steps to ε against the measured ones, per SGD or momentum path."""
    rows = []
    for k, (tuned, _) in predictions.items():
        path = runner.paths[k]
        whole = theory.predict(runner.cfg, path.cfg, runner.cfg.steps)[1]
        rows.append({"path": path.label, "α (lr)": tuned.alpha, "β (momentum)": tuned.beta,
                     "predicted rate": tuned.rate, "measured rate": theory.measured_rate(np.hypot(path.xs, path.ys)),
                     "predicted steps to ε": theory.steps_to(whole, runner.cfg.tol),
                     "measured steps to ε": path.reached})
    counts = {"predicted steps to ε": "Int64", "measured steps to ε": "Int64"}
    frame = pd.DataFrame(rows).set_index("path").astype(counts)
    return frame.style.format({c: "{:.4g}" for c in frame.columns if c not in counts}, na_rep="–")


def rules(runner: SurfaceRun) -> None:
    """Each path's update rule, in its path's colour."""
    st.markdown(f"**{runner.surface.info.label}**")
    st.latex(runner.surface.info.latex)
    for k, (label, path) in enumerate(zip(runner.labels, runner.paths, strict=True)):
        spec = optimizer_rule(path.cfg.optimizer, path.cfg.nesterov)
        st.markdown(f'<span style="color:{path_color(k)}">●</span> **{md(label)}** — {spec.summary}',
                    unsafe_allow_html=True)
        st.latex(r"\begin{gathered}" + spec.latex + r"\end{gathered}")
    if runner.cfg.noise:
        st.caption(f"Every gradient gets Gaussian noise of σ = {runner.cfg.noise:g} (seed {runner.cfg.seed}).")


def theory_note(scfg: SurfaceConfig) -> None:
    """Distill's optimal step size and momentum for this κ, and the rates they give."""
    lmin, lmax = theory.eigenvalues(scfg.kappa)
    gd, hb = theory.gd_optimal(lmin, lmax), theory.momentum_optimal(lmin, lmax)
    st.markdown(f"**Theory (Distill, 'Why Momentum Really Works')** for κ = {scfg.kappa:g}, curvatures 1 and κ:")
    st.latex(rf"\text{{SGD: }}\alpha^* = \tfrac{{2}}{{\lambda_{{min}} + \lambda_{{max}}}} = {gd.alpha:.4g}")
    st.latex(rf"\text{{rate }} \tfrac{{\kappa - 1}}{{\kappa + 1}} = {gd.rate:.4g}")
    st.latex(rf"\text{{momentum: }}\alpha^* = \left(\tfrac{{2}}{{\sqrt{{\lambda_{{max}}}} + \sqrt{{\lambda_{{min}}}}}}"
             rf"\right)^2 = {hb.alpha:.4g}")
    st.latex(rf"\beta^* = \left(\tfrac{{\sqrt\kappa - 1}}{{\sqrt\kappa + 1}}\right)^2 = {hb.beta:.4g},\quad"
             rf"\text{{rate }} \tfrac{{\sqrt\kappa - 1}}{{\sqrt\kappa + 1}} = {hb.rate:.4g}")
    st.caption("torch's SGD keeps b ← μ b + g and steps θ ← θ − lr·b: that is Distill's heavy ball with α = lr and "
               "β = momentum. The rate is how much the distance to the minimum shrinks per step.")

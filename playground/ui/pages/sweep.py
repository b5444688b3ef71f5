"""The sweep page: a grid (or a random search) over two settings on Ray Tune, its chart filling in as trials finish.

Every other setting is the sidebar's config. The trials run in Ray's worker processes (at most the
server's PLAYGROUND_SWEEP_CPUS at once); the fragment here only polls the SweepRun for results.
Clicking a cell opens that cell's exact config in the single-run view.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground import links
from playground.catalog import OPTIMIZERS, SWEEP_METRICS
from playground.config import RunConfig
from playground.figures.sweep import cell_at, colour_values, heatmap_spec, sample_at, sample_axis, scatter_spec
from playground.markup import md
from playground.sweeps import results
from playground.sweeps.config import (
    CPUS_ENV,
    SweepConfig,
    axis_label,
    axis_space,
    cell_config,
    problem,
    server_cpus,
)
from playground.ui import files, state, sweep_controls
from playground.ui.live_chart import live_chart

TICK_S = 0.5  # poll for finished trials twice a second while the sweep runs
HEIGHT = 460


def sweep_page(cfg: RunConfig) -> None:
    """Controls, Start/Cancel, then the live area of this visitor's sweep."""
    ui = state.ui()
    cpus = server_cpus()
    current = ui.sweep or SweepConfig()
    if not cpus:
        state.remember(cfg, links.to_query(links.PageState(cfg, links.SWEEP, ui.lesson, sweep=current)))
        st.info(f"Sweeps are turned off on this server ({CPUS_ENV}=0): they take whole cores.")
        return
    st.markdown("**Sweep**: one real training run per cell (and seed) on Ray Tune; every other setting is the "
                "sidebar's. The sidebar's epoch limit is replaced by *Epochs per trial*.")
    scfg, problems = sweep_controls.sweep_ui(current)
    ui.sweep = scfg
    state.remember(cfg, links.to_query(links.PageState(cfg, links.SWEEP, ui.lesson, sweep=scfg)))
    sweep_controls.show_problems(problems)
    trouble = None if problems else problem(scfg, cfg)
    if trouble:
        st.error(md(trouble))
    run = ui.sweep_run
    running = run is not None and not run.done
    left, right, _ = st.columns([1, 1, 4])
    if left.button("Start sweep", key="sweep_start", type="primary", icon=":material/grid_on:",
                   disabled=bool(problems or trouble) or running,
                   help=f"Ray Tune runs the trials, {cpus} at a time on this server"):
        _start(scfg, cfg, cpus)
        st.rerun()
    if right.button("Cancel", key="sweep_cancel", icon=":material/stop:", disabled=not running):
        run.cancel()
    if run is not None:
        _live(run)


def _start(scfg: SweepConfig, cfg: RunConfig, cpus: int) -> None:
    from playground.sweeps.tune_run import SweepRun  # Ray loads with the first sweep, not with the app

    ui = state.ui()
    if ui.sweep_run is not None:
        ui.sweep_run.cancel()
    ui.sweep_run = SweepRun(scfg, cfg, cpus=cpus).start()
    ui.sweep_clicks.clear()
    state.sweep_board().add(ui.sid, state.session_id(), ui.sweep_run)


def _live(run) -> None:
    """The fragment: re-run every TICK_S until the sweep has ended, then once more for the whole page."""
    ticking = not run.done

    @st.fragment(run_every=TICK_S if ticking else None)
    def _area() -> None:
        draw(run)
        if ticking and run.done:
            st.rerun(scope="app")  # stop the ticks and enable Start again

    _area()


def draw(run) -> None:
    """Progress, the heatmap (a random search: the samples) per optimizer, clickable, and the trials table."""
    _progress(run)
    if run.error:
        st.error(md(run.error))
    scfg, finished = run.scfg, run.finished()
    grids = [results.grid(run.trials, finished, scfg, opt) for opt in scfg.optimizers(run.base)]
    metric = SWEEP_METRICS[scfg.metric]
    colours, zrange = colour_values([g.mean for g in grids], metric)
    chart = _samples if scfg.random else _heatmap
    for col, g, z in zip(st.columns(len(grids)), grids, colours, strict=True):
        with col:
            chart(run, g, z, zrange)
    where = "validation split" if run.base.val_frac > 0 else "training rows (no validation split)"
    what = "point" if scfg.random else "cell"
    st.caption(f"Measured on the {where}. Click a {what} to open its run (init_seed {run.base.init_seed}) in the "
               "single-run view." + (f" A {what} shows the mean ± spread over its seeds." if scfg.seeds > 1 else ""))
    _trials(run, finished)


def _heatmap(run, g, z: np.ndarray, zrange: tuple[float, float]) -> None:
    """A grid's chart: one cell per pair of values, labelled with its number or note."""
    scfg = run.scfg
    xs, ys = scfg.values("x"), scfg.values("y")
    epochs = scfg.metric == "epochs_to_target"
    texts = [[results.cell_text(g.mean[iy, ix], g.spread[iy, ix], g.notes[iy][ix], scfg.seeds, epochs)
              for ix in range(len(xs))] for iy in range(len(ys))]
    spec = heatmap_spec(z, texts, x_ticks=[axis_label(scfg.x, v) for v in xs],
                        y_ticks=[axis_label(scfg.y, v) for v in ys], x_name=scfg.x, y_name=scfg.y,
                        heading=results.heatmap_title(scfg, g.optimizer), metric=SWEEP_METRICS[scfg.metric],
                        zrange=zrange, height=HEIGHT)
    key = f"sweep_heatmap_{g.optimizer}"
    click = live_chart(spec, key=key, revision=run.id, height=HEIGHT, clicks=True)

    def opens(click):
        cell = cell_at(click, g.mean.shape)
        return None if cell is None else cell_config(scfg, run.base, g.optimizer, xs[cell[1]], ys[cell[0]])

    _take_click(key, click, opens)


def _samples(run, g, z: np.ndarray, zrange: tuple[float, float]) -> None:
    """A random search's chart: each drawn (x, y) pair where it lies, coloured once its trials finish."""
    scfg = run.scfg
    firsts = results.samples(run.trials, g.optimizer)
    xv, yv = [getattr(t.cfg, scfg.x) for t in firsts], [getattr(t.cfg, scfg.y) for t in firsts]
    px, x_axis, x_span = sample_axis(axis_space("x", scfg), xv)
    py, y_axis, y_span = sample_axis(axis_space("y", scfg), yv)
    epochs = scfg.metric == "epochs_to_target"
    done = g.done[0] > 0
    texts = [f"{scfg.x} {axis_label(scfg.x, a)} · {scfg.y} {axis_label(scfg.y, b)}: " +
             (results.cell_text(g.mean[0, k], g.spread[0, k], g.notes[0][k], scfg.seeds, epochs) or "–"
              if done[k] else "running or queued") for k, (a, b) in enumerate(zip(xv, yv, strict=True))]
    spec = scatter_spec(px, py, z[0], done, texts, x_axis=x_axis, y_axis=y_axis,
                        heading=results.heatmap_title(scfg, g.optimizer), metric=SWEEP_METRICS[scfg.metric],
                        zrange=zrange, height=HEIGHT)
    key = f"sweep_samples_{g.optimizer}"
    click = live_chart(spec, key=key, revision=run.id, height=HEIGHT, clicks=True)

    def opens(click):
        k = sample_at(click, px, py, x_span, y_span)
        return None if k is None else firsts[k].cfg

    _take_click(key, click, opens)


def _progress(run) -> None:
    done, total, elapsed, remaining = run.progress()
    if run.done:
        left = "cancelled" if run.cancelled else "done"
    elif not run.ready:
        left = "starting Ray…"
    else:
        left = f"about {remaining:.0f} s left" if remaining is not None else "waiting for the first trial…"
    st.markdown(f'<span id="sweep-progress" data-done="{done}" data-total="{total}" '
                f'data-ended="{int(run.done)}"></span>', unsafe_allow_html=True)
    st.progress(done / total if total else 1.0, text=f"{done} / {total} trials · {elapsed:.0f} s elapsed · {left}")


def _take_click(key: str, click, opens) -> None:
    """A new click on a cell (or a sample) opens its config in single mode (the next run switches the mode)."""
    ui = state.ui()
    if click is None or click == ui.sweep_clicks.get(key):
        return
    ui.sweep_clicks[key] = click
    cfg = opens(click)
    if cfg is None:
        return
    ui.opening = cfg
    st.rerun(scope="app")


def _trials(run, finished: dict[int, dict]) -> None:
    """Every finished trial with a link to its run, and the CSV of them all."""
    frame = results.table(run.trials, finished, run.scfg)
    name = f"sweep_{run.scfg.x}_{run.scfg.y}.csv"
    files.download_button(st, "Download CSV", name, "text/csv",
                          lambda: results.table(run.trials, run.finished(), run.scfg).to_csv(index=False))
    if frame.empty:
        return
    by_index = {t.index: t for t in run.trials if t.index in finished}
    frame.insert(0, "open", [state.page_url(links.to_query(links.PageState(t.cfg))) for t in by_index.values()])
    frame["optimizer"] = frame["optimizer"].map(lambda n: OPTIMIZERS[n].label)
    with st.expander(f"Trials ({len(frame)})"):
        st.dataframe(frame.replace({np.inf: np.nan}), hide_index=True, width="stretch",
                     column_config={"open": st.column_config.LinkColumn("run", display_text="open")})


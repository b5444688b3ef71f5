"""The sweep page: a grid over two settings on Ray Tune, its heatmap filling in as trials finish.

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
from playground.figures.sweep import cell_at, colour_values, heatmap_spec
from playground.markup import md
from playground.sweeps import results
from playground.sweeps.config import CPUS_ENV, SweepConfig, axis_label, cell_config, problem, server_cpus
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
    """Progress, the heatmap per optimizer (clickable), and the trials table with its CSV."""
    _progress(run)
    if run.error:
        st.error(md(run.error))
    scfg, finished = run.scfg, run.finished()
    xs, ys = scfg.values("x"), scfg.values("y")
    grids = [results.grid(run.trials, finished, scfg, opt) for opt in scfg.optimizers(run.base)]
    metric = SWEEP_METRICS[scfg.metric]
    colours, zrange = colour_values([g.mean for g in grids], metric)
    epochs = scfg.metric == "epochs_to_target"
    for col, g, z in zip(st.columns(len(grids)), grids, colours, strict=True):
        texts = [[results.cell_text(g.mean[iy, ix], g.spread[iy, ix], g.notes[iy][ix], scfg.seeds, epochs)
                  for ix in range(len(xs))] for iy in range(len(ys))]
        spec = heatmap_spec(z, texts, x_ticks=[axis_label(scfg.x, v) for v in xs],
                            y_ticks=[axis_label(scfg.y, v) for v in ys], x_name=scfg.x, y_name=scfg.y,
                            heading=results.heatmap_title(scfg, g.optimizer), metric=metric, zrange=zrange,
                            height=HEIGHT)
        key = f"sweep_heatmap_{g.optimizer}"
        with col:
            click = live_chart(spec, key=key, revision=run.id, height=HEIGHT, clicks=True)
        _take_click(run, key, click, g.optimizer, g.mean.shape)
    where = "validation split" if run.base.val_frac > 0 else "training rows (no validation split)"
    st.caption(f"Measured on the {where}. Click a cell to open its run (init_seed {run.base.init_seed}) in the "
               "single-run view." + (" A cell shows the mean ± spread over its seeds." if scfg.seeds > 1 else ""))
    _trials(run, finished)


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


def _take_click(run, key: str, click, optimizer: str, shape: tuple[int, int]) -> None:
    """A new click on a cell opens its config in single mode (the next run switches the mode)."""
    ui = state.ui()
    if click is None or click == ui.sweep_clicks.get(key):
        return
    ui.sweep_clicks[key] = click
    cell = cell_at(click, shape)
    if cell is None:
        return
    iy, ix = cell
    scfg = run.scfg
    ui.opening = cell_config(scfg, run.base, optimizer, scfg.values("x")[ix], scfg.values("y")[iy])
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


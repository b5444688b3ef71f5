"""The History tab's exports: a standalone script, the weights (safetensors), an HTML report; weight import."""

from __future__ import annotations

import streamlit as st

from playground.engine import export
from playground.html_report import race_report, run_report
from playground.ui import files, state
from playground.ui.state import LiveRun

WEIGHTS_KEY = "weights_import"


def exports_panel(run: LiveRun, race: bool) -> None:
    """Downloads made on click: the run's (or one lane's) script and weights, and the report."""
    runner = run.runner
    k = 0
    if race:
        labels = runner.labels
        k = st.selectbox("Lane to export", range(len(labels)), format_func=lambda i: labels[i], key="export_lane")
        k = k if k is not None and k < len(labels) else 0
    trainer = runner.lanes[k]
    stem = f"lane{k + 1}" if race else (state.ui().lesson or trainer.cfg.dataset)
    cols = st.columns(3)
    stack = runner.stack_of(k) if race else None
    files.download_button(cols[0], "Script (.py)", f"{stem}.py", "text/x-python", _script(trainer, stem, stack))
    files.download_button(cols[1], "Weights (.safetensors)", f"{stem}.safetensors", "application/octet-stream",
                          _weights(trainer))
    files.download_button(cols[2], "Report (.html)", "race.html" if race else f"{stem}.html", "text/html",
                          _report(runner, run.boundary, race))
    st.caption("The script needs only PyTorch: it rebuilds the data, network, optimizer and batch order of "
               f"{'this lane' if race else 'this run'} and prints the same per-epoch losses, bit for bit on a CPU. "
               "Changes made while training (the markers on the loss curve) are not replayed. The report is one "
               "HTML file that opens offline.")
    if not race:
        # Any file type is taken, so a pickle gets this app's plain refusal rather than the browser's filter.
        st.file_uploader("Import weights (.safetensors only; pickle files are refused)", key=WEIGHTS_KEY,
                         on_change=_import, args=(trainer,))


def _script(trainer, stem: str, stack: tuple[int, int] | None):
    def make() -> str:
        with trainer.lock:
            cfg = trainer.cfg
        return export.script(cfg, trainer.data, title=stem, stack=stack)

    return make


def _weights(trainer):
    def make() -> bytes:
        with trainer.lock:
            return export.weights_bytes(trainer.model, trainer.cfg, trainer.weights_epoch)

    return make


def _report(runner, boundary, race: bool):
    def make() -> str:
        return race_report(runner, boundary) if race else run_report(runner, boundary)

    return make


def _import(trainer) -> None:
    upload = state.widget(WEIGHTS_KEY)
    if upload is None:
        return
    if state.ui().run is None or state.ui().run.runner is not trainer:
        state.ui().notice = "The run changed before the weights arrived; nothing was imported."
        return
    state.ui().playing = False
    state.ui().run.worker.pause()
    problem = export.import_weights(trainer, upload.getvalue())
    state.ui().notice = f"Weights not imported: {problem}" if problem else (
        f"Imported weights into the run at epoch {trainer.current_epoch}.")

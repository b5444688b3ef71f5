"""A self-contained HTML report of a run or a race: its settings, final figures and metrics table.

One file that opens offline: plotly.js is inlined once (with the first figure) and every other
figure reuses it; nothing is fetched from the network.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import plotly.graph_objects as go
import plotly.io as pio

from playground.config import FIELDS
from playground.engine.evaluation import metrics_report
from playground.engine.models import describe
from playground.figures.boundary import boundary_figure
from playground.figures.grid import Boundary
from playground.figures.leaderboard import styled_leaderboard
from playground.figures.loss import loss_spec, race_loss_spec
from playground.race_config import LANE_FIELDS

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th{background:#f3f3f3}td.k,th.k{text-align:left}.figs{display:flex;flex-wrap:wrap;gap:1rem}
.figs>div{flex:1 1 480px}h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}.note{color:#666}"""


def _config_table(cfg, names=None) -> str:
    rows = "".join(f"<tr><td class='k'>{html.escape(n)}</td><td class='k'>{html.escape(str(getattr(cfg, n)))}</td>"
                   f"<td class='k note'>{html.escape(FIELDS[n].metadata.get('help', ''))}</td></tr>"
                   for n in (names or FIELDS))
    return f"<table><tr><th class='k'>setting</th><th class='k'>value</th><th class='k'>meaning</th></tr>{rows}</table>"


class _Figures:
    """Figures as HTML divs: the first carries plotly.js inline, the rest reuse it."""

    def __init__(self) -> None:
        self.count = 0

    def div(self, fig: go.Figure) -> str:
        """One figure's div (plotly.js inlined with the first)."""
        self.count += 1
        return pio.to_html(fig, full_html=False, include_plotlyjs=self.count == 1, config={"responsive": True})


def _boundary_div(figs: _Figures, trainer, boundary: Boundary | None, title: str | None = None) -> str:
    boundary = boundary or Boundary(trainer.data)
    return figs.div(boundary_figure(boundary, trainer.data, boundary.values(trainer), title=title))


def _page(title: str, body: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p class='note'>Optimization Playground report, made {stamp}. It opens offline: everything it "
            f"needs is in this file.</p>{body}</body></html>")


def run_report(trainer, boundary: Boundary | None = None, *, title: str = "") -> str:
    """A single run: status, settings, the boundary and loss figures at the last epoch, the metrics table."""
    with trainer.lock:  # a worker may be training: read one consistent state
        cfg, data = trainer.cfg, trainer.data
        figs = _Figures()
        marks = {"best_epoch": trainer.best_epoch or None, "stop_epoch": trainer.stop_epoch,
                 "events": trainer.history.events}
        loss = figs.div(go.Figure(loss_spec(trainer.history, validation=data.has_val, **marks)))
        board = _boundary_div(figs, trainer, boundary)
        table = (metrics_report(trainer).table.to_html(float_format=lambda v: f"{v:.4f}", na_rep="–")
                 if trainer.current_epoch else "<p>Not trained yet.</p>")
        network = describe(cfg, data.n_features, data.n_outputs)
        status = html.escape(trainer.message or str(trainer.status))
        body = (f"<p><b>Epoch {trainer.current_epoch}</b> of {cfg.epochs} · {trainer.steps} steps · {status}</p>"
                f"<p>Dataset <b>{html.escape(cfg.dataset)}</b> ({len(data.y_train)} training and {len(data.y_val)} "
                f"validation points) · network {html.escape(network)}</p>"
                f"<h2>Final figures</h2><div class='figs'><div>{board}</div><div>{loss}</div></div>"
                f"<h2>Metrics</h2>{table}<p class='note'>Each column is one set of weights in eval mode.</p>"
                f"<h2>Settings</h2>{_config_table(cfg)}")
    return _page(title or f"Run: {cfg.dataset} with {cfg.optimizer}", body)


def race_report(race, boundary: Boundary | None = None, *, title: str = "") -> str:
    """A race: the leaderboard, the shared loss figure, every lane's boundary and the settings."""
    with race.lock:
        figs = _Figures()
        loss = figs.div(go.Figure(race_loss_spec(race.trainers, race.labels, validation=race.data.has_val,
                                                 height=460)))
        lanes = "".join(f"<div>{_boundary_div(figs, t, boundary, label)}</div>"
                        for t, label in zip(race.trainers, race.labels, strict=True))
        board = styled_leaderboard(race.leaderboard()).to_html()
        lane_rows = "".join(f"<h3>{html.escape(label)}</h3>{_config_table(t.cfg, race.rcfg.varying() or LANE_FIELDS)}"
                            for t, label in zip(race.trainers, race.labels, strict=True))
        body = (f"<p><b>Epoch {race.current_epoch}</b> of {race.cfg.epochs} · {len(race.trainers)} lanes</p>"
                f"<h2>Leaderboard</h2>{board}<h2>Final figures</h2>{loss}<div class='figs'>{lanes}</div>"
                f"<h2>What each lane changes</h2>{lane_rows}<h2>Shared settings</h2>{_config_table(race.cfg)}")
    return _page(title or "Race: " + " vs ".join(race.labels), body)

"""B3, frame cost: server time for one live frame, as views._draw makes it, minus Streamlit itself.

One frame = the boundary frame (grid predictions + patch encoding, live.frame) with its batch id,
the loss figure through plots.figure_dict, the metrics table (trainer.evaluate(), best_metrics,
metrics.metrics_table, the loss row, Arrow bytes as st.dataframe sends them) and json.dumps of
both components' arguments, as Streamlit serializes them on every rerun (the boundary's cached
base figure included). The 4-lane case draws 4 boundaries, one loss figure holding all 4 lanes'
curves, and a 4-row table (one row of validation metrics per lane).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from benchmarks.common import Row, interleave, median
from playground import plots
from playground.boundary import Boundary
from playground.live import frame
from playground.metrics import generalization_gap, metrics_table
from playground.presets import PRESETS
from playground.train import Trainer

GOAL_ONE_MS, GOAL_FOUR_MS = 25.0, 60.0
LANE_OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")


def _batch_id(frames: list[dict], revision: int) -> str | None:
    from playground.ui.live_chart import batch_id  # the real hash the component call computes

    return batch_id(frames, revision)


def _arrow_bytes(table: pd.DataFrame) -> bytes:
    try:
        from streamlit import dataframe_util

        return dataframe_util.convert_pandas_df_to_arrow_bytes(table)
    except Exception:  # an API change in streamlit must not stop the benchmark
        return table.to_json().encode()


def _component_json(figure: dict, frames: list[dict], revision: int, key: str, height: int) -> str:
    """What Streamlit's component call json.dumps on every rerun (see live_chart.live_chart)."""
    args = {"figure": figure, "frames": frames, "batch_id": _batch_id(frames, revision),
            "revision": str(revision), "height": height, "frame_ms": None, "default": None, "key": key}
    return json.dumps(args)


def _metrics_table(trainer: Trainer) -> pd.DataFrame:
    """views._metrics without st: evaluate, best metrics, the table and its loss row, the gap."""
    result = trainer.evaluate()
    best = trainer.best_metrics()
    table = metrics_table(result["train"], result.get("val"), best)
    h = trainer.history
    table.loc["loss", "train"] = h.last("train_loss")
    if "val" in result:
        table.loc["loss", "validation"] = h.last("val_loss")
    if best:
        table.loc["loss", "best epoch"] = trainer.best_loss
    generalization_gap(h.column("train_loss"), h.column("val_loss"))
    return table


def _loss_dict(trainers: list[Trainer], labels: list[str] | None = None) -> dict:
    """One trainer: plots.loss_figure. Several: their curves in one figure, lane-named."""
    first = trainers[0]
    fig = plots.loss_figure(first.history, best_epoch=first.best_epoch or None, stop_epoch=first.stop_epoch,
                            events=first.history.events)
    if len(trainers) > 1:
        labels = labels or [f"lane {i + 1}" for i in range(len(trainers))]
        for trace in fig.data:
            trace.name = f"{labels[0]} {trace.name}"
        for label, t in zip(labels[1:], trainers[1:], strict=True):
            extra = plots.loss_figure(t.history).data
            for trace in extra:
                trace.name = f"{label} {trace.name}"
            fig.add_traces(extra)
    return plots.figure_dict(fig)


class Lanes:
    """n trained lanes on the default preset's data, their boundary, and each one's base figure."""

    def __init__(self, n: int, epochs: int, n_points: int | None = None):
        cfg = PRESETS["default"].config.replace(epochs=max(10 * epochs, 1000))
        if n_points:
            cfg = cfg.replace(n_points=n_points)
        self.source = "Trainers"
        self.trainers, self.labels = self._build(cfg, n, epochs)
        self.boundary = Boundary(self.trainers[0].data)
        self.base = plots.figure_dict(plots.boundary_figure(self.boundary, self.trainers[0].data,
                                                            self.boundary.values(self.trainers[0])))
        self.revision = 1

    def _build(self, cfg, n: int, epochs: int) -> tuple[list[Trainer], list[str]]:
        if n == 1:
            t = Trainer(cfg)
            t.run(epochs)
            return [t], ["lane 1"]
        lanes = [{"optimizer": o} for o in LANE_OPTIMIZERS[:n]]
        try:  # the race engine when it is there: its trainers, trained in lockstep
            from playground.race import Race, RaceConfig

            race = Race(RaceConfig.of(cfg, lanes))
            race.run(epochs)
            self.source = "playground.race.Race"
            return list(race.trainers), list(race.labels)
        except Exception:
            trainers = [Trainer(cfg.replace(**lane)) for lane in lanes]
            for t in trainers:
                t.run(epochs)
            return trainers, [lane["optimizer"] for lane in lanes]

    def draw(self) -> dict[str, int]:
        """One frame for every lane; returns the payload bytes per part."""
        frames = [frame(t, self.boundary) for t in self.trainers]
        boundary_json = [_component_json(self.base, [f], self.revision, f"boundary_{i}", plots.HEIGHT)
                         for i, f in enumerate(frames)]
        loss_json = _component_json(_loss_dict(self.trainers, self.labels), [], self.revision, "loss_chart",
                                    plots.HEIGHT - 60)
        if len(self.trainers) == 1:
            table = _metrics_table(self.trainers[0])
        else:
            rows = {label: t.evaluate().get("val", {}) for label, t in zip(self.labels, self.trainers, strict=True)}
            table = pd.DataFrame(rows).T
        arrow = _arrow_bytes(table)
        return {"boundary frame": sum(len(json.dumps(f["patches"])) for f in frames),
                "boundary args": sum(len(s) for s in boundary_json), "loss args": len(loss_json),
                "table": len(arrow)}


def _parts(lanes: Lanes, reps: int) -> dict[str, float]:
    """Median ms of each part alone, for the breakdown."""
    t = lanes.trainers[0]
    fns = {
        "live.frame (grid + encode)": lambda: frame(t, lanes.boundary),
        "loss figure -> figure_dict": lambda: _loss_dict([t]),
        "evaluate + metrics table": lambda: _arrow_bytes(_metrics_table(t)),
        "json.dumps boundary args": lambda: _component_json(lanes.base, [frame(t, lanes.boundary)], 1, "b", 420),
    }
    times = interleave(fns, seconds=0, min_reps=reps)
    return {k: median(v) * 1000 for k, v in times.items()}


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    epochs = 20 if tiny else 300
    reps = 3 if tiny else 15 if quick else 40
    one = Lanes(1, epochs, n_points=60 if tiny else None)
    four = Lanes(4, epochs, n_points=60 if tiny else None)
    sizes = {"one": one.draw(), "four": four.draw()}
    times = interleave({"one": one.draw, "four": four.draw}, seconds=0, min_reps=reps)
    ms = {k: median(v) * 1000 for k, v in times.items()}
    n = len(one.trainers[0].history)
    rows = [
        Row("B3", f"1 lane (default preset, epoch {n}): frame + loss fig + table + json", ms["one"], "ms",
            ("<=", GOAL_ONE_MS), digits=1, detail=f"median of {len(times['one'])}"),
        Row("B3", f"4 lanes ({four.source}): 4 frames + 1 loss fig (4 lanes) + 4-row table + json", ms["four"],
            "ms", ("<=", GOAL_FOUR_MS), digits=1, detail=f"median of {len(times['four'])}"),
    ]
    for name, kb in (("one", sizes["one"]), ("four", sizes["four"])):
        total = kb["boundary args"] + kb["loss args"] + kb["table"]
        rows.append(Row("B3", f"payload per frame, {'1 lane' if name == 'one' else '4 lanes'}", total / 1024, "kB",
                        digits=1, detail=f"boundary patch {kb['boundary frame'] / 1024:.1f} kB, boundary args with "
                                         f"base figure {kb['boundary args'] / 1024:.1f} kB, loss args "
                                         f"{kb['loss args'] / 1024:.1f} kB, table {kb['table'] / 1024:.1f} kB"))
    for part, value in _parts(one, max(3, reps // 2)).items():
        rows.append(Row("B3", f"1 lane part: {part}", value, "ms", digits=2))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table(run(quick=True)))
    np.seterr(all="ignore")

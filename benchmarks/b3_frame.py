"""B3, frame cost: server time for one live frame, as the live fragment makes it, minus Streamlit's own work.

One lane (views._draw): the boundary frame (grid predictions + patch encoding, live.frame) and its
batch id; the loss figure as a plain dict (plots.loss_spec, or loss_figure -> figure_dict where
loss_spec does not exist); the metrics table (live.metrics_report: trainer.evaluate(),
best_metrics, metrics.metrics_table and the loss row; styled and marshalled to Arrow as
st.dataframe does); and json.dumps of both components' arguments as Streamlit serializes them on
every rerun (the cached base figure of the boundary included). views refreshes the table at most
every METRICS_EVERY_S while playing, so another row shows a frame that reuses it.

Four lanes (race_view._draw): four boundary frames, each in its own component with its own base
figure; one loss figure with all lanes' curves (race_plots.race_loss_spec); the 4-row leaderboard
(styled_leaderboard, marshalled). Built from playground.race.Race; from 4 Trainers if that is missing.

Times are this thread's CPU time (time.thread_time), so other processes' load does not count;
the wall-clock median is shown beside it.
"""

from __future__ import annotations

import json

import pandas as pd

from benchmarks.common import Row, interleave, median
from playground import live, plots
from playground.boundary import Boundary
from playground.live import frame
from playground.presets import PRESETS
from playground.train import Trainer

GOAL_ONE_MS, GOAL_FOUR_MS = 25.0, 60.0
LANE_OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")


def _batch_id(frames: list[dict], revision: int) -> str | None:
    from playground.ui.live_chart import batch_id  # the real hash the component call computes

    return batch_id(frames, revision)


def _marshalled(table) -> int:
    """Bytes of a DataFrame or Styler after Streamlit's Arrow marshalling (what st.dataframe/st.table send)."""
    try:
        from streamlit import dataframe_util
        from streamlit.proto.ArrowData_pb2 import ArrowData

        proto = ArrowData()
        if isinstance(table, pd.io.formats.style.Styler):
            from streamlit.elements.lib.pandas_styler_utils import marshall_styler

            marshall_styler(proto, table, "bench")
            data = table.data
        else:
            data = table
        proto.data = dataframe_util.convert_pandas_df_to_arrow_bytes(data)
        return proto.ByteSize()
    except Exception:  # an API change in streamlit must not stop the benchmark
        frame_ = table.data if isinstance(table, pd.io.formats.style.Styler) else table
        return len(frame_.to_json())


def _component_json(figure: dict, frames: list[dict], revision: int, key: str, height: int) -> str:
    """What Streamlit's component call json.dumps on every rerun (see live_chart.live_chart)."""
    args = {"figure": figure, "frames": frames, "batch_id": _batch_id(frames, revision),
            "revision": str(revision), "height": height, "frame_ms": None, "default": None, "key": key}
    return json.dumps(args)


def _metrics_table(trainer: Trainer) -> pd.DataFrame:
    """The live metrics table exactly as views draws it."""
    return live.metrics_report(trainer)[0]


def _loss_dict(trainer: Trainer) -> dict:
    kwargs = {"best_epoch": trainer.best_epoch or None, "stop_epoch": trainer.stop_epoch,
              "events": trainer.history.events}
    return plots.loss_spec(trainer.history, **kwargs)


def _race_loss_dict(trainers: list[Trainer], labels: list[str]) -> dict:
    try:
        from playground.race_plots import race_loss_spec

        return race_loss_spec(trainers, labels)
    except ImportError:  # no race plots yet: the lanes' curves merged into one figure
        fig = {"data": [], "layout": _loss_dict(trainers[0])["layout"]}
        for label, t in zip(labels, trainers, strict=True):
            for trace in _loss_dict(t)["data"]:
                fig["data"].append({**trace, "name": f"{label} {trace['name']}"})
        return fig


def _leaderboard(lanes: Lanes):
    if lanes.race is not None and hasattr(lanes.race, "leaderboard"):
        board = lanes.race.leaderboard()
        try:
            from playground.race_plots import styled_leaderboard

            return styled_leaderboard(board)
        except ImportError:
            return board
    rows = {label: t.evaluate().get("val", {}) for label, t in zip(lanes.labels, lanes.trainers, strict=True)}
    return pd.DataFrame(rows).T


class Lanes:
    """n trained lanes on the default preset's data, their boundary, and each lane's base figure."""

    def __init__(self, n: int, epochs: int, n_points: int | None = None):
        cfg = PRESETS["default"].config.replace(epochs=max(10 * epochs, 1000))
        if n_points:
            cfg = cfg.replace(n_points=n_points)
        self.race = None
        self.source = "4 Trainers"
        self.trainers, self.labels = self._build(cfg, n, epochs)
        self.boundary = Boundary(self.trainers[0].data)
        self.bases = [plots.figure_dict(plots.boundary_figure(self.boundary, t.data, self.boundary.values(t)))
                      for t in self.trainers]
        self.revision = 1

    def _build(self, cfg, n: int, epochs: int) -> tuple[list[Trainer], list[str]]:
        if n == 1:
            t = Trainer(cfg)
            t.run(epochs)
            return [t], ["lane 1"]
        lanes = [{"optimizer": o} for o in LANE_OPTIMIZERS[:n]]
        try:  # the race engine: its trainers, trained in lockstep
            from playground.race import Race

            try:
                from playground.race_config import RaceConfig
            except ImportError:
                from playground.race import RaceConfig
            self.race = Race(RaceConfig.of(cfg, lanes))
            self.race.run(epochs)
            self.source = "playground.race.Race"
            return list(self.race.trainers), list(self.race.labels)
        except ImportError:
            trainers = [Trainer(cfg.replace(**lane)) for lane in lanes]
            for t in trainers:
                t.run(epochs)
            return trainers, [lane["optimizer"] for lane in lanes]

    def draw(self, table: bool = True) -> dict[str, int]:
        """One frame for every lane; returns the payload bytes per part."""
        frames = [frame(t, self.boundary) for t in self.trainers]
        boundary_json = [_component_json(base, [f], self.revision, f"boundary_{i}", plots.HEIGHT)
                         for i, (base, f) in enumerate(zip(self.bases, frames, strict=True))]
        if len(self.trainers) == 1:
            loss = _loss_dict(self.trainers[0])
            board = _metrics_table(self.trainers[0]).style.format("{:.4f}", na_rep="–") if table else None
        else:
            loss = _race_loss_dict(self.trainers, self.labels)
            board = _leaderboard(self) if table else None
        loss_json = _component_json(loss, [], self.revision, "loss_chart", plots.HEIGHT - 60)
        return {"boundary frame": sum(len(json.dumps(f["patches"])) for f in frames),
                "boundary args": sum(len(s) for s in boundary_json), "loss args": len(loss_json),
                "table": _marshalled(board) if board is not None else 0}


def _parts(lanes: Lanes, reps: int) -> dict[str, float]:
    """Median ms of each part of a 1-lane frame alone, for the breakdown."""
    t, base = lanes.trainers[0], lanes.bases[0]
    fns = {
        "live.frame (grid + encode)": lambda: frame(t, lanes.boundary),
        "loss figure dict": lambda: _loss_dict(t),
        "evaluate + metrics table + Arrow": lambda: _marshalled(_metrics_table(t).style.format("{:.4f}")),
        "json.dumps + batch id, boundary args": lambda: _component_json(base, [frame(t, lanes.boundary)], 1, "b",
                                                                        420),
    }
    cpu: dict[str, list[float]] = {}
    interleave(fns, seconds=0, min_reps=reps, cpu=cpu)
    return {k: median(v) * 1000 for k, v in cpu.items()}


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    epochs = 20 if tiny else 300
    reps = 3 if tiny else 15 if quick else 40
    one = Lanes(1, epochs, n_points=60 if tiny else None)
    four = Lanes(4, epochs, n_points=60 if tiny else None)
    sizes = {"one": one.draw(), "four": four.draw()}
    cpu: dict[str, list[float]] = {}
    times = interleave({"one": one.draw, "four": four.draw, "one, cached table": lambda: one.draw(table=False)},
                       seconds=0, min_reps=reps, cpu=cpu)
    ms = {k: median(v) * 1000 for k, v in cpu.items()}
    wall = {k: median(v) * 1000 for k, v in times.items()}
    n = len(one.trainers[0].history)
    rows = [
        Row("B3", f"1 lane (default preset, epoch {n}): frame + loss fig + metrics table + json", ms["one"], "ms",
            ("<=", GOAL_ONE_MS), digits=1, detail=f"CPU ms, median of {len(cpu['one'])}; wall {wall['one']:.1f} ms"),
        Row("B3", f"4 lanes ({four.source}): 4 frames + 1 loss fig (4 lanes) + 4-row table + json", ms["four"],
            "ms", ("<=", GOAL_FOUR_MS), digits=1,
            detail=f"CPU ms, median of {len(cpu['four'])}; wall {wall['four']:.1f} ms"),
        Row("B3", "1 lane, a tick that reuses the metrics table (views caches it while playing)",
            ms["one, cached table"], "ms", digits=1),
    ]
    for name, kb in (("one", sizes["one"]), ("four", sizes["four"])):
        total = kb["boundary args"] + kb["loss args"] + kb["table"]
        rows.append(Row("B3", f"payload per frame, {'1 lane' if name == 'one' else '4 lanes'}", total / 1024, "kB",
                        digits=1, detail=f"boundary patch {kb['boundary frame'] / 1024:.1f} kB, boundary args with "
                                         f"base figure {kb['boundary args'] / 1024:.1f} kB, loss args "
                                         f"{kb['loss args'] / 1024:.1f} kB, table {kb['table'] / 1024:.1f} kB"))
    for part, value in _parts(one, reps).items():
        rows.append(Row("B3", f"1 lane part: {part}", value, "ms", digits=2, detail="CPU ms"))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table(run(quick=True)))

"""B3, frame cost: server time for one live frame, as the live fragment makes it, minus Streamlit's own work.

One lane (ui/pages/single.draw): the boundary frame (grid predictions + patch encoding,
live.loop.frame) and its batch id; the loss figure as a plain dict (figures.loss.loss_spec); the
metrics table (engine.evaluation.metrics_report, styled and marshalled to Arrow as st.table does);
and json.dumps of both components' arguments as Streamlit serializes them on every rerun (the
cached base figure of the boundary included). The page refreshes the table at most every
METRICS_EVERY_S while playing, so another row shows a frame that reuses it.

Four lanes (ui/pages/race.draw): four boundary frames, each in its own component with its own base
figure; one loss figure with all lanes' curves (race_loss_spec); the 4-row leaderboard
(styled_leaderboard, marshalled), from an engine.race.Race.

With the network view (the single-run page's "Network" panel): one lane's frame as above plus one
network frame (figures.network.network_frame: every unit's map over the plane, the links' styles)
and the json.dumps of its component's arguments. The worker makes at most NETWORK_FPS of them a
second, so one per frame is an upper bound.

Times are this thread's CPU time (time.thread_time), so other processes' load does not count;
the wall-clock median is shown beside it.
"""

from __future__ import annotations

import json

import pandas as pd

from benchmarks.common import Row, interleave, median
from playground.engine.evaluation import metrics_report
from playground.engine.race import Race
from playground.engine.train import Trainer
from playground.figures.boundary import boundary_figure
from playground.figures.grid import Boundary
from playground.figures.leaderboard import styled_leaderboard
from playground.figures.loss import loss_spec, race_loss_spec
from playground.figures.network import network_frame
from playground.figures.payload import figure_dict
from playground.figures.style import HEIGHT
from playground.lessons import PRESETS
from playground.live.loop import frame, loss_points, point_traces
from playground.race_config import RaceConfig

GOAL_ONE_MS, GOAL_FOUR_MS = 25.0, 60.0
TICK_EPOCHS = 12  # epochs one 0.2 s tick (ui.live.TICK_S) carries at the default 60 epochs/s
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
    """The live metrics table exactly as the single-run page draws it."""
    return metrics_report(trainer)[0]


def _loss_dict(trainer: Trainer) -> dict:
    kwargs = {"best_epoch": trainer.best_epoch or None, "stop_epoch": trainer.stop_epoch,
              "events": trainer.history.events}
    return loss_spec(trainer.history, **kwargs)


class Lanes:
    """n trained lanes on the default preset's data, their boundary, and each lane's base figure."""

    def __init__(self, n: int, epochs: int, n_points: int | None = None):
        cfg = PRESETS["default"].config.replace(epochs=max(10 * epochs, 1000), patience=0)  # trains every epoch
        if n_points:
            cfg = cfg.replace(n_points=n_points)
        self.race = None
        self.trainers, self.labels = self._build(cfg, n, epochs)
        self.boundary = Boundary(self.trainers[0].data)
        self.bases = [figure_dict(boundary_figure(self.boundary, t.data, self.boundary.values(t)))
                      for t in self.trainers]
        self.revision = 1

    @property
    def lanes(self) -> list[Trainer]:
        """The trainers, as a Runner's lanes (for loss_points)."""
        return self.trainers

    def _build(self, cfg, n: int, epochs: int) -> tuple[list[Trainer], list[str]]:
        if n == 1:
            t = Trainer(cfg)
            t.run(epochs)
            return [t], ["lane 1"]
        lanes = [{"optimizer": o} for o in LANE_OPTIMIZERS[:n]]
        self.race = Race(RaceConfig.of(cfg, lanes))  # the race engine: its trainers, trained in lockstep
        self.race.run(epochs)
        return list(self.race.trainers), list(self.race.labels)

    def draw(self, table: bool = True, tick: bool = True, network: bool = False) -> dict[str, int]:
        """One frame for every lane; returns the payload bytes per part.

        tick=True is a live tick: figures stay in the browser, and the loss chart gets this tick's points
        (TICK_EPOCHS epochs per lane); tick=False is a page run, which sends every figure once.
        network=True adds lane 1's network-view frame and its component arguments.
        """
        frames = [frame(t, self.boundary) for t in self.trainers]
        boundary_json = [_component_json(None if tick else base, [f], self.revision, f"boundary_{i}", HEIGHT)
                         for i, (base, f) in enumerate(zip(self.bases, frames, strict=True))]
        if len(self.trainers) == 1:
            loss = None if tick else _loss_dict(self.trainers[0])
            board = _metrics_table(self.trainers[0]).style.format("{:.4f}", na_rep="–") if table else None
        else:
            loss = None if tick else race_loss_spec(self.trainers, self.labels)
            board = styled_leaderboard(self.race.leaderboard()) if table else None
        points = [[loss_points(self)[k]] * TICK_EPOCHS for k in range(len(self.trainers))]
        extra = {"points": point_traces(points, self.trainers[0].data.has_val)} if tick else {}
        loss_json = _component_json(loss, [], self.revision, "loss_chart", HEIGHT - 60) + json.dumps(extra)
        net = _network_json(self.trainers[0], self.boundary, self.revision) if network else ""
        return {"boundary frame": sum(len(json.dumps(f["patches"])) for f in frames),
                "boundary args": sum(len(s) for s in boundary_json), "loss args": len(loss_json),
                "table": _marshalled(board) if board is not None else 0, "network args": len(net)}


def _network_json(trainer: Trainer, boundary: Boundary, revision: int) -> str:
    """What the network view's component call json.dumps (see ui.network_view.network_view)."""
    args = {"frame": network_frame(trainer, boundary), "revision": str(revision), "height": 350, "node": 28,
            "gap": 6, "default": None, "key": "network_view"}
    return json.dumps(args)


def _parts(lanes: Lanes, reps: int) -> dict[str, float]:
    """Median ms of each part of a 1-lane frame alone, for the breakdown."""
    t, base = lanes.trainers[0], lanes.bases[0]
    fns = {
        "live.frame (grid + encode)": lambda: frame(t, lanes.boundary),
        "loss figure dict": lambda: _loss_dict(t),
        "evaluate + metrics table + Arrow": lambda: _marshalled(_metrics_table(t).style.format("{:.4f}")),
        "json.dumps + batch id, boundary args": lambda: _component_json(base, [frame(t, lanes.boundary)], 1, "b",
                                                                        420),
        "network frame + json.dumps of its args": lambda: _network_json(t, lanes.boundary, 1),
    }
    cpu: dict[str, list[float]] = {}
    interleave(fns, seconds=0, min_reps=reps, cpu=cpu)
    return {k: median(v) * 1000 for k, v in cpu.items()}


def run(*, quick: bool = False, tiny: bool = False) -> list[Row]:
    epochs = 20 if tiny else 300
    reps = 3 if tiny else 15 if quick else 40
    one = Lanes(1, epochs, n_points=60 if tiny else None)
    four = Lanes(4, epochs, n_points=60 if tiny else None)
    sizes = {"one": one.draw(), "four": four.draw(),
             "one, page run": one.draw(tick=False), "four, page run": four.draw(tick=False)}
    cpu: dict[str, list[float]] = {}
    net = one.draw(network=True)["network args"]
    times = interleave({"one": one.draw, "four": four.draw, "one, cached table": lambda: one.draw(table=False),
                        "one, network": lambda: one.draw(network=True)}, seconds=0, min_reps=reps, cpu=cpu)
    ms = {k: median(v) * 1000 for k, v in cpu.items()}
    wall = {k: median(v) * 1000 for k, v in times.items()}
    n = len(one.trainers[0].history)
    rows = [
        Row("B3", f"1 lane (default preset, epoch {n}): frame + loss fig + metrics table + json", ms["one"], "ms",
            ("<=", GOAL_ONE_MS), digits=1, detail=f"CPU ms, median of {len(cpu['one'])}; wall {wall['one']:.1f} ms"),
        Row("B3", "4 lanes (Race): 4 frames + 1 loss fig (4 lanes) + 4-row table + json", ms["four"],
            "ms", ("<=", GOAL_FOUR_MS), digits=1,
            detail=f"CPU ms, median of {len(cpu['four'])}; wall {wall['four']:.1f} ms"),
        Row("B3", "1 lane, a tick that reuses the metrics table (the single-run page caches it while playing)",
            ms["one, cached table"], "ms", digits=1),
        Row("B3", "1 lane with the network view: frame + network frame + loss fig + metrics table + json",
            ms["one, network"], "ms", ("<=", GOAL_ONE_MS), digits=1,
            detail=f"CPU ms, median of {len(cpu['one, network'])}; wall {wall['one, network']:.1f} ms; "
                   f"network args {net / 1024:.1f} kB"),
        Row("B3", "network view: its component's arguments per frame (1 lane)", net / 1024, "kB", digits=1,
            detail="at most NETWORK_FPS (10) a second, the newest only"),
    ]
    for name, kb in sizes.items():
        total = kb["boundary args"] + kb["loss args"] + kb["table"]
        what = ("1 lane" if name.startswith("one") else "4 lanes") + (", page run (figures sent)" if "page" in name
                                                                      else ", live tick (no figures)")
        rows.append(Row("B3", f"payload, {what}", total / 1024, "kB", digits=1,
                        detail=f"boundary patch {kb['boundary frame'] / 1024:.1f} kB, boundary args "
                               f"{kb['boundary args'] / 1024:.1f} kB, loss args {kb['loss args'] / 1024:.1f} kB, "
                               f"table {kb['table'] / 1024:.1f} kB"))
    for part, value in _parts(one, reps).items():
        rows.append(Row("B3", f"1 lane part: {part}", value, "ms", digits=2, detail="CPU ms"))
    return rows


if __name__ == "__main__":
    from benchmarks.common import table

    print(table(run(quick=True)))

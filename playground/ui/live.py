"""The one live area for every mode: transport, the tick that collects the worker's epochs, the charts.

Training runs on the LiveRun's worker thread at the chosen speed; the fragment here only collects
what the worker recorded since the last tick and hands it to the page's `draw(run, got)`. Every
chart's figure is sent once per page run (or when the browser asks for it again); ticks send only
new boundary frames and loss points, so a tick's message stays small.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import streamlit as st

from playground.config import MAX_LAYERS, MAX_NEURONS, MAX_STEPS_PER_S, MAX_TRAINING_SESSIONS
from playground.figures.boundary import boundary_figure, shown, small_multiple
from playground.figures.network import network_frame
from playground.figures.payload import figure_dict
from playground.live import feed as live_feed
from playground.live.feed import Got
from playground.live.loop import frame, point_traces
from playground.ui import state
from playground.ui.live_chart import live_chart
from playground.ui.live_counter import live_counter
from playground.ui.network_view import network_view, view_height
from playground.ui.state import DEFAULT_SPEED, LiveRun

TICK_S = 0.2  # fragment period while playing: 5 round trips a second (0.15 gave 25% fewer boundary redraws)
# With the live feed the charts and the counter's epoch poll their own data; the fragment reruns for the rest
# of the counter's line and the tables. Each rerun re-renders the whole page (~100 ms of a browser's main thread
# here): 4 visitors on 2 cores got 1.8-1.9 loss-chart updates/s each at 1 s, 2.3-2.9 at 2 s.
FED_TICK_S = 2.0
SPEEDS = (1, 2, 5, 10, 20, 40, DEFAULT_SPEED, 80, 160, 1000)
MAX_SPEED = SPEEDS[-1]  # shown as "max": as fast as the CPU and the steps/s cap allow
PRESENT_HEIGHT = 420  # each chart in projector mode: two side by side fill a 1280x720 projector
PRESENT_FONT = 16  # plotly's font size in projector mode (12 otherwise)
SHOW_VAL, DISCRETIZE = "show_val", "discretize"  # the boundary's view toggles (display only: not in the run's config)


Tick = Callable[[Got], dict | None]  # a chart's share of a tick: {"frames": [...], "points": {...}, "layout": {...}}
Draw = Callable[[LiveRun, Got | None], None]


def transport_ui(run: LiveRun, *, step_help: str = "Train exactly one epoch",
                 reset_help: str = "New initial weights, same data", boundary: bool = True,
                 speed: bool = False) -> None:
    """Play/Pause, Step, Reset, the view toggles (log y; the boundary's validation points, discretize), the speed."""
    runner, playing = run.runner, state.ui().playing
    # Projector mode: the transport shares its row with the lesson's controls and has larger type, so the
    # buttons take the whole of their column (at [1, 1, 1, 1, 4] their labels were cut to "Pl…").
    present = state.ui().present
    cols = st.columns([1, 1, 1, 1, 0.01] if present else [0.9, 0.85, 0.9, 1.0, 1.25, 1.25, 1.15],
                      vertical_alignment="center")
    label, icon = ("Pause", ":material/pause:") if playing else ("Play", ":material/play_arrow:")
    cols[0].button(label, key="play", icon=icon, type="primary", on_click=_set_playing, args=(run, not playing),
                   disabled=runner.done and not playing, width="stretch")
    cols[1].button("Step", key="step", icon=":material/skip_next:", on_click=_step, args=(run,),
                   width="stretch", disabled=runner.done, help=step_help)
    cols[2].button("Reset", key="reset", icon=":material/restart_alt:", on_click=_reset, args=(run,),
                   width="stretch", help=reset_help)
    # The toggles stretch to their columns: at their default width="content" the label with a help icon came
    # out 3 px short and read "lo…" at 1280 px (tested); "log y" with its help icon needs 1.0 of these weights.
    cols[3].toggle("log y", key="log_y", help="Log-scale loss axis", width="stretch")
    discrete = False
    if boundary and not present:
        cols[4].toggle("Validation", key=SHOW_VAL, value=True,
                       help="Show the held-out validation points (hollow) on the boundary", width="stretch")
        discrete = cols[5].toggle("Discretize", key=DISCRETIZE, value=False,
                                  help="Colour each region by the predicted class (regression: 8 bands), "
                                       "not by probability", width="stretch")
    if run.boundary is not None:  # the one writer: frames made from here on, by the worker too, follow it
        run.boundary.discrete = discrete
    if speed and not present:
        with cols[6]:
            speed_ui(compact=True)


def speed_ui(unit: str = "epochs", compact: bool = False) -> int:
    """The speed picker, in epochs (or a mode's own unit) per second (compact: unlabelled, in the transport's row)."""
    state.seed_missing_widget("speed", DEFAULT_SPEED)
    top, suffix = ("max speed", f" {unit}/s") if compact else ("max", "")  # unlabelled, the values say what they are
    return st.select_slider(f"Speed ({unit}/s)", SPEEDS, key="speed",
                            label_visibility="collapsed" if compact else "visible",
                            format_func=lambda v: top if v == MAX_SPEED else f"{v}{suffix}")


def _speed() -> float:
    speed = state.widget("speed", DEFAULT_SPEED)
    return math.inf if speed == MAX_SPEED else float(speed)


def _set_playing(run: LiveRun, want: bool) -> None:
    """Play or Pause, as the button said when clicked: a click handled twice (a rerun replaying it) toggles nothing."""
    ui = state.ui()
    ui.playing = want and not run.runner.done
    if ui.playing:
        run.worker.speed = _speed()
        run.worker.play(wait_for_page=_fed(run))  # fed: from the page's first poll, not through the rerun
    else:
        run.worker.pause()  # returns once the chunk in flight is done: the counter is then true


def _step(run: LiveRun) -> None:
    state.ui().playing = False
    if not run.worker.step():
        state.ui().notice = (f"Queued: {MAX_TRAINING_SESSIONS} visitors are training right now; "
                             "Step works as soon as a place frees up.")


def _reset(run: LiveRun) -> None:
    state.ui().playing = False
    if run.reset is not None:
        run.worker.pause()
        run.reset()
    else:
        state.bump_seed("init_seed")


def live_area(run: LiveRun, draw: Draw) -> None:
    """The live fragment: re-run every TICK_S while playing (FED_TICK_S with the live feed), else on demand."""
    ui = state.ui()
    if ui.playing and not run.worker.playing and not run.runner.done:
        run.worker.speed = _speed()
        run.worker.play(wait_for_page=_fed(run))  # back to a mode that was playing, or a session that reconnected
    run_every = (FED_TICK_S if _fed(run) else TICK_S) if ui.playing else None

    @st.fragment(run_every=run_every)
    def _live() -> None:
        ui = state.ui()
        got = _collect(run) if ui.playing else None
        run.feed.begin()  # the charts this run draws are fed from now on; the others (all, paused) no more
        draw(run, got)
        run.feed.end()
        if run.worker.capped:
            st.caption(f"Speed is capped at {MAX_STEPS_PER_S:,} optimizer steps per second per visitor.")
        if ui.playing and run.runner.done and not run.worker.playing:
            ui.playing = False
            st.rerun(scope="app")  # stop the ticks and relabel Play

    _live()


def _fed(run: LiveRun) -> bool:
    """The charts poll the live feed (app.py serves it, and no chart of this run reported it unreachable)."""
    return live_feed.served() and not run.feed_failed


def _collect(run: LiveRun) -> Got:
    worker = run.worker
    worker.speed = _speed()
    if not worker.playing and not run.runner.done:
        worker.resume()  # it stopped itself when no tick came (tab hidden); a tick never undoes a Pause
    if worker.queued:
        st.info(f"Queued: {worker.queued - 1} ahead of you. {MAX_TRAINING_SESSIONS} visitors are training "
                "right now; yours starts as soon as a place frees up.")
    if _fed(run):  # the feed's polls collect the charts' data; this tick keeps the counter and the tables
        return Got(fed=True)
    return run.collect()


def counter(run: LiveRun, detail: str, unit: str = "Epoch", spark: str = "") -> None:
    """The epoch counter (its #epoch-counter data attribute is what the browser tests read); spark is HTML.

    While playing with the live feed, the browser polls the epoch between the ticks, so the counter keeps
    pace with the charts while the rest of the line (and the tables) change once a tick.
    """
    runner = run.runner
    feed = None
    if state.ui().playing and _fed(run):
        feed = run.feed.watch("epoch_counter", lambda: {"epoch": int(runner.current_epoch)})
    live_counter(runner.current_epoch, runner.cfg.epochs, unit=unit, detail=detail, spark=spark, feed=feed)


def _figure_due(run: LiveRun, key: str) -> bool:
    """Send this chart's figure: once per page run, or when its browser side asks for it again."""
    ask = state.widget(key)
    if isinstance(ask, dict) and ask.get("need") == str(run.revision) and run.answered.get(key) != ask.get("t"):
        run.answered[key] = ask.get("t")
        return True
    return run.sent.get(key) != state.ui().page_run


def chart_height(normal: int) -> int:
    """A chart's height: larger in projector mode."""
    return PRESENT_HEIGHT if state.ui().present else normal


def _presented(figure: dict, height: int) -> dict:
    """In projector mode a figure fills its chart's height, with larger fonts."""
    if state.ui().present:
        layout = figure.setdefault("layout", {})
        layout["height"] = height
        layout["font"] = {**layout.get("font", {}), "size": PRESENT_FONT}
    return figure


def chart(run: LiveRun, key: str, figure: Callable[[], dict], frames: list[dict] | None = None, *,
          height: int, points: dict | None = None, layout: dict | None = None, lost: bool = False,
          clicks: bool = False, flush: bool = False, got: Got | None = None, tick: Tick | None = None):
    """A live chart whose figure travels only when due; frames and points travel every tick.

    tick: the chart's share of what a tick collected (got); with the live feed the browser polls it instead.
    clicks: returns the chart's value, the last click on it ({x, y, n, t}; a figure request has "need").
    """
    extra = {}
    if got is not None and tick is not None:
        if got.fed:
            extra["feed"] = run.feed.register(key, tick)
        else:
            part = tick(got) or {}
            frames, points = part.get("frames", frames), part.get("points", points)
            layout = part.get("layout", layout)
        lost = lost or got.lost
    ask = state.widget(key)
    if isinstance(ask, dict) and ask.get("feed_failed") and not run.feed_failed:
        run.feed_failed = True  # this browser cannot reach the feed: the ticks carry the data again, 5 a second
        st.rerun(scope="app")
    due = lost or _figure_due(run, key)
    sends = run.figure_sends.get(key, 0) + due
    value = live_chart(_presented(figure(), height) if due else None, frames, key=key, revision=run.revision,
                       height=height, points=points, layout=layout, clicks=clicks, flush=flush,
                       session=_session_tag(), figure_id=f"{run.revision}.{sends}", **extra)
    if due:  # counted as sent only once its element is out: a run interrupted before that sends it again
        run.sent[key], run.figure_sends[key] = state.ui().page_run, sends
    return value


def _session_tag() -> str:
    """Names this Streamlit session to its charts (a digest: the queue's id stays on the server)."""
    return hashlib.blake2b(state.ui().sid.encode(), digest_size=8).hexdigest()


def lane_chart(run: LiveRun, k: int, got: Got | None, *, height: int, key: str, title: str | None = None,
               small: bool = False) -> None:
    """Lane k's decision boundary: its base figure when due, then this tick's frames (small: one of a row)."""
    trainer = run.runner.lanes[k]

    def tick(g: Got) -> dict | None:
        return {"frames": g.frames[k]} if g.frames and g.frames[k] else None

    def base() -> dict:
        if k not in run.figures:  # built once per run; later epochs arrive as frames
            fig = boundary_figure(run.boundary, trainer.data, run.boundary.values(trainer), title=title)
            fig.update_layout(height=height)
            if small:
                small_multiple(fig)
            run.figures[k] = figure_dict(fig)
        return shown(run.figures[k], validation=bool(state.widget(SHOW_VAL, True)),
                     discrete=run.boundary.discrete)

    paused = None if got else [frame(trainer, run.boundary)]  # paused: the current weights at once
    chart(run, key, base, paused, height=height, flush=got is None, got=got, tick=tick)


def loss_points(got: Got | None, validation: bool, *, weight_norms: bool = False) -> dict | None:
    """This tick's loss (and weight-norm) points as traces to extend (see live.loop.point_traces)."""
    return point_traces(got.points, validation, weight_norms) if got else None


def network_chart(run: LiveRun, got: Got | None, *, key: str, on_edit: Callable[[], None] | None = None) -> None:
    """Lane 0's network view: the tick's newest frame; paused or on a page run, the current weights' one.

    A tick that made no new frame sends none, and the browser keeps the one it shows. on_edit: the view
    shows +/- for layers and units, and a click calls it (see network_view).
    """
    ui = state.ui()
    if ui.network_edited:  # the view is in the live fragment: a new network needs the whole page's run
        ui.network_edited = False
        st.rerun(scope="app")
    trainer, page_run = run.runner.lanes[0], ui.page_run
    net = got.network if got else None
    if net is None and (got is None or run.sent.get(key) != page_run):
        net = network_frame(trainer, run.boundary)
    run.sent[key] = page_run
    edit = {"max_layers": MAX_LAYERS, "max_units": MAX_NEURONS} if on_edit else None
    # Fed, its newest frame comes with the feed's polls (as a one-frame list: late ones after a Pause are dropped).
    fed = run.feed.register(key, lambda g: {"frames": [g.network]} if g.network else None) if got and got.fed else None
    network_view(net, key=key, revision=run.revision, height=view_height(trainer, editable=bool(edit)), edit=edit,
                 on_edit=on_edit, feed=fed)

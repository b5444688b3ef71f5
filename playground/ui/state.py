"""The one home of per-visitor state: a typed UIState in st.session_state, the URL, widget seeding.

No other module touches st.session_state or st.query_params. Widgets still own their values
under their keys (Streamlit's rule); this module seeds them from a config and reads them back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from playground import links
from playground.config import MAX_LAYERS, MAX_SEED, MAX_STEPS_PER_S, MAX_TRAINING_SESSIONS, RunConfig
from playground.figures.grid import Boundary
from playground.live.feed import Feed, Got
from playground.live.loop import lane_frames, loss_points
from playground.live.runner import Runner
from playground.live.share import FairShare
from playground.live.slots import TrainingSlots
from playground.live.worker import Worker
from playground.surfaces.config import SurfaceConfig
from playground.sweeps.board import SweepBoard
from playground.sweeps.config import SweepConfig

DEFAULT_SPEED = 60  # epochs per second; the TF Playground trains about one epoch per frame
BATCH_MODES = ("Full batch", "Mini-batch", "Stochastic (1)")
W = "w_"  # widget keys are W + field name, so a config can seed them
_KEY = "ui"


@dataclass
class LiveRun:
    """A runner, the worker that trains it, and what its live view keeps (grid, base figures)."""

    runner: Runner
    boundary: Boundary | None  # None: the worker draws the lanes with the page's own frames (surface paths)
    worker: Worker
    revision: int  # a new run gets a new revision, so the chart starts afresh
    data_key: str | None = None  # identity of an uploaded dataset (None for built-in data)
    figures: dict[int, dict] = field(default_factory=dict)  # base boundary figure per lane
    sent: dict[str, int] = field(default_factory=dict)  # chart key -> the page run that last sent its figure
    answered: dict[str, object] = field(default_factory=dict)  # chart key -> the browser request answered
    figure_sends: dict[str, int] = field(default_factory=dict)  # chart key -> figures sent (the browser's check)
    reset: Callable[[], None] | None = None  # what Reset does, where it is not "new initial weights"
    feed: Feed = field(init=False)  # the charts' own channel to this run's epochs (see playground.live.feed)
    feed_failed: bool = False  # a chart's browser could not reach the feed: the ticks carry its data

    def __post_init__(self) -> None:
        self.feed = Feed(self.collect, on_poll=self.worker.page_ready)

    def collect(self) -> Got:
        """Everything the worker recorded since the last collect (a tick's, or a feed poll's)."""
        return Got(*self.worker.collect(), network=self.worker.collect_network())


@dataclass
class UIState:
    """Everything a visitor's page remembers between reruns, with its defaults in one place."""

    cfg: RunConfig | None = None  # the config the widgets last produced (None before the first run)
    mode: str = "single"
    lesson: str | None = None  # the lesson opened; kept through Reset and edits
    present: bool = False  # projector mode (?present=1): no sidebar, large charts, the lesson's own controls
    hide: tuple[str, ...] = ()  # controls the link hides (?hide=lr,optimizer)
    playing: bool = False
    runs: dict[str, LiveRun] = field(default_factory=dict)  # per mode, so switching keeps each run
    revision: int = 0
    page_run: int = 0  # counts full script runs: each sends every chart's figure once
    lanes: list[dict] | None = None  # the race's lane overrides
    lanes_version: int = 0  # bumped when a lesson replaces the lanes, so the editor shows new rows
    notice: str | None = None  # a one-time toast
    metrics_cache: tuple | None = None
    csv_table: tuple | None = None  # (file hash, parsed table)
    import_warnings: list[str] = field(default_factory=list)
    sid: str = field(default_factory=lambda: uuid.uuid4().hex)  # this visitor, for the training queue
    surface: SurfaceConfig | None = None  # the surfaces page's config (None before its first run)
    surface_click: Any = None  # the last contour click handled (the component repeats its value)
    surface_pending: tuple[float, float] | None = None  # a clicked start, for the widgets of the next run
    surface_paths_version: int = 0  # bumped when a lesson or link replaces the paths editor's rows
    sweep: SweepConfig | None = None  # the sweep page's last valid settings (None before its first run)
    sweep_run: Any = None  # this visitor's SweepRun (Ray loads only once a sweep starts)
    sweep_clicks: dict = field(default_factory=dict)  # heatmap key -> the last click handled
    opening: RunConfig | None = None  # a sweep cell to open in single mode on the next run
    network_edited: bool = False  # the network view's +/- changed the layer widgets: rerun the whole page

    @property
    def run(self) -> LiveRun | None:
        """The live run of the current mode."""
        return self.runs.get(self.mode)

    def new_run(self, runner: Runner, boundary: Boundary | None, data_key: str | None = None, *,
                frames: Callable | None = None, points: Callable | None = None,
                reset: Callable[[], None] | None = None, network: Callable | None = None) -> LiveRun:
        """Replace the current mode's run (its old worker stops first).

        frames/points: runner -> one frame / one point per lane, for runs without a boundary or history.
        network: runner -> a network-view frame, recorded by the worker at its lower rate.
        """
        if self.run is not None:
            self.run.worker.pause()
        self.revision += 1
        worker = Worker(runner, frames or (lambda r: lane_frames(r, boundary)), points or loss_points,
                        slots=training_slots(), sid=self.sid, max_steps_per_s=MAX_STEPS_PER_S, share=fair_share(),
                        network=network)
        self.runs[self.mode] = LiveRun(runner, boundary, worker, self.revision, data_key, reset=reset)
        return self.runs[self.mode]

    def pause_other_modes(self) -> None:
        """Only the shown mode trains: switching modes pauses the others."""
        for mode, run in self.runs.items():
            if mode != self.mode and run.worker.playing:
                run.worker.pause()


def ui() -> UIState:
    """This visitor's state (created on first use)."""
    if _KEY not in st.session_state:
        st.session_state[_KEY] = UIState()
    return st.session_state[_KEY]


def widget(key: str, default: Any = None) -> Any:
    """A widget's current value, read without drawing it (e.g. inside its on_change callback)."""
    return st.session_state.get(key, default)


def widget_values(cfg: RunConfig) -> dict:
    """Session-state values that make every config widget show cfg."""
    values = {W + name: value for name, value in cfg.to_dict().items() if not isinstance(value, list)}
    values[W + "n_layers"] = len(cfg.hidden)
    for i in range(MAX_LAYERS):
        values[f"{W}layer_{i}"] = cfg.hidden[i] if i < len(cfg.hidden) else 8
    values[W + "beta1"], values[W + "beta2"] = cfg.betas
    values[W + "features"] = list(cfg.features)
    mode = 0 if cfg.batch_size == 0 else 2 if cfg.batch_size == 1 else 1
    values[W + "batch_mode"] = BATCH_MODES[mode]
    values[W + "batch_size"] = cfg.batch_size if cfg.batch_size > 1 else 32
    return values


def push_config(cfg: RunConfig, notice: str | None = None) -> None:
    """Make the widgets show cfg (a lesson, a URL, an import, New data or Reset)."""
    for key, value in widget_values(cfg).items():
        st.session_state[key] = value
    ui().cfg = cfg
    if notice:
        ui().notice = notice


def seed_missing_widgets(cfg: RunConfig) -> None:
    """Restore widgets Streamlit forgot while they were hidden (e.g. Points for the seed lab)."""
    for key, value in widget_values(cfg).items():
        if key not in st.session_state:
            st.session_state[key] = value


def seed_missing_widget(key: str, value: Any) -> None:
    """Give a widget its default unless it already has a value."""
    st.session_state.setdefault(key, value)


def bump_seed(name: str) -> None:
    """New data (seed + 1) or new initial weights (init_seed + 1), wrapping at the largest seed."""
    cfg = ui().cfg or RunConfig()
    push_config(cfg.replace(**{name: (getattr(cfg, name) + 1) % (MAX_SEED + 1)}))


def seed_widget(key: str, value: Any) -> None:
    """Set a widget's value before it is drawn (a mode, a speed, a lesson picker)."""
    st.session_state[key] = value


def bootstrap() -> tuple[RunConfig, list[str]]:
    """On a visitor's first run read the page from the URL; later runs keep theirs."""
    state = ui()
    if state.cfg is not None:
        return state.cfg, []
    page, warnings = links.parse({k: st.query_params.get(k) for k in st.query_params})
    state.mode, state.lesson, state.surface, state.sweep = page.mode, page.lesson, page.surface, page.sweep
    state.present, state.hide = page.present, page.hide
    state.lanes = [dict(lane) for lane in page.lanes] if page.lanes else None
    seed_widget("mode", page.mode)
    push_config(page.cfg)
    return page.cfg, warnings


def take_opening() -> None:
    """A sweep cell clicked in the last run opens now, in single mode, before the mode picker is drawn."""
    state = ui()
    if state.opening is None:
        return
    cfg, state.opening = state.opening, None
    state.mode, state.lesson = links.SINGLE, None
    seed_widget("mode", links.SINGLE)
    push_config(cfg, "Opened the sweep cell's run: its exact config, in the single-run view.")


def page_state(cfg: RunConfig, lanes: tuple = (), surface: SurfaceConfig | None = None) -> links.PageState:
    """What this visitor's page shows, as a link describes it (projector mode and hidden controls too)."""
    ui_ = ui()
    return links.PageState(cfg, ui_.mode, ui_.lesson, lanes, surface, present=ui_.present, hide=ui_.hide)


def remember(cfg: RunConfig, query: dict[str, str]) -> None:
    """Store the widgets' config and mirror the page into the URL."""
    ui().cfg = cfg
    if {k: st.query_params.get(k) for k in st.query_params} != query:
        st.query_params.from_dict(query)


def page_url(query: dict[str, str]) -> str:
    """This page's address with the given query."""
    from urllib.parse import urlencode, urlsplit

    base = (st.context.url or "").split("?")[0]
    if base and not urlsplit(base).path:  # "http://host:8501" + "?q" is not a URL every app accepts
        base += "/"
    return f"{base}?{urlencode(query)}"


def session_id() -> str | None:
    """Streamlit's id of this visitor's session (the runtime knows when it ends), if there is one."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


@st.cache_resource
def sweep_board() -> SweepBoard:
    """One per server process: every visitor's sweep, cancelled when its session ends."""
    from streamlit import runtime

    board = SweepBoard()
    if runtime.exists():
        board.watch(runtime.get_instance().is_active_session)
    return board


@st.cache_resource
def training_slots() -> TrainingSlots:
    """One per server process, shared by every visitor's session."""
    return TrainingSlots(MAX_TRAINING_SESSIONS)


@st.cache_resource
def fair_share() -> FairShare:
    """One per server process: every visitor's chunks take turns at the CPU, least-served first."""
    return FairShare()

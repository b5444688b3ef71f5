"""URL ⇄ page state: the mode, the lesson, the config, a race's lanes, a surface run. Pure: no Streamlit.

The URL is the source of truth for a shared link. `?lesson=NAME` opens a lesson; any other
setting in the link overrides the lesson's (so `?lesson=overfit&lr=0.03` is a valid short link).
A teacher's link adds `present=1` (projector mode) and `hide=lr,optimizer` (controls not shown).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from playground import fields
from playground.catalog import DEFAULT_LANES, MODES
from playground.config import FIELDS, RunConfig
from playground.lessons import LESSONS
from playground.race_config import RaceConfig, lane_keys
from playground.surfaces.config import SurfaceConfig, path_keys
from playground.sweeps.config import SWEEP_KEYS, SweepConfig

SINGLE, RACE, SURFACES, SWEEP = MODES
HIDEABLE = ("lesson", "mode", "lanes", *FIELDS)  # what &hide= may name: pickers, a race's lanes editor, any setting


@dataclass(frozen=True)
class PageState:
    """What a link describes."""

    cfg: RunConfig
    mode: str = SINGLE
    lesson: str | None = None
    lanes: tuple[tuple[tuple[str, object], ...], ...] = ()  # a race's per-lane overrides
    surface: SurfaceConfig | None = None  # the surfaces mode's config
    sweep: SweepConfig | None = None  # the sweep mode's grid, metric and seeds (over cfg)
    present: bool = False  # projector mode: no sidebar, large charts, only the lesson's own controls
    hide: tuple[str, ...] = ()  # controls not shown (names from HIDEABLE)


def parse(params: dict[str, str]) -> tuple[PageState, list[str]]:
    """The page a URL's query describes; bad values fall back and are reported, never raised."""
    params = {str(k): v for k, v in params.items()}
    warnings: list[str] = []
    present, hide = _present(params.pop("present", None), warnings), _hide(params.pop("hide", None), warnings)
    page, problems = _page(params, warnings)
    return replace(page, present=present, hide=hide), problems


def _page(params: dict[str, str], warnings: list[str]) -> tuple[PageState, list[str]]:
    lesson = _lesson(params.pop("lesson", None), warnings)
    mode = _mode(params.pop("mode", None), lesson, warnings)
    base = LESSONS[lesson].config if lesson else RunConfig()
    if mode == SURFACES:
        scfg, problems = SurfaceConfig.from_query(params, base=_lesson_surface(lesson))
        return PageState(base, SURFACES, lesson, surface=scfg), warnings + problems
    if mode == RACE:
        rcfg, problems = RaceConfig.from_query(params, base=base, lanes=_lesson_lanes(lesson))
        return PageState(rcfg.base, RACE, lesson, rcfg.lanes), warnings + problems
    keys = lane_keys(params)
    if keys:
        warnings.append("lane settings only apply with mode=race; they were ignored")
    sweep_keys = [k for k in params if k in SWEEP_KEYS]
    if mode == SWEEP:
        scfg, problems = SweepConfig.from_query(params)
        warnings += problems
    elif sweep_keys:
        warnings.append("sweep settings only apply with mode=sweep; they were ignored")
    shared = {k: v for k, v in params.items() if k not in keys and k not in sweep_keys}
    cfg, problems = fields.build(RunConfig, shared, base=base)
    if mode == SWEEP:
        return PageState(cfg, SWEEP, lesson, sweep=scfg), warnings + problems
    return PageState(cfg, SINGLE, lesson), warnings + problems


def _present(raw, warnings: list[str]) -> bool:
    if raw is None:
        return False
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text not in ("0", "false", "no", "off", ""):
        warnings.append(f"present='{fields.clip(str(raw))}' was ignored; present=1 turns projector mode on")
    return False


def _hide(raw, warnings: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    names = [n.strip().lower() for n in str(raw)[: fields.MAX_PARAM_CHARS].split(",") if n.strip()]
    unknown = [n for n in names if n not in HIDEABLE]
    if unknown:
        warnings.append(f"hide: unknown control{'s' if len(unknown) > 1 else ''} "
                        f"{', '.join(repr(fields.clip(n)) for n in unknown[:5])} ignored; controls are settings "
                        "such as lr, optimizer or dropout, or lesson and mode")
    return tuple(dict.fromkeys(n for n in names if n in HIDEABLE))


def _lesson(raw, warnings: list[str]) -> str | None:
    if raw is None:
        return None
    name = str(raw).strip().lower()
    if name not in LESSONS:
        warnings.append(f"unknown lesson '{fields.clip(str(raw))}' was ignored; "
                        f"lessons are {', '.join(LESSONS)}")
        return None
    return name


def _mode(raw, lesson: str | None, warnings: list[str]) -> str:
    if raw is None:
        return LESSONS[lesson].mode if lesson else SINGLE
    mode = str(raw).strip().lower()
    if mode not in MODES:
        warnings.append(f"unknown mode '{fields.clip(str(raw))}' was ignored; showing a single run")
        return SINGLE
    return mode


def _lesson_lanes(lesson: str | None) -> list[dict]:
    lanes = LESSONS[lesson].lanes if lesson and LESSONS[lesson].race else DEFAULT_LANES
    return [dict(lane) for lane in lanes]


def _lesson_surface(lesson: str | None) -> SurfaceConfig:
    return (LESSONS[lesson].surface if lesson else None) or SurfaceConfig()


def to_query(page: PageState, *, compact: bool = False) -> dict[str, str]:
    """The URL query of a page; compact keeps only what differs from the lesson (or the defaults)."""
    head = {"mode": page.mode} if page.mode != SINGLE else {}
    if page.lesson:
        head["lesson"] = page.lesson
    if page.present:
        head["present"] = "1"
    if page.hide:
        head["hide"] = ",".join(page.hide)
    if page.mode == SURFACES:
        query = (page.surface or SurfaceConfig()).to_query()
        if compact:
            query = _kept(query, _lesson_surface(page.lesson).to_query(), path_keys)
        return {**head, **query}
    query = RaceConfig(page.cfg, page.lanes).to_query() if page.mode == RACE else page.cfg.to_query()
    if compact:
        query = _compact(query, page)
    if page.mode == SWEEP:
        sweep = (page.sweep or SweepConfig()).to_query()
        query.update(_kept(sweep, SweepConfig().to_query(), lambda q: []) if compact else sweep)
    return {**head, **query}


def teacher(page: PageState) -> dict[str, str]:
    """The short link in projector mode: what a teacher opens on the projector."""
    return to_query(replace(page, present=True), compact=True)


def _compact(query: dict[str, str], page: PageState) -> dict[str, str]:
    lesson = LESSONS.get(page.lesson) if page.lesson else None
    base = lesson.config if lesson else RunConfig()
    default = (RaceConfig.of(base, _lesson_lanes(page.lesson)) if page.mode == RACE else base).to_query()
    return _kept(query, default, lane_keys)


def _kept(query: dict[str, str], default: dict[str, str], group_keys) -> dict[str, str]:
    """What differs from default; the grouped keys (lanes, paths) go whole, or not at all."""
    group = group_keys(query)
    kept = {k: v for k, v in query.items() if default.get(k) != v and k not in group}
    if set(group) != set(group_keys(default)) or any(default.get(k) != query[k] for k in group):
        kept.update({k: query[k] for k in group})
    return kept

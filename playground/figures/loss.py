"""Loss curves: one run's train and validation loss with event markers, and a race's overlay."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go

from playground.figures.codec import float_list
from playground.figures.style import HEIGHT, LEGEND, MARGIN, TRAIN_COLOR, VAL_COLOR, title, white_template
from playground.markup import plotly

MAX_LOSS_POINTS = 2000  # a browser line of 10,000 epochs looks the same at 2,000 and ships 5x less
MAX_EVENT_MARKERS = 30  # more vertical lines than this is noise; the newest are kept
LANE_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def downsample(n: int, columns: Iterable[np.ndarray], max_points: int = MAX_LOSS_POINTS) -> np.ndarray:
    """Row indices to draw: the first, the last, and each bucket's min and max of every column.

    Keeping extremes (not every k-th row) preserves the loss spikes of a too-large learning rate.
    """
    columns = [np.asarray(c, dtype=np.float64) for c in columns]
    if n <= max_points:
        return np.arange(n)
    buckets = max(1, (max_points - 2) // (2 * max(len(columns), 1)))
    size = math.ceil(n / buckets)
    offsets = np.arange(buckets) * size
    keep = [np.array([0, n - 1])]
    for col in columns:
        blocks = np.full(buckets * size, np.nan)
        blocks[:n] = col[:n]
        blocks = blocks.reshape(buckets, size)
        finite = np.isfinite(blocks)
        keep.append(offsets + np.where(finite, blocks, np.inf).argmin(axis=1))
        keep.append(offsets + np.where(finite, blocks, -np.inf).argmax(axis=1))
    idx = np.unique(np.concatenate(keep))
    return idx[idx < n]


def _loss_values(history, name: str, idx: np.ndarray, log_y: bool) -> np.ndarray:
    y = np.asarray(history.column(name), dtype=np.float64)[idx]
    # Non-finite (diverged) and, on a log axis, non-positive losses become gaps instead of errors.
    bad = ~np.isfinite(y) | ((y <= 0) if log_y else False)
    return np.where(bad, np.nan, y).astype(np.float32)


# Event labels: horizontal, in two rows above the plot area (never over a curve); where a label fits in neither
# row, the closer pair of its neighbours is merged into one label. Python can't know the browser's plot width or
# how far the live x axis grows before the next layout, so labels are laid out for the narrowest plot
# (MIN_PLOT_PX) and every axis from 0..(last epoch / GROWTH, or the last marker) to 0..(GROWTH x last epoch):
# a wider plot only moves them further apart.
MIN_PLOT_PX = 300  # the single page's loss plot is 311 px wide at 1280 x 720
GROWTH = 1.2
LABEL_GAP_PX = 8
MAX_PART_CHARS = 24  # a longer event text is cut on the chart; its label's hover text has it whole
LABEL_FONT, LABEL_ROW_PX = 10, 14  # a label's box is 14 px tall at 10 px
# The legend sits in the top margin's left corner, 29 px tall (its box) and at most ~165 px wide at 11 px: the
# lower label row runs under it, the upper one only to its right (where the newest, busiest epochs are).
LEGEND_PX, LEGEND_ROW_PX = 165, 29
ROW_LEFT_PX = (0, LEGEND_PX - MARGIN["l"] + LABEL_GAP_PX)  # where each row may start, in the plot's px
TOP_PX = LEGEND_ROW_PX + LABEL_ROW_PX + 2  # plotly draws a box half a pixel off: 1 px to spare
GREY, RED, GREEN, PURPLE = "#7f7f7f", "#d62728", "#2ca02c", "#9467bd"
# Verdana's advance widths at 10 px (plotly's fallback after Open Sans), a little generous; the rest 6.4.
_CHAR_PX = {**dict.fromkeys("ijl", 2.8), **dict.fromkeys("ftrI .,:;·-()'", 4.3), **dict.fromkeys("mM", 9.8),
            **dict.fromkeys("wW", 10.3), **dict.fromkeys("→…", 10.2)}
_ANCHORS = (("center", 0.5), ("left", 0.0), ("right", 1.0))  # name, the share of the label left of its x
_CHANGE = re.compile(r"(?P<key>\w+) (?P<old>\S+) → (?P<new>\S+)")  # a live setting's change, as Trainer logs it


@functools.lru_cache(maxsize=4096)  # the same parts are measured again after every merge, every tick
def _text_px(text: str) -> float:
    """Estimated width in px of a label's box (text plus plotly's padding) at LABEL_FONT."""
    return 4 + sum(_CHAR_PX.get(c, 7.3 if c.isupper() else 6.4) for c in text)


def _parts(marks: tuple[tuple[int, str, str], ...]) -> list[tuple[str, str]]:
    """A group's texts and colours, with runs of changes to one setting chained: 'lr 0.03 → 0.1 → 0.3'."""
    runs: list[tuple[str, list[str], str]] = []  # (setting or whole text, its values, colour)
    for _, text, color in marks:
        change = _CHANGE.fullmatch(text)
        if change and runs and runs[-1][0] == change["key"] and runs[-1][1][-1] == change["old"]:
            runs[-1][1].append(change["new"])
        else:
            runs.append((change["key"], [change["old"], change["new"]], color) if change else (text, [], color))
    parts = []
    for head, values, color in runs:
        text = " ".join([head, " → ".join(values)]) if values else head
        if len(text) > MAX_PART_CHARS and len(values) > 2:  # a long run: its first and last values
            text = f"{head} {values[0]} → … → {values[-1]}"
        parts.append((text if len(text) <= MAX_PART_CHARS else text[:MAX_PART_CHARS - 1] + "…", color))
    return parts


def _label(marks: tuple[tuple[int, str, str], ...], cap: float) -> tuple[str, float, str]:
    """A group's label, width and colour: the parts that fit in cap px, in their colours, then '+N' for the rest."""
    parts = _parts(marks)
    widths, sep = [_text_px(t) - 4 for t, _ in parts], _text_px(" · ") - 4  # widths add up: a sum over characters
    # Shown first: a divergence, a stall or the stop, then the newest (a live run's latest change); in epoch order.
    shown, width = [], 4.0
    for i in sorted(range(len(parts)), key=lambda i: (parts[i][1] not in (RED, PURPLE), -i)):
        rest = len(parts) - len(shown) - 1
        more = _text_px(f" +{rest}") - 4 if rest else 0
        if shown and width + sep + widths[i] + more > cap:
            break
        width, shown = width + (sep if shown else 0) + widths[i], [*shown, i]
    more = f" +{len(parts) - len(shown)}" if len(shown) < len(parts) else ""
    width += _text_px(more) - 4 if more else 0
    if len(parts) == 1:
        return plotly(parts[0][0]), width, parts[0][1]
    text = " · ".join(f'<span style="color:{c}">{plotly(t)}</span>' for t, c in (parts[i] for i in sorted(shown)))
    return text + more, width, GREY


def _fit(x: float, share: float, spread: float, end: float, row: int) -> float:
    """How wide a label anchored at x (share of it left of x) may be and stay in its row on every axis."""
    # Its left end is leftmost where the axis is longest, its right end rightmost where it is shortest.
    room_left = x / spread * MIN_PLOT_PX - ROW_LEFT_PX[row]
    room_right = MIN_PLOT_PX - x / end * MIN_PLOT_PX
    if room_left < 0 or room_right < 0:
        return -1.0
    return min(room_left / share if share else math.inf, room_right / (1 - share) if share < 1 else math.inf)


def _place(marks: tuple[tuple[int, str, str], ...], spread: float, end: float, row: int, force: bool) -> dict | None:
    """A group's label in a row, anchored to stay in it on every axis (None if none does; force: the roomiest)."""
    lo, hi = marks[0][0], marks[-1][0]
    fits = [(_fit(x, share, spread, end, row), anchor, share, x)
            for (anchor, share), x in zip(_ANCHORS, ((lo + hi) / 2, lo, hi), strict=True)]
    text, width, color = _label(marks, max(f[0] for f in fits))
    # The first anchor (centred, then a flag to the right, then to the left) with room, else the roomiest.
    room, anchor, share, x = next((f for f in fits if f[0] >= width), max(fits, key=lambda f: f[0]))
    if room < width and not force:
        return None
    return {"x": x, "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom", "xanchor": anchor,
            "yshift": 1 + row * LABEL_ROW_PX, "text": text, "showarrow": False,
            "font": {"size": LABEL_FONT, "color": color}, "_marks": marks, "_share": share, "_width": width}


def _apart(a: dict | None, b: dict, spread: float) -> bool:
    """Whether label a ends left of label b, with a gap, on the longest axis (the one that squeezes them most)."""
    if a is None:
        return True
    need = (1 - a["_share"]) * a["_width"] + b["_share"] * b["_width"] + LABEL_GAP_PX
    return (b["x"] - a["x"]) * MIN_PLOT_PX / spread >= need


def _rows(groups: list[tuple], spread: float, end: float) -> list[dict] | int:
    """Each group's label in the lowest row where it clears that row's last label; else the first misfit's index."""
    last: list[dict | None] = [None, None]
    notes = []
    for i, group in enumerate(groups):
        for row in (0, 1):
            note = _place(group, spread, end, row, force=len(groups) == 1)
            if note is not None and _apart(last[row], note, spread):
                last[row] = note
                notes.append(note)
                break
        else:
            return i
    return notes


def _labels(marks: list[tuple[int, str, str]], last_epoch: int) -> list[dict]:
    """The marks' labels, in rows; where one fits in no row, neighbours are merged into one label."""
    if not marks:
        return []
    # The live axis reaches every marker's line (shapes autorange) and, give or take GROWTH, the last epoch.
    end = max(1, *(m[0] for m in marks), last_epoch / GROWTH)
    spread = GROWTH * max(end, last_epoch)
    groups = [(m,) for m in sorted(marks, key=lambda m: m[0])]
    while isinstance(misfit := _rows(groups, spread, end), int):
        # The misfit clashes with the last label of each row, its one or two left neighbours: merge the closer pair
        # (k merges groups k - 1 and k).
        pairs = [k for k in (misfit - 1, misfit) if k > 0] or [1]
        k = min(pairs, key=lambda k: groups[k][0][0] - groups[k - 1][-1][0])
        groups[k - 1:k + 1] = [groups[k - 1] + groups[k]]
    # The hover text names every mark, also those cut off.
    return [{**{k: v for k, v in note.items() if not k.startswith("_")},
             "hovertext": "<br>".join(f"epoch {e}: {plotly(t)}" for e, t, _ in note["_marks"])} for note in misfit]


def _markers(marks: list[tuple[int, str, str]], last_epoch: int) -> dict:
    """Dotted vertical lines in the plot and their labels above it, as layout shapes and annotations.

    Set in one layout update: fig.add_shape/add_annotation re-validate every earlier one (quadratic).
    """
    lines = dict.fromkeys((x, color) for x, _, color in marks)  # one line per epoch and colour
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
               "line": {"dash": "dot", "width": 1.2, "color": color}} for x, color in lines]
    return {"shapes": shapes, "annotations": _labels(marks, last_epoch)}


def _event_labels(events: Iterable[tuple[int, str]], stop_epoch: int | None) -> list[tuple[int, str]]:
    """The events of the newest MAX_EVENT_MARKERS epochs; 'stopped early' is dropped when the stop marker shows it."""
    labels: dict[int, list[str]] = {}
    for epoch, text in events:
        if stop_epoch is not None and text == "stopped early":
            continue
        labels.setdefault(int(epoch), []).append(text)
    return [(e, text) for e in sorted(labels)[-MAX_EVENT_MARKERS:] for text in labels[e]]


def loss_figure(history, *, log_y: bool = False, best_epoch: int | None = None,
                stop_epoch: int | None = None, events: Iterable[tuple[int, str]] = ()) -> go.Figure:
    """Train loss (solid) and validation loss (dashed) per epoch, with event/best/stop markers."""
    return go.Figure(loss_spec(history, log_y=log_y, best_epoch=best_epoch, stop_epoch=stop_epoch, events=events))


def _curves(history, log_y: bool, *, max_points: int, names: tuple[str, str], colors: tuple[str, str],
            group: str | None = None, validation: bool | None = None, val_legend: bool = True) -> list[dict]:
    """Train (solid) and validation (dashed) loss traces of one history, downsampled.

    validation=True keeps the validation trace even while it is empty, so live points can extend it;
    val_legend=False leaves the validation trace out of the legend (its dash says what it is).
    """
    idx = downsample(len(history), [history.column("train_loss"), history.column("val_loss")], max_points)
    epochs = np.asarray(history.column("epoch"))[idx].astype(np.int32).tolist()
    extra = {"legendgroup": group} if group else {}
    data = [{"type": "scatter", "x": epochs, "y": float_list(_loss_values(history, "train_loss", idx, log_y)),
             "mode": "lines", "name": names[0], "line": {"color": colors[0], "width": 2}, **extra}]
    val = _loss_values(history, "val_loss", idx, log_y)
    if validation or (validation is None and np.isfinite(val).any()):
        data.append({"type": "scatter", "x": epochs, "y": float_list(val), "mode": "lines", "name": names[1],
                     "line": {"color": colors[1], "width": 2, "dash": "dash"}, **extra,
                     **({} if val_legend else {"showlegend": False})})
    return data


def _layout(log_y: bool, uirevision: str, **extra) -> dict:
    """The loss chart's layout: epoch against (log) loss on the white template."""
    return {"title": title(""), "height": HEIGHT, "margin": MARGIN, "uirevision": uirevision,
            "template": white_template(), "legend": LEGEND,
            "xaxis": {"title": {"text": "epoch"}, "rangemode": "tozero"},
            # A loss is never negative: without this the empty chart (and the projector's) ran from -1 to 4.
            "yaxis": {"title": {"text": "loss (log)" if log_y else "loss"}, "type": "log" if log_y else "linear",
                      **({} if log_y else {"rangemode": "nonnegative"})},
            **extra}


def loss_markers(history, *, best_epoch: int | None = None, stop_epoch: int | None = None,
                 events: Iterable[tuple[int, str]] = ()) -> dict:
    """The loss chart's event, lowest-val, best and stop lines, as a layout update (shapes and annotations)."""
    marks = [(e, text, RED if text.startswith(("diverged", "stalled")) else GREY)
             for e, text in _event_labels(events, stop_epoch)]
    low = lowest_val_epoch(history)
    marks += [(e, text, color) for e, text, color in ((low, "lowest val loss", GREEN),
                                                      (best_epoch if best_epoch != low else None, "best", GREEN),
                                                      (stop_epoch, "stopped", PURPLE)) if e]
    epochs = history.column("epoch")
    return _markers(marks, int(np.nan_to_num(epochs[-1])) if len(epochs) else 0)


def loss_spec(history, *, log_y: bool = False, best_epoch: int | None = None,
              stop_epoch: int | None = None, events: Iterable[tuple[int, str]] = (),
              validation: bool | None = None) -> dict:
    """loss_figure as a JSON-safe dict, built directly: go.Figure's validation costs ~20 ms a tick."""
    data = _curves(history, log_y, max_points=MAX_LOSS_POINTS, names=("train", "validation"),
                   colors=(TRAIN_COLOR, VAL_COLOR), validation=validation)
    markers = loss_markers(history, best_epoch=best_epoch, stop_epoch=stop_epoch, events=events)
    # The legend in the top margin's left corner (under the axis it crowded the "epoch" title in a short chart),
    # above the event labels' lower row; its font is fixed so projector mode can't grow it into the labels.
    top = {"legend": {"orientation": "h", "xref": "container", "x": 0, "xanchor": "left", "yref": "container",
                      "y": 1, "yanchor": "top", "font": {"size": 11}},
           "margin": {**MARGIN, "t": TOP_PX, "b": 44}}
    return {"data": data, "layout": _layout(log_y, "loss", **top, **markers)}


def lowest_val_epoch(history) -> int | None:
    """The epoch where validation loss bottomed out (None without a validation split)."""
    val = np.asarray(history.column("val_loss"), dtype=np.float64)
    if not np.isfinite(val).any():
        return None
    return int(history.column("epoch")[np.nanargmin(val)])


def race_loss_spec(trainers, labels: list[str], *, log_y: bool = False, height: int = 380,
                   validation: bool | None = None) -> dict:
    """One colour per lane, train loss solid, validation dashed: a JSON-safe figure dict (no go.Figure)."""
    data = []
    for k, (t, label) in enumerate(zip(trainers, labels, strict=True)):
        color, label = LANE_COLORS[k % len(LANE_COLORS)], plotly(label)
        data += _curves(t.history, log_y, max_points=800, names=(f"{label} · train", f"{label} · val"),
                        colors=(color, color), group=label, validation=validation, val_legend=False)
    return {"data": data, "layout": _layout(
        log_y, "race-loss", title=title("train (solid) and validation (dashed) loss"), height=height,
        legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        margin={"l": 50, "r": 10, "t": 36, "b": 40})}

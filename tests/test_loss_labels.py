"""Event labels on the loss curve (issue #13): horizontal, in rows above the plot area, never on each other.

The boxes here are the layout's own width estimate placed as plotly places them; tests/test_browser_loss_labels.py
reads the real ones in the app.
"""

from __future__ import annotations

import html
import random
import re

import pytest

from playground.engine.history import History
from playground.figures import loss
from playground.figures.loss import GROWTH, LABEL_ROW_PX, LEGEND_PX, LEGEND_ROW_PX, MIN_PLOT_PX, loss_markers, loss_spec
from playground.figures.style import MARGIN

SHARE = {"left": 0.0, "center": 0.5, "right": 1.0}  # how much of a label lies left of its x
CLOSE = [(30, "lr 0.03 → 0.1"), (33, "lr 0.1 → 0.3"), (36, "momentum 0.9 → 0.5")]
TEXTS = ["lr 0.03 → 0.1", "lr 0.1 → 0.3", "momentum 0.9 → 0.5", "weight_decay 0 → 0.001", "diverged", "stalled",
         "weights imported", "lr 1e-05 → 0.0001", "stopped early"]


def history(n: int) -> History:
    h = History()
    for e in range(1, n + 1):
        h.append({"epoch": e, "train_loss": 1.0 / e + 0.3, "val_loss": 1.2 / e + 0.35})
    return h


def plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def boxes(notes: list[dict], plot_px: float, axis_end: float) -> list[tuple[float, float, float, float]]:
    """Each label's (left, right, bottom, top) in px: x from the plot area's left, y up from its top edge."""
    out = []
    for note in notes:
        width, x = loss._text_px(plain(note["text"])), note["x"] / axis_end * plot_px
        left = x - SHARE[note["xanchor"]] * width
        out.append((left, left + width, note["yshift"], note["yshift"] + LABEL_ROW_PX))
    return out


def overlap(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def assert_laid_out(marks: dict, last_epoch: int, margin_l: float = MARGIN["l"]) -> None:
    """No two labels overlap, each is inside the plot's width and clear of the legend, on every plot at least
    MIN_PLOT_PX wide and every x axis from the last epoch / GROWTH (or the last marker) to GROWTH x the last epoch."""
    notes = marks["annotations"]
    end = max([1, last_epoch / GROWTH] + [s["x0"] for s in marks["shapes"]])
    for plot_px in (MIN_PLOT_PX, 311, 480, 900):
        for axis_end in sorted({end, max(end, last_epoch), GROWTH * max(end, last_epoch)}):
            got = boxes(notes, plot_px, axis_end)
            for i, a in enumerate(got):
                assert a[0] >= -0.01 and a[1] <= plot_px + 0.01, (notes[i]["text"], a, plot_px, axis_end)
                # The legend's box, in the top margin's left corner, from the plot's point of view.
                legend = (-margin_l, LEGEND_PX - margin_l, loss.TOP_PX - LEGEND_ROW_PX, loss.TOP_PX)
                assert not overlap(a, legend), (notes[i]["text"], a, legend)
                for j, b in enumerate(got[i + 1:], start=i + 1):
                    assert not overlap(a, b), (notes[i]["text"], notes[j]["text"], plot_px, axis_end, a, b)


def test_close_events_get_horizontal_labels_above_the_plot_that_never_overlap():
    marks = loss_markers(history(40), best_epoch=38, events=CLOSE)
    notes = marks["annotations"]
    assert len(notes) >= 2
    for note in notes:
        # Horizontal, and standing on the plot area's top edge or higher: never over a curve.
        assert note.get("textangle", 0) == 0 and note["yref"] == "paper" and note["y"] == 1, note
        assert note["yanchor"] == "bottom" and note["yshift"] >= 0 and note["xref"] == "x", note
        assert note["yshift"] + LABEL_ROW_PX <= loss.TOP_PX - 1, note  # inside the top margin
    assert_laid_out(marks, 40)
    # Every marker is named, on the chart or in its label's hover text; the dotted lines stay in the plot.
    hover = sorted("<br>".join(n["hovertext"] for n in notes).split("<br>"))
    assert hover == ["epoch 30: lr 0.03 → 0.1", "epoch 33: lr 0.1 → 0.3", "epoch 36: momentum 0.9 → 0.5",
                     "epoch 38: best", "epoch 40: lowest val loss"]
    assert all(s["yref"] == "paper" and (s["y0"], s["y1"]) == (0, 1) for s in marks["shapes"])
    assert sorted(s["x0"] for s in marks["shapes"]) == [30, 33, 36, 38, 40]


def test_the_legend_has_its_own_row_above_the_labels():
    layout = loss_spec(history(40), best_epoch=38, events=CLOSE)["layout"]
    legend = layout["legend"]
    assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 1, "top")
    assert (legend["xref"], legend["x"], legend["xanchor"]) == ("container", 0, "left")
    assert legend["font"]["size"] == 11  # fixed: projector mode's larger font would grow it into the labels
    assert layout["margin"]["t"] >= LEGEND_ROW_PX + LABEL_ROW_PX + 1
    assert layout["annotations"] == loss_markers(history(40), best_epoch=38, events=CLOSE)["annotations"]


def test_changes_to_one_setting_are_chained_and_a_crowd_is_cut_with_a_count():
    notes = loss_markers(history(40), events=CLOSE[:2])["annotations"]
    assert [plain(n["text"]) for n in notes] == ["lr 0.03 → 0.1 → 0.3", "lowest val loss"]
    run = loss_markers(history(40), events=[(e, f"lr {e} → {e + 1}") for e in range(30, 36)])["annotations"]
    assert plain(run[0]["text"]) == "lr 30 → … → 36"  # a long run: its first and last values
    crowd = [(e, TEXTS[e % 3]) for e in range(70, 100)]  # lr, lr, momentum: runs of two at most
    marks = loss_markers(history(100), events=crowd)
    assert_laid_out(marks, 100)
    texts = [plain(n["text"]) for n in marks["annotations"]]
    assert any(re.search(r" \+\d+$", t) for t in texts), texts  # parts cut off are counted...
    hover = "<br>".join(n["hovertext"] for n in marks["annotations"]).split("<br>")
    assert len(hover) == len(crowd) + 1  # ...and all named in the hover text


def test_merged_labels_colour_each_part():
    notes = loss_markers(history(40), best_epoch=38, events=[(37, "diverged")])["annotations"]
    rich = " ".join(n["text"] for n in notes)
    assert '<span style="color:#d62728">diverged</span>' in rich or notes[0]["font"]["color"] == "#d62728"


@pytest.mark.parametrize("seed", range(4))
def test_random_runs_never_overlap(seed):
    rng = random.Random(seed)
    for _ in range(60):
        n = rng.choice([1, 2, 5, 13, 40, 100, 400, 5000])
        events = [(rng.randint(0, n), rng.choice(TEXTS)) for _ in range(rng.randint(0, 8))]
        start = rng.randint(1, n)
        events += [(min(n, start + k), rng.choice(TEXTS)) for k in range(rng.randint(0, 5))]  # a burst
        best, stop = rng.choice([None, rng.randint(1, n)]), rng.choice([None, n])
        assert_laid_out(loss_markers(history(n), best_epoch=best, stop_epoch=stop, events=events), n)


def test_no_markers_no_labels():
    h = History()
    h.append({"epoch": 1, "train_loss": 1.0})
    assert loss_markers(h) == {"shapes": [], "annotations": []}

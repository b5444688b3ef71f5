"""The loss curve's event labels in the real app (issue #13): two learning-rate changes three epochs apart, next
to the lowest-val-loss marker, label the curve without overlapping each other, the legend or the curves, also
once the live x axis has grown. Waits count epochs and labels; nothing is timed."""

from __future__ import annotations

import pytest

from tests.test_browser import button, open_app, play_button, wait_epoch, wait_label

pytestmark = pytest.mark.browser

URL = "?epochs=10000&patience=0"  # trains throughout
SIZE = {"width": 1280, "height": 720}  # the narrowest one-screen layout: the loss plot is ~311 px wide
FIRST, APART = 30, 3  # the first change's epoch (at least), and epochs from it to the second
EPOCH_JS = "() => Number(document.getElementById('epoch-counter').dataset.epoch)"
# The loss chart's iframe (its first trace is "train"), its labels' boxes and what they must stay clear of.
LOSS_JS = """() => {
  for (const f of document.querySelectorAll("iframe[title$='live_chart']")) {
    let d; try { d = f.contentWindow.document; } catch (e) { continue; }
    const p = d.getElementById('plot');
    if (!p || !p.data || !p.data[0] || p.data[0].name !== 'train' || !p._fullLayout) continue;
    const box = (e) => { if (!e) return null; const b = e.getBoundingClientRect();
                         return {l: b.left, t: b.top, r: b.right, b: b.bottom}; };
    const x = p.data[0].x;
    return {notes: [...d.querySelectorAll('.infolayer .annotation')].map(e => ({...box(e), text: e.textContent})),
            hover: (p.layout.annotations || []).map(a => a.hovertext || `epoch ${a.x}: ${a.text}`).join('<br>'),
            traces: box(d.querySelector('.cartesianlayer .scatterlayer')),
            area: box(d.querySelector('.draglayer .nsewdrag')), legend: box(d.querySelector('.legend')),
            svg: box(d.querySelector('.main-svg')),
            last_x: x && x.length ? Number(x[x.length - 1]) : 0};
  }
  return null;
}"""


def loss_state(page, until: str = "true") -> dict:
    """The loss chart's labels and boxes, once it is drawn and `until` (JS over s, the state) holds."""
    return page.wait_for_function(f"() => {{ const s = ({LOSS_JS})(); return !!s && ({until}) && s; }}",
                                  timeout=120_000).json_value()


def lr_changes_js(n: int) -> str:
    """True once the loss chart's labels name n learning-rate changes (in their hover text)."""
    return f"() => {{ const s = ({LOSS_JS})(); return !!s && (s.hover.match(/: lr /g) || []).length >= {n}; }}"


def overlaps(a: dict, b: dict) -> bool:
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def assert_clear(s: dict, when: str) -> None:
    """No two labels overlap; none overlaps the legend or the curves; all stand above the plot, inside the chart."""
    notes = s["notes"]
    assert notes and s["hover"].count(": lr ") >= 2, (when, s)  # close labels may be merged into one
    for i, a in enumerate(notes):
        assert a["r"] - a["l"] > a["b"] - a["t"], (when, "not horizontal", a)
        assert a["b"] <= s["area"]["t"] + 0.5, (when, "over the plot area", a, s["area"])
        assert not overlaps(a, s["traces"]), (when, "over the curves", a, s["traces"])
        assert not overlaps(a, s["legend"]), (when, "over the legend", a, s["legend"])
        assert s["svg"]["l"] <= a["l"] and a["r"] <= s["svg"]["r"] and s["svg"]["t"] <= a["t"], (when, a, s["svg"])
        for b in notes[i + 1:]:
            assert not overlaps(a, b), (when, "labels overlap", a, b)


def change_lr(page) -> None:
    """One step up the learning-rate slider (Streamlit 1.67's slider thumb is a range input)."""
    thumb = page.locator(".st-key-w_lr input[type=range]").first
    thumb.focus()
    thumb.press("ArrowRight")


def test_close_events_label_the_loss_curve_without_overlaps(app_server, chromium):
    ctx = chromium.new_context(viewport=SIZE)
    try:
        page = open_app(ctx, app_server.url + URL)
        play_button(page).click()
        wait_epoch(page, f"e >= {FIRST}", timeout_ms=120_000)
        play_button(page).click()  # pause: the two changes land a known number of epochs apart
        wait_label(page, "Play")
        change_lr(page)
        page.wait_for_function(lr_changes_js(1), timeout=60_000)
        first = page.evaluate(EPOCH_JS)
        second = first + APART
        for k in range(1, APART + 1):
            button(page, "step").click()
            wait_epoch(page, f"e >= {first + k}")
        change_lr(page)
        page.wait_for_function(lr_changes_js(2), timeout=60_000)
        assert_clear(loss_state(page, f"s.last_x >= {second}"), f"paused at epoch {second}")

        play_button(page).click()  # the axis grows live: the labels must stay apart as it does
        for target in (2 * second, 3 * second, 4 * second):  # the changes' labels squeezed 2, 3 and 4 times
            assert_clear(loss_state(page, f"s.last_x >= {target}"), f"playing, past epoch {target}")
        play_button(page).click()
        wait_label(page, "Play")
        s = loss_state(page)
        assert s["last_x"] >= 4 * second and len(s["hover"].split("<br>")) >= 3, s  # two changes and lowest val loss
        assert_clear(s, f"paused at epoch {s['last_x']}")
    finally:
        ctx.close()

"""Projector mode in Debian's chromium at 1280x720: no sidebar, the charts fill the viewport; and the HTML
report draws its figures with the network cut off. Writes docs/projector.png (the README's screenshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from playground.engine.train import Trainer
from playground.html_report import run_report
from playground.lessons import LESSONS
from tests.test_browser import BOUNDARY_DRAWN_JS, CHARTS, FIRST_CHART_TIMEOUT_MS, png_size

ROOT = Path(__file__).resolve().parents[1]
PROJECTOR = ROOT / "docs" / "projector.png"
VIEWPORT = {"width": 1280, "height": 720}


@pytest.fixture
def projector(chromium):
    ctx = chromium.new_context(viewport=VIEWPORT)
    try:
        yield ctx
    finally:
        ctx.close()


# Text inside the transport's buttons and toggle that is wider than its box (shown cut, as "Pl…").
CUT_LABELS_JS = """() => Array.from(document.querySelectorAll(
    '.st-key-play *, .st-key-step *, .st-key-reset *, .st-key-log_y *'))
  .filter(el => getComputedStyle(el).textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth)
  .map(el => el.textContent.trim())"""


@pytest.mark.browser
def test_projector_mode_has_no_sidebar_and_its_charts_fill_the_viewport(app_server, projector):
    page = projector.new_page()
    page.goto(app_server.url + "?lesson=overfit&present=1")
    page.wait_for_selector(CHARTS, timeout=FIRST_CHART_TIMEOUT_MS)
    page.wait_for_function(BOUNDARY_DRAWN_JS, timeout=FIRST_CHART_TIMEOUT_MS)
    page.get_by_text("Predict, then play").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stSidebar']").count() == 0
    assert page.locator("[data-testid='stExpandSidebarButton']").filter(visible=True).count() == 0
    assert page.evaluate("window.scrollY") == 0
    boxes = [page.locator(CHARTS).nth(k).bounding_box() for k in range(2)]
    left, right = min(b["x"] for b in boxes), max(b["x"] + b["width"] for b in boxes)
    top, bottom = min(b["y"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
    assert left >= 0 and right <= VIEWPORT["width"] and top >= 0 and bottom <= VIEWPORT["height"], boxes
    assert right - left >= 0.9 * VIEWPORT["width"], boxes  # side by side, across the whole width
    assert all(b["height"] >= 0.55 * VIEWPORT["height"] for b in boxes), boxes  # and most of the height
    for label in ("Play", "Step", "Reset", "Restart the lesson"):
        assert page.get_by_role("button", name=label).filter(visible=True).count() == 1, label
    assert page.evaluate(CUT_LABELS_JS) == [], "transport labels cut off (ellipsis) in projector mode"
    PROJECTOR.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(PROJECTOR))
    assert png_size(PROJECTOR) == (VIEWPORT["width"], VIEWPORT["height"])


@pytest.mark.browser
def test_the_html_report_draws_offline(projector, tmp_path):
    trainer = Trainer(LESSONS["overfit"].config.replace(epochs=30))
    trainer.run()
    report = tmp_path / "report.html"
    report.write_text(run_report(trainer), encoding="utf-8")
    asked: list[str] = []

    def refuse(route):
        asked.append(route.request.url)
        route.abort()

    projector.route("http*://**", refuse)  # nothing may come from a network
    page = projector.new_page()
    page.goto(report.as_uri())
    page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div .main-svg').length >= 2",
                           timeout=30_000)
    assert asked == []
    assert page.locator("table").count() >= 2  # the metrics table and the settings


@pytest.mark.browser
def test_copy_teacher_link_puts_the_projector_link_on_the_clipboard_and_it_opens_projector_mode(app_server,
                                                                                                  projector):
    projector.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.url)
    page = projector.new_page()
    page.goto(app_server.url + "?lesson=overfit")
    page.wait_for_selector(CHARTS, timeout=FIRST_CHART_TIMEOUT_MS)
    page.get_by_role("tab", name="Share").click()
    button = page.frame_locator("iframe[title='st.iframe']").get_by_role("button", name="Copy teacher link")
    button.click()
    page.frame_locator("iframe[title='st.iframe']").get_by_role("button", name="Copied").wait_for(timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(app_server.url) and "lesson=overfit" in copied and "present=1" in copied, copied
    assert page.get_by_text(copied, exact=True).count() == 1  # the same link as the one shown above the button
    page.goto(copied)  # and it opens the lesson in projector mode
    page.wait_for_selector(CHARTS, timeout=FIRST_CHART_TIMEOUT_MS)
    page.get_by_text("Predict, then play").first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stSidebar']").count() == 0

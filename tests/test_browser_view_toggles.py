"""The boundary's view toggles in a real browser (issue #13): "Discretize" and "Validation".

Discretize paints the plane in one colour on each side of P = 0.5 (counted in the painted pixels, while
training and paused); Validation off hides the hollow validation points. Counts, not timings.
"""

from __future__ import annotations

import pytest

from tests.test_browser import open_app, play_button, wait_epoch, wait_label

pytestmark = pytest.mark.browser

BOUNDARY = "document.querySelectorAll(\"iframe[title$='live_chart']\")[0]"

# Distinct colours in the boundary's painted plane: the live overlay canvas, or plotly's own heatmap image.
PLANE_COLOURS_JS = f"""async () => {{
  const d = {BOUNDARY}.contentWindow.document;
  let px;
  const c = d.querySelector('foreignObject.pg-overlay canvas');
  if (c && c.dataset.owner === 'worker') px = (await {BOUNDARY}.contentWindow.pgOverlayPixels()).data;
  else if (c && c.width) px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  else {{
    const im = new Image();
    im.src = d.querySelector('.hm image').getAttribute('href');
    await im.decode();
    const cv = d.createElement('canvas');
    cv.width = im.width; cv.height = im.height;
    const x = cv.getContext('2d');
    x.drawImage(im, 0, 0);
    px = x.getImageData(0, 0, cv.width, cv.height).data;
  }}
  const seen = new Set();
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0) seen.add(px[i] + ',' + px[i + 1] + ',' + px[i + 2]);
  return seen.size;
}}"""

SCALE_STOPS_JS = f"() => {{ const p = {BOUNDARY}.contentWindow.document.getElementById('plot');" \
                 " return p && p._fullData && p._fullData[0] ? p._fullData[0].colorscale.length : null; }"

VALIDATION_VISIBLE_JS = f"""() => {{
  const p = {BOUNDARY}.contentWindow.document.getElementById('plot');
  const v = p && p._fullData ? p._fullData.find(t => t.name === 'validation') : null;
  return v ? v.visible : null;
}}"""


def toggle(page, key: str) -> None:
    page.locator(f".st-key-{key} label").first.click()


def test_discretize_paints_two_colours_and_validation_hides_its_points(app_server, browser_context):
    page = open_app(browser_context, app_server.url + "?patience=0&epochs=10000")
    assert page.evaluate(SCALE_STOPS_JS) == 3  # orange, white, blue: a smooth probability scale
    assert page.evaluate(PLANE_COLOURS_JS) > 2, "an untrained model's plane shows shades of probability"
    toggle(page, "discretize")
    page.wait_for_function(f"() => ({SCALE_STOPS_JS})() === 4", timeout=60_000)  # two flat bands
    page.wait_for_function(f"async () => (await ({PLANE_COLOURS_JS})()) <= 2", timeout=60_000)
    play_button(page).click()
    wait_label(page, "Pause")
    wait_epoch(page, "e > 5", timeout_ms=60_000)
    assert page.evaluate(PLANE_COLOURS_JS) <= 2, "frames drawn while training stay discretized"
    play_button(page).click()
    wait_label(page, "Play")

    assert page.evaluate(VALIDATION_VISIBLE_JS) is True
    toggle(page, "show_val")
    page.wait_for_function(f"() => ({VALIDATION_VISIBLE_JS})() === false", timeout=60_000)
    toggle(page, "discretize")
    page.wait_for_function(f"() => ({SCALE_STOPS_JS})() === 3", timeout=60_000)
    page.wait_for_function(f"async () => (await ({PLANE_COLOURS_JS})()) > 2", timeout=60_000)
    assert page.evaluate(VALIDATION_VISIBLE_JS) is False, "the validation toggle survives the next figure"
    page.close()

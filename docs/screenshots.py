"""Screenshots of the playing page at 1440 x 900 and 1280 x 720, written to docs/screens/.

A documentation step, not a test: `python docs/screenshots.py` from the repository root starts
`streamlit run app.py`, opens each view in Debian's chromium, presses Play, waits a few seconds
and saves the viewport (what a visitor sees without scrolling).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import chromium, streamlit_app  # noqa: E402

OUT = ROOT / "docs" / "screens"
SIZES = ((1440, 900), (1280, 720))
VIEWS = {  # name: (query, what to do before the shot)
    "default": ("?epochs=3000&patience=0", "play"),
    "race": ("?mode=race&lesson=optimizers&epochs=3000", "play"),
    "network": ("?dataset=spiral&hidden=8,8,8&features=x1,x2,x1sq,x2sq,sin_x1,sin_x2&epochs=3000&patience=0", "play"),
    "regression": ("?dataset=plane&epochs=3000&patience=0", "play"),
}
PLAY_S = 6  # long enough for the boundary to take shape, short of the runs' ends


def shoot(browser, url: str, action: str, size: tuple[int, int], path: Path) -> None:
    """Open url at size, press Play, wait, save the viewport."""
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_function("() => document.querySelectorAll(\"iframe[title$='live_chart']\").length >= 1",
                           timeout=90_000)
    time.sleep(2)
    if action == "play":
        page.locator(".st-key-play button").filter(visible=True).click()
        time.sleep(PLAY_S)
    page.screenshot(path=str(path))
    ctx.close()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with streamlit_app() as server, chromium() as browser:
        for name, (query, action) in VIEWS.items():
            for size in SIZES:
                path = OUT / f"{name}-{size[0]}x{size[1]}.png"
                shoot(browser, server.url + query, action, size, path)
                print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()

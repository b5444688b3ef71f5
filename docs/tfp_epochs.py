"""Epochs to a test loss under 0.05 on TF Playground's default setup: this app against TFP itself.

A measurement, not a test: `python docs/tfp_epochs.py [--seeds 3] [--limit 1000]` from the
repository root. TFP (its built files in ../shared/peers/tfp, see ../shared/peers/README.md) is
served locally and driven in headless chromium; its test loss is read off the page (#loss-test,
shown with 3 decimals) each epoch (#iter-number). This app runs the `tf-playground` lesson headless.

TFP's loss is the mean of ½(tanh output − label)² with labels ±1; this app trains a sigmoid
output with BCE. Both are reported for this app: its BCE, and its predictions in TFP's units
(output 2p − 1, so ½(2p − 1 − (2y − 1))² = 2(p − y)²).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import chromium, free_port  # noqa: E402  (one copy of the browser helpers)

TARGET = 0.05
TFP_STATE = ("activation=tanh&batchSize=10&dataset=circle&learningRate=0.03&regularizationRate=0&noise=0"
             "&networkShape=4,2&percTrainData=50&problem=classification&x=true&y=true&initZero=false")
# On every repaint of the test loss, note the first epoch whose shown loss is under the target.
WATCH_JS = f"""() => {{
  window.hit = null;
  const loss = document.querySelector('#loss-test'), iter = document.querySelector('#iter-number');
  new MutationObserver(() => {{
    const epoch = Number(iter.textContent.replace(/,/g, ''));
    if (window.hit === null && epoch > 0 && parseFloat(loss.textContent) < {TARGET}) window.hit = epoch;
  }}).observe(loss, {{childList: true, characterData: true, subtree: true}});
}}"""


def tfp_dir() -> Path:
    """Where TFP's built files are: shared/peers/tfp beside the checkout (or beside its worktrees)."""
    for path in (ROOT.parent / "shared" / "peers" / "tfp", ROOT.parent.parent / "shared" / "peers" / "tfp"):
        if (path / "index.html").is_file():
            return path
    raise SystemExit("TF Playground's built files were not found (see /work/shared/peers/README.md)")


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A local static server on 127.0.0.1, in a thread of this process (stopped by shutdown())."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """No access log on stderr."""

    def log_message(self, *args) -> None:
        """Drop the line."""


def tfp_epochs(browser, url: str, seed: int, limit: int, timeout_s: float) -> int | None:
    """Play TFP with a fixed data/weights seed; the first epoch its shown test loss is under TARGET."""
    page = browser.new_page()
    try:
        page.goto(f"{url}#{TFP_STATE}&seed={seed}")
        page.wait_for_selector("#iter-number", state="attached")
        page.evaluate(WATCH_JS)
        page.click("#play-pause-button")
        page.wait_for_function(f"() => window.hit !== null || Number(document.querySelector('#iter-number')"
                               f".textContent.replace(/,/g, '')) >= {limit}", timeout=timeout_s * 1000)
        return page.evaluate("() => window.hit")
    finally:
        page.close()


def app_epochs(seed: int, limit: int) -> tuple[int | None, int | None]:
    """This app's `tf-playground` lesson: first epoch with val BCE < TARGET, and in TFP's units."""
    from playground.engine.train import Trainer
    from playground.lessons import LESSONS

    trainer = Trainer(LESSONS["tf-playground"].config.replace(seed=seed, epochs=limit, patience=0))
    bce = square = None
    while not trainer.done and (bce is None or square is None):
        trainer.epoch()
        if bce is None and trainer.history.last("val_loss") < TARGET:
            bce = trainer.current_epoch
        p = trainer.predict(trainer.data.x_val)
        if square is None and float((2 * (p - trainer.data.y_val) ** 2).mean()) < TARGET:
            square = trainer.current_epoch
    return bce, square


def main(argv: list[str] | None = None) -> int:
    """Measure both and print one line per seed, then the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 for each (default 3)")
    parser.add_argument("--limit", type=int, default=1000, help="give up after this many epochs")
    args = parser.parse_args(argv)
    from playground.engine.devices import use_one_thread

    use_one_thread()
    ours = {seed: app_epochs(seed, args.limit) for seed in range(args.seeds)}
    server, url = serve(tfp_dir())
    try:
        with chromium() as browser:
            theirs = {seed: tfp_epochs(browser, url, seed, args.limit, timeout_s=args.limit / 5)
                      for seed in range(args.seeds)}
    finally:
        server.shutdown()
    print(f"epochs to a test loss under {TARGET} (tf-playground lesson vs TF Playground's default):")
    for seed in range(args.seeds):
        bce, square = ours[seed]
        print(f"seed {seed}: this app {bce} (BCE), {square} (TFP's squared loss); TF Playground {theirs[seed]}")
    print(f"median: this app {_median(v[0] for v in ours.values())} (BCE), "
          f"{_median(v[1] for v in ours.values())} (TFP's squared loss); "
          f"TF Playground {_median(theirs.values())}")
    return 0


def _median(values) -> float | None:
    found = [v for v in values if v is not None]
    return statistics.median(found) if found else None


if __name__ == "__main__":
    raise SystemExit(main())

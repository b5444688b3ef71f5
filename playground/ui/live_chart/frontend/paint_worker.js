// paint_worker: plays the live chart's heatmap frames on this worker's own animation frames, into the overlay
// canvas the page handed over (an OffscreenCanvas). The page's main thread is shared with Streamlit's render of
// every tick (~50 ms each, 5 a second), and playback there missed the animation frames that fell inside it.
// Same pacing as the page's queue in live_chart.js: due times advance by `delay`; up to BEHIND frames late it
// catches up one per frame, later than that it skips the oldest (thinning evenly, never lagging).
"use strict";
importScripts("playback.js");  // pgPaintGrid, pgSkip (the page's own rules), pgStanding, pgRefresh
// BEHIND is 6 here (3 on the page): a worker sharing 2 busy cores wakes later at times, and catching up beats skipping.
const BEHIND = 6, FALLBACK_MS = 100, MIN_DELAY = 1;
let canvas = null, lut = null, queue = [], delay = 16, nextDue = 0, timer = null;
// The display's frame interval, as this worker's animation frames come (a moving average; 60 Hz to start).
let vsync = 1000 / 60, lastRaf = 0;
// A standing backlog (pgStanding): over STANDING_KEEP frames queued all through STANDING_MS are trimmed,
// STANDING_SKIP at a time, so the boundary stays about one tick behind the counter; a burst that plays out is drawn.
const STANDING_MS = 800, STANDING_KEEP = 4, STANDING_SKIP = 2;
const standing = { least: Infinity, at: -Infinity };

onmessage = (event) => {
  const m = event.data || {};
  if ("canvas" in m) canvas = m.canvas;  // null: the page dropped the overlay (plotly redraws its own image)
  if (m.lut) lut = m.lut;
  if (m.clear) queue = [];
  if (m.read) {  // the pixels shown now (the browser tests check what the visitor sees)
    const img = canvas && canvas.width ? canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height) : null;
    postMessage({ read: m.read, width: img ? img.width : 0, height: img ? img.height : 0,
                  data: img ? img.data : null }, img ? [img.data.buffer] : []);
  }
  if (Array.isArray(m.frames) && m.frames.length) {
    const now = performance.now();
    if (!queue.length) nextDue = Math.max(nextDue, now);  // playback was idle: start from now
    for (const f of m.frames) queue.push(f);
    if (m.flush) {  // paused: the newest frame now, the backlog skipped
      queue = queue.slice(-1);
      nextDue = now;
    }
    // Never paced faster than the display draws: frames due sooner than its next refresh only run late and are
    // skipped. A backlog beyond what the display can play drains through `keep`, below.
    delay = Math.max(MIN_DELAY, Number(m.delay) || 16, 0.99 * vsync);
    const over = queue.length - Math.max(1, Number(m.keep) || 1);
    if (over > 0) {
      queue.splice(0, over);
      postMessage({ dropped: over, queue: queue.length });
    }
  }
  schedule();
};

function schedule() {
  if (timer !== null || !queue.length || !canvas) return;
  const fire = (t) => {
    if (timer === null) return;
    if (typeof t === "number") {  // an animation frame (not the timer): learn the display's refresh interval
      if (lastRaf) vsync = pgRefresh(vsync, t - lastRaf);
      lastRaf = t;
    }
    cancelAnimationFrame(timer.raf);
    clearTimeout(timer.to);
    timer = null;
    pump(performance.now());
  };
  // A hidden page sends no animation frames: a timer stands in.
  timer = { raf: requestAnimationFrame(fire), to: setTimeout(fire, FALLBACK_MS) };
}

function pump(now) {
  if (!queue.length || !canvas) return;
  // Frames made about as fast as the display draws get one refresh each; waiting for each one's due time there
  // only wasted the refreshes that came a little early (a standing backlog is trimmed below instead).
  const paced = delay > 1.1 * vsync;
  if (paced && now < nextDue - Math.min(8, delay / 2)) { schedule(); return; }  // not due before the next frame
  const late = pgSkip(now, nextDue, delay, queue.length, BEHIND);
  const trim = pgStanding(standing, queue.length - 1, now, STANDING_MS, STANDING_KEEP, STANDING_SKIP);
  const skip = Math.min(late + trim, queue.length - 1);  // a standing backlog's frames were never due: no pace change
  if (skip > 0) queue.splice(0, skip);
  nextDue = paced ? nextDue + (late + 1) * delay : now + delay;
  const frame = queue.shift();
  const t0 = performance.now();
  let ok = true;
  try {
    pgPaintGrid(canvas, frame.enc, lut);
  } catch (e) {
    ok = false;  // the page draws it the slow way, which reports what was wrong
  }
  postMessage({ seq: frame.seq, ok: ok, dropped: skip, queue: queue.length, ms: performance.now() - t0 });
  schedule();
}

// playback: what the page's frame queue (live_chart.js) and the painter's worker (paint_worker.js) share. Loaded by
// index.html and by the worker's importScripts, so a grid is painted and a late frame is skipped one way.
"use strict";

// Paint a quantized grid ({b64, shape, lo, hi}) into a canvas (an element or an OffscreenCanvas) through the
// colour scale's lookup table ({lut, lo, hi}); z row 0 is the lowest y, so it is the image's bottom row.
function pgPaintGrid(canvas, enc, L) {
  const h = enc.shape[0], w = enc.shape[1], bin = atob(enc.b64);
  if (!L || !(h > 0 && w > 0) || bin.length !== h * w) throw new Error("grid size mismatch");
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  const pixels = ctx.createImageData(w, h), px = pixels.data, lut = L.lut;
  const scale = (Number(enc.hi) - Number(enc.lo)) / 255 / (L.hi - L.lo), shift = (Number(enc.lo) - L.lo) / (L.hi - L.lo);
  for (let r = 0; r < h; r++) {
    const src = r * w, dst = (h - 1 - r) * w;
    for (let c = 0; c < w; c++) {
      const v = Math.min(1, Math.max(0, bin.charCodeAt(src + c) * scale + shift));
      const i = Math.round(v * 255) * 3, o = (dst + c) * 4;
      px[o] = lut[i]; px[o + 1] = lut[i + 1]; px[o + 2] = lut[i + 2]; px[o + 3] = 255;
    }
  }
  ctx.putImageData(pixels, 0, 0);
}

// How many of the oldest queued frames to skip now: up to `behind` frames late, playback catches up one per
// animation frame (a missed frame costs nothing); later than that it skips, thinning evenly instead of lagging.
function pgSkip(now, nextDue, delay, queued, behind) {
  const due = Math.min(queued, 1 + Math.floor(Math.max(0, now - nextDue) / delay));
  return Math.max(0, due - behind);
}

// A standing backlog: frames queued all through a window of `ms`, never needed to ride out a late tick, are only
// lag. Frames that arrive as fast as the display draws can't be paced out of it, so the excess over `keep` is
// skipped, at most `most` frames a window. w ({least, at}, at = -Infinity at first) carries the window;
// queued: what stays queued once this frame is drawn. Returns the frames to skip now.
function pgStanding(w, queued, now, ms, keep, most) {
  if (!(now - w.at < 2 * ms)) {  // the first frame, or the first after playback stood still: a new window
    w.least = queued;
    w.at = now;
    return 0;
  }
  w.least = Math.min(w.least, queued);
  if (now - w.at < ms) return 0;
  const extra = Math.max(0, Math.min(most, w.least - keep));
  w.least = Infinity;
  w.at = now;
  return extra;
}

// The display's refresh interval from the gap between two animation frames (a moving average); a gap of a
// missed frame or more says nothing about the display, and is ignored.
function pgRefresh(interval, gap) {
  return gap > 4 && gap < 1.4 * interval ? 0.9 * interval + 0.1 * gap : interval;
}

// The gap between frames as batches bring them, averaged (avg 0: none yet): one poll's count jitters (11, 12, 13
// frames in 200 ms at 60 a second), and pacing by it made the painter wait out refreshes for frames due a little
// later. A faster pace is taken up at once (frames made faster than played pile up and are dropped), a slower one
// slowly (frames played faster than made only leave playback a refresh or two idle before the next batch).
function pgFrameGap(avg, gap) {
  if (!avg) return gap;
  return gap < avg ? 0.5 * avg + 0.5 * gap : 0.85 * avg + 0.15 * gap;
}

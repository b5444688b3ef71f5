// live_chart: one plotly div updated in place; plays back queued per-epoch frames at an even pace.
// Streamlit component protocol (v1) written by hand: no npm, no build step.
(function () {
  "use strict";

  // Per-frame spacing clamp (ms). Below one display frame is allowed: frames are drawn on animation frames,
  // one per frame at most, and a frame whose successor is already due is skipped (thinned evenly).
  const MIN_DELAY = 1, MAX_DELAY = 200;
  const BEHIND = 3;                       // frames playback may run late before it skips any (~50 ms)
  const FALLBACK_MS = 100;                // no animation frame this long (a hidden tab): draw from a timer
  const FIRST_GAP = 16;                   // ms between frames assumed for a playback's first batch
  const DEFAULT_INTERVAL = 250;           // assumed ms between batches until two have been seen
  const MIN_INTERVAL = 50;                // floor for the measured interval between batches
  const MAX_GAP = 2000;                   // a longer gap is a pause, not a tick: don't learn from it
  const BACKLOG_INTERVALS = 3;            // drop oldest frames beyond this many intervals of playback
  const SEEN_MAX = 64;                    // batch ids remembered (args are re-sent on every rerun)
  const ASK_RETRY_MS = 2000;              // a figure asked for and still missing is asked for again
  const FED_KEEP = 100;                   // feed items kept to re-apply over a figure that was built before them
  const TITLE_MS = 100;                   // the painter's title text: at most 10 changes a second (see showTitle)

  const plotDiv = document.getElementById("plot");
  const msgDiv = document.getElementById("msg");
  const DEFAULT_CONFIG = { responsive: true, displaylogo: false };

  // Read by the browser test. last_draw_ms: how long the last frame's restyle took.
  // points: loss points appended to the first extended trace; asks: figures requested from the server;
  // updates: times the chart showed new data (a new figure, or points appended in place);
  // received: frames that arrived to be played back (drawn + dropped + queued); off_thread: frames drawn by the
  // painter's worker (the rest of frames_drawn were drawn on the page's main thread).
  const stats = window.pgStats = {
    renders: 0, reacts: 0, frames_drawn: 0, last_epoch: null, last_draw_ms: 0,
    dropped: 0, queue: 0, interval: 0, delay: 0, loaded_at: Date.now(), points: 0, asks: 0, updates: 0, clicks: 0, received: 0,
    new_session: false, off_thread: 0,
  };

  const S = {
    revision: undefined, figKey: "", height: 0, seen: [], queue: [],
    interval: DEFAULT_INTERVAL, lastBatchAt: 0, delay: 40, frameMs: null, frameGap: 0,
    busy: false, timer: null, nextDue: 0, lastDrawAt: 0, drawCost: 0, overlay: {}, overlayTitle: null, lut: null,
    syncTimer: null, pending: {}, asked: null, askedAt: 0, figId: null, layoutKey: null, clicks: false, clickBound: false, session: null,
    chain: Promise.resolve(), fed: [],
  };
  // The painter's side (see "the painter" below): its worker, the canvas it owns, the frames sent and not yet done.
  const P = { worker: null, canvas: null, lut: null, seq: 0, sent: new Map(), reads: new Map(), queue: 0, cost: 0, failed: false,
              titleTimer: 0, titleAt: 0 };

  function post(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }

  function showMsg(text) {
    msgDiv.textContent = String(text).slice(0, 300);
    msgDiv.style.display = "block";
  }

  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

  // Plot calls are serialised so a restyle never races a react that is still drawing.
  function serial(fn) {
    S.chain = S.chain.then(fn).catch((e) => showMsg("chart update failed: " + (e && e.message || e)));
    return S.chain;
  }

  function setHeight(h) {
    h = Number(h) || 420;
    if (h === S.height) return;  // resizing the iframe every frame makes the page jump
    S.height = h;
    plotDiv.style.height = h + "px";
    post("streamlit:setFrameHeight", { height: h });
  }

  // ---- patch decoding -------------------------------------------------------
  function decodeGrid(enc) {
    const bin = atob(enc.b64);
    const h = enc.shape[0], w = enc.shape[1];
    if (!(h > 0 && w > 0) || bin.length !== h * w) throw new Error("grid size mismatch");
    const lo = Number(enc.lo), scale = (Number(enc.hi) - lo) / 255;
    const rows = new Array(h);
    for (let r = 0; r < h; r++) {
      const row = new Array(w), off = r * w;
      for (let c = 0; c < w; c++) row[c] = lo + bin.charCodeAt(off + c) * scale;
      rows[r] = row;
    }
    return rows;
  }

  // One patch -> {kind, trace, values}; kind groups patches that share one restyle call.
  function decodePatch(p) {
    const t = Number(p.trace);
    if (!Number.isInteger(t) || t < 0) throw new Error("bad trace index");
    if (p.z) return { kind: "z", trace: t, values: { z: decodeGrid(p.z) } };
    if (typeof p.source === "string") return { kind: "source", trace: t, values: { source: p.source } };
    if (Array.isArray(p.x) && Array.isArray(p.y)) return { kind: "xy", trace: t, values: { x: p.x, y: p.y } };
    throw new Error("patch has no z, source or x/y");
  }

  // Build restyle arguments per kind: {z: [z_a, z_b]} with traces [a, b].
  function groupPatches(patches) {
    const groups = {};
    for (const p of patches) {
      const g = groups[p.kind] || (groups[p.kind] = { update: {}, traces: [] });
      g.traces.push(p.trace);
      for (const k in p.values) (g.update[k] || (g.update[k] = [])).push(p.values[k]);
    }
    return Object.values(groups);
  }

  // ---- fast path -------------------------------------------------------------
  // A Plotly restyle replots every trace (20-60 ms here). Plotly draws a heatmap or image
  // trace as one SVG <image>, so a frame can instead repaint just that image's pixels
  // (~1 ms), as the TF Playground paints its canvas. Plotly's own state is synced once
  // playback goes quiet, so hover and zoom stay right.
  const scratch = document.createElement("canvas");
  const ctx2d = scratch.getContext("2d");

  function parseColor(c) {
    ctx2d.fillStyle = "#000";
    ctx2d.fillStyle = c;
    const v = ctx2d.fillStyle;  // normalised to #rrggbb or rgba(...)
    if (v[0] === "#") return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16));
    return v.match(/[\d.]+/g).slice(0, 3).map(Number);
  }

  function colorLut(fd) {
    let scale = fd.colorscale, lo = fd.zmin, hi = fd.zmax;
    if (fd.coloraxis && plotDiv._fullLayout[fd.coloraxis]) {
      const ca = plotDiv._fullLayout[fd.coloraxis];
      scale = ca.colorscale; lo = ca.cmin; hi = ca.cmax;
    }
    if (!Array.isArray(scale) || !(hi > lo)) return null;
    const stops = scale.map(([pos, col]) => [Number(pos), parseColor(col)]);
    const lut = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i++) {
      const t = i / 255;
      let k = 1;
      while (k < stops.length - 1 && stops[k][0] < t) k++;
      const [p0, c0] = stops[k - 1], [p1, c1] = stops[k];
      const f = p1 > p0 ? clamp((t - p0) / (p1 - p0), 0, 1) : 0;
      for (let j = 0; j < 3; j++) lut[i * 3 + j] = c0[j] + f * (c1[j] - c0[j]);
    }
    return { lut: lut, lo: lo, hi: hi };
  }

  function fastTarget(p) {
    const fd = plotDiv._fullData && plotDiv._fullData[p.trace];
    const want = p.kind === "z" ? "heatmap" : p.kind === "source" ? "image" : null;
    if (!fd || fd.type !== want || fd.visible !== true) return null;
    const imgs = plotDiv.querySelectorAll(".hm image, .im image");
    if (imgs.length !== 1) return null;  // only when the target is unambiguous
    if (p.kind === "z" && !S.lut) S.lut = colorLut(fd);
    return p.kind === "source" || S.lut ? imgs[0] : null;
  }

  // A canvas in a foreignObject just above plotly's heatmap <image>: frames are painted with
  // putImageData (no PNG encoding, no image decode), under the data points, which come later in the SVG.
  const SVGNS = "http://www.w3.org/2000/svg";

  // owner: "page" (painted here) or "worker" (its control handed to the painter): a canvas serves one of them.
  function overlayFor(img, owner) {
    let fo = img.nextElementSibling;
    if (fo && fo.getAttribute("class") === "pg-overlay" && fo.firstChild.dataset.owner !== owner) {
      if (fo.firstChild === P.canvas) painterDropped();
      fo.remove();
      fo = img.nextElementSibling;
    }
    if (!fo || fo.getAttribute("class") !== "pg-overlay") {
      fo = document.createElementNS(SVGNS, "foreignObject");
      fo.setAttribute("class", "pg-overlay");
      fo.style.pointerEvents = "none";
      const c = document.createElement("canvas");
      c.style.cssText = "width:100%;height:100%;display:block;image-rendering:pixelated";
      c.dataset.owner = owner;
      fo.appendChild(c);
      img.parentNode.insertBefore(fo, img.nextSibling);
    }
    for (const a of ["x", "y", "width", "height"]) fo.setAttribute(a, img.getAttribute(a));
    img.style.visibility = "hidden";
    return fo.firstChild;
  }

  function dropOverlays() {
    // Before plotly redraws: it paints the same pixels into its own image from the synced data.
    if (P.canvas) painterDropped();
    plotDiv.querySelectorAll("foreignObject.pg-overlay").forEach((fo) => fo.remove());
    plotDiv.querySelectorAll(".hm image").forEach((img) => { img.style.visibility = ""; });
  }

  function setHref(img, url) {
    img.setAttribute("href", url);
    img.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", url);
  }

  function fastDraw(frame, raw) {
    if (!raw.length) return false;
    const targets = raw.map(fastTarget);
    if (targets.some((t) => !t)) return false;
    // A figure without a title has no title element yet: one slow draw creates it.
    if (typeof frame.title === "string" && !plotDiv.querySelector(".gtitle")) return false;
    raw.forEach((p, i) => {
      if (p.kind === "z") pgPaintGrid(overlayFor(targets[i], "page"), p.enc, S.lut);
      else setHref(targets[i], p.values.source);
      S.pending[p.trace] = p;  // decoded into plotly's data only when playback goes quiet
    });
    if (typeof frame.title === "string") {
      S.overlayTitle = frame.title;
      plotDiv.querySelector(".gtitle").textContent = frame.title;
    }
    return true;
  }

  function syncLater(frame) {
    clearTimeout(S.syncTimer);
    S.syncTimer = setTimeout(() => slowDraw(frame, false), 700);  // after playback goes quiet
  }

  function flushPending() {
    // Fold fast-drawn frames into plotly's data and the overlay, so a replot shows them.
    for (const t in S.pending) {
      const p = S.pending[t];
      const values = p.kind === "z" ? { z: decodeGrid(p.enc) } : p.values;
      if (plotDiv.data && plotDiv.data[t]) Object.assign(plotDiv.data[t], values);
      S.overlay[t] = Object.assign(S.overlay[t] || {}, values);
    }
    S.pending = {};
  }

  // ---- drawing ---------------------------------------------------------------
  function rawPatch(p) {
    // Grids stay encoded for the fast path; other patches are decoded (and validated) now.
    if (p && p.z) {
      if (typeof p.z.b64 !== "string" || !Array.isArray(p.z.shape)) throw new Error("bad grid patch");
      return { kind: "z", trace: Number(p.trace), enc: p.z };
    }
    return decodePatch(p);
  }

  // The frame's patches mapped by fn, or null (with a message) when one is malformed.
  function patchesOf(frame, fn) {
    try {
      return (frame.patches || []).map(fn);
    } catch (e) {
      showMsg("skipped a malformed frame: " + e.message);
      return null;
    }
  }

  function drawFrame(frame) {
    const raw = patchesOf(frame, rawPatch);
    if (!raw) return Promise.resolve(false);
    return serial(() => {
      const t0 = performance.now();
      let ok = false;
      try {
        ok = fastDraw(frame, raw);
      } catch (e) {
        ok = false;  // e.g. a grid of the wrong size: the slow path reports it properly
      }
      if (!ok) return slowDraw(frame, true);
      drawnAt(frame, performance.now() - t0);
      syncLater(frame);
      return true;
    });
  }

  function drawnAt(frame, ms) {
    stats.frames_drawn += 1;
    stats.last_epoch = frame.epoch;
    stats.last_draw_ms = ms;
    document.body.dataset.lastEpoch = String(frame.epoch);
  }

  function slowDraw(frame, count) {
    let patches = patchesOf(frame, decodePatch);
    if (!patches) return Promise.resolve(false);
    const hasTitle = typeof frame.title === "string";
    const run = async () => {
      const t0 = performance.now();
      S.pending = {};  // this frame (the newest) supersedes what the fast path drew
      const nTraces = (plotDiv.data || []).length;  // read now: a queued react may change it
      patches = patches.filter((p) => p.trace < nTraces);
      const groups = groupPatches(patches);
      for (const p of patches) S.overlay[p.trace] = Object.assign(S.overlay[p.trace] || {}, p.values);
      if (hasTitle) S.overlayTitle = frame.title;
      dropOverlays();
      // Plotly.update = restyle + relayout in one redraw, so the title never lags the heatmap.
      const layoutUpd = hasTitle ? { "title.text": frame.title } : {};
      if (groups.length) await Plotly.update(plotDiv, groups[0].update, layoutUpd, groups[0].traces);
      else if (hasTitle) await Plotly.relayout(plotDiv, layoutUpd);
      for (const g of groups.slice(1)) await Plotly.restyle(plotDiv, g.update, g.traces);
      if (count) drawnAt(frame, performance.now() - t0);
      return true;
    };
    return count ? run() : serial(run);  // when counted, the caller already holds the chain
  }

  function react(figure) {
    const fig = figure || {};
    S.lut = null;  // the colour scale may have changed
    flushPending();
    // Re-apply what playback has drawn so a new figure never jumps the heatmap back or forward.
    const data = (fig.data || []).map((t, i) => (S.overlay[i] ? Object.assign({}, t, S.overlay[i]) : t));
    const layout = Object.assign({}, fig.layout || {}, { height: S.height });
    if (layout.uirevision === undefined) layout.uirevision = "keep";  // keeps the user's zoom
    if (S.overlayTitle !== null) layout.title = Object.assign({}, layout.title || {}, { text: S.overlayTitle });
    const config = Object.assign({}, DEFAULT_CONFIG, fig.config || {});
    S.layoutKey = null;
    return serial(() => {
      dropOverlays();
      return Plotly.react(plotDiv, data, layout, config).then(() => { stats.reacts += 1; bindClicks(); });
    });
  }

  // ---- clicks (opt-in: args.clicks) -------------------------------------------------
  // A click on the plot area posts {x, y, n, t} in data coordinates as the component's value.
  function bindClicks() {
    if (S.clickBound || typeof plotDiv.on !== "function") return;
    S.clickBound = true;
    plotDiv.on("plotly_click", (ev) => {
      if (!S.clicks) return;
      const xy = clickPoint(ev);
      if (!xy || !xy.every(Number.isFinite)) return;
      stats.clicks += 1;
      post("streamlit:setComponentValue",
           { value: { x: xy[0], y: xy[1], n: stats.clicks, t: Date.now() }, dataType: "json" });
    });
  }

  function clickPoint(ev) {
    const full = plotDiv._fullLayout, xa = full && full.xaxis, ya = full && full.yaxis, e = ev && ev.event;
    if (xa && ya && e && typeof xa.p2d === "function") {  // where the pointer was, not the nearest point
      const box = plotDiv.getBoundingClientRect();
      return [xa.p2d(e.clientX - box.left - xa._offset), ya.p2d(e.clientY - box.top - ya._offset)];
    }
    const p = ev && ev.points && ev.points[0];
    return p ? [Number(p.x), Number(p.y)] : null;
  }

  // The server sends a figure once per page run; a fresh iframe (or one that missed it) asks again.
  // Asks once per figure id, and again after ASK_RETRY_MS if the answer was lost too.
  function askFigure(rev, id) {
    const now = Date.now();
    if (S.asked === id && now - S.askedAt < ASK_RETRY_MS) return;
    S.asked = id;
    S.askedAt = now;
    stats.asks += 1;
    post("streamlit:setComponentValue", { value: { need: rev, t: Date.now() }, dataType: "json" });
  }

  // Returns whether this iframe holds the figure of args.revision (frames and points may apply).
  function syncFigure(args) {
    const rev = String(args.revision);
    // The figure this chart should hold; a figure lost on the way (its run was interrupted) is asked for.
    const id = args.figure_id == null ? rev : String(args.figure_id);
    if (args.figure == null) {
      if (rev !== S.revision || id !== S.figId) askFigure(rev, id);
      return rev === S.revision;
    }
    S.figId = id;
    const key = JSON.stringify(args.figure) + "|" + S.height;
    if (rev !== S.revision) {
      S.revision = rev;
      S.queue = [];
      painterClear(false);
      S.overlay = {};
      S.pending = {};
      S.overlayTitle = null;
      S.fed = [];
      msgDiv.style.display = "none";  // a new dataset starts with a clean slate
    } else if (key === S.figKey) {
      return true;  // identical figure re-sent by a rerun: nothing to do
    }
    S.figKey = key;
    react(args.figure);
    S.fed.forEach((it) => pointsAndMarkers(it.points, null));  // points the feed brought since it was built
    return true;
  }

  // ---- loss points: appended in place, one per epoch, never re-creating the chart ----------
  function lastX(trace) {
    const x = trace && trace.x;
    return x && x.length ? Number(x[x.length - 1]) : -Infinity;
  }

  // A tick's new points and its markers' layout go in one Plotly.update: one redraw a tick, not two
  // (extendTraces then relayout took ~21 + ~18 ms each on the playing page, 5 times a second).
  function pointsAndMarkers(p, layout) {
    const hasPoints = p && Array.isArray(p.traces) && Array.isArray(p.x) && Array.isArray(p.y);
    let key = null;
    if (layout && typeof layout === "object") {
      key = JSON.stringify(layout);
      if (key === S.layoutKey) key = null;
    }
    if (!hasPoints && key === null) return;
    serial(() => {
      const data = plotDiv.data || [], traces = [], xs = [], ys = [];
      if (hasPoints) {
        p.traces.forEach((t, i) => {
          if (!data[t] || !Array.isArray(p.x[i])) return;
          const last = lastX(data[t]), x = [], y = [];
          p.x[i].forEach((v, j) => { if (Number(v) > last) { x.push(v); y.push(p.y[i][j]); } });
          if (!x.length) return;
          traces.push(t);
          xs.push(Array.from(data[t].x || []).concat(x));
          ys.push(Array.from(data[t].y || []).concat(y));
          if (t === p.traces[0]) stats.points += x.length;
        });
      }
      const relayout = key !== null ? layout : {};
      if (key !== null) S.layoutKey = key;
      if (traces.length) {
        return Plotly.update(plotDiv, { x: xs, y: ys }, relayout, traces).then(() => { stats.updates += 1; });
      }
      return key !== null ? Plotly.relayout(plotDiv, relayout) : null;
    });
  }

  // ---- the painter: heatmap frames played on a worker (paint_worker.js) -------------------------
  // The page's main thread also runs Streamlit's render of every tick (~50 ms, 5 a second here), and
  // playback on it missed the animation frames inside those: 42 of 60 a second drawn while TFP drew 59.
  // A worker that owns the overlay canvas (OffscreenCanvas) paints on its own animation frames instead.
  // The page keeps the bookkeeping (stats, the title, syncing plotly once playback goes quiet).

  function painterUsable() {
    return !P.failed && typeof Worker === "function" && typeof OffscreenCanvas === "function" &&
      typeof HTMLCanvasElement.prototype.transferControlToOffscreen === "function";
  }

  function painter() {
    if (!P.worker) {
      P.worker = new Worker("paint_worker.js");
      P.worker.onmessage = (e) => painted(e.data || {});
      P.worker.onerror = () => {  // e.g. the file did not load: the page plays the frames itself from now on
        P.failed = true;
        P.worker = null;
        P.sent.clear();
        P.queue = 0;
      };
    }
    return P.worker;
  }

  function painterDropped() {  // the overlay it paints is gone (plotly redraws its own image)
    if (P.worker) P.worker.postMessage({ canvas: null });
    P.canvas = null;
  }

  function painterClear(countDropped) {
    if (P.worker && (P.queue || P.sent.size)) P.worker.postMessage({ clear: true });
    if (countDropped) stats.dropped += P.queue;
    P.queue = 0;
    P.sent.clear();
  }

  // The batch as painter items, or null unless every frame is one grid onto the one heatmap image.
  function painterItems(batch) {
    const items = [];
    for (const f of batch) {
      const ps = f.patches || [], p = ps[0];
      if (ps.length !== 1 || !p || !p.z || typeof p.z.b64 !== "string" || !Array.isArray(p.z.shape)) return null;
      const trace = Number(p.trace);
      if (!Number.isInteger(trace) || trace < 0 || (items.length && trace !== items[0].trace)) return null;
      if (typeof f.title === "string" && !plotDiv.querySelector(".gtitle")) return null;  // one slow draw makes it
      items.push({ seq: ++P.seq, trace: trace, enc: p.z, frame: f });
    }
    const img = items.length ? fastTarget({ kind: "z", trace: items[0].trace }) : null;
    return img ? { items: items, img: img } : null;
  }

  function route(batch, flush) {
    const got = S.queue.length || S.busy ? null : painterItems(batch);
    let w = null;
    try {
      w = got && painter();
    } catch (e) {
      P.failed = true;  // no worker here (a page opened from file://): the page plays the frames itself
    }
    if (!w) { queueHere(batch, flush); return; }
    const canvas = overlayFor(got.img, "worker");
    if (canvas !== P.canvas) {
      const off = canvas.transferControlToOffscreen();
      P.canvas = canvas;
      w.postMessage({ canvas: off }, [off]);
    }
    if (P.lut !== S.lut) {
      P.lut = S.lut;
      w.postMessage({ lut: { lut: S.lut.lut, lo: S.lut.lo, hi: S.lut.hi } });
    }
    for (const it of got.items) P.sent.set(it.seq, it);
    const queued = (flush ? 0 : P.queue) + got.items.length;
    // Paced at the rate frames arrive, the backlog drained gently: a tick that comes late then finds frames
    // still playing, where draining all of it each tick left playback idle and then hurrying (skipping).
    // No rate yet (the first batch of a playback): one refresh a frame, until the next batch gives the rate.
    const n = got.items.length, each = S.frameGap || FIRST_GAP;
    const delay = S.frameMs || clamp((each * n) / (n + 0.25 * (queued - n)), MIN_DELAY, MAX_DELAY);
    const keep = backlogKeep(delay, P.cost);
    P.queue = flush ? 1 : Math.min(queued, keep);  // until the worker says
    w.postMessage({ frames: got.items.map((it) => ({ seq: it.seq, enc: it.enc })), delay: delay, keep: keep,
                    flush: flush });
    stats.queue = P.queue;
    stats.interval = Math.round(S.interval);
    stats.delay = Math.round(delay);
  }

  // The worker's report: a frame painted (or one it could not paint), frames it skipped, its queue.
  function painted(m) {
    if (m.read) { const done = P.reads.get(m.read); P.reads.delete(m.read); if (done) done(m); return; }
    if (m.dropped) stats.dropped += m.dropped;
    if (typeof m.queue === "number") P.queue = stats.queue = m.queue;
    if (m.seq == null) return;
    const it = P.sent.get(m.seq);
    for (const k of P.sent.keys()) {  // in the order sent: this one and the ones it skipped are done
      if (k > m.seq) break;
      P.sent.delete(k);
    }
    if (!it) return;
    if (!m.ok) { serial(() => slowDraw(it.frame, true)); return; }
    P.cost = 0.8 * P.cost + 0.2 * (Number(m.ms) || 0);
    drawnAt(it.frame, Number(m.ms) || 0);
    stats.off_thread += 1;
    S.pending[it.trace] = { kind: "z", trace: it.trace, enc: it.enc };  // into plotly's data once quiet
    if (typeof it.frame.title === "string") showTitle(it.frame.title);
    syncLater(it.frame);
  }

  // The overlay's pixels as the painter last drew them ({width, height, data}; null without a painter canvas).
  window.pgOverlayPixels = () => {
    if (!P.worker || !P.canvas) return Promise.resolve(null);
    const id = ++P.seq;
    return new Promise((resolve) => { P.reads.set(id, resolve); P.worker.postMessage({ read: id }); });
  };

  // The title names the newest painted frame's epoch. Each change of its text costs the page a whole
  // rendering update on the main thread (layerize, paint, commit: ~5 ms here), where the painted frames
  // themselves cost it nothing; so while frames flow it changes at most every TITLE_MS, always to the newest.
  function showTitle(title) {
    S.overlayTitle = title;
    if (P.titleTimer) return;
    const write = () => {
      P.titleTimer = 0;
      P.titleAt = performance.now();
      const el = plotDiv.querySelector(".gtitle");
      if (el) el.textContent = S.overlayTitle;
    };
    const wait = P.titleAt + TITLE_MS - performance.now();
    if (wait <= 0) write();
    else P.titleTimer = setTimeout(write, wait);
  }

  // ---- the queue ---------------------------------------------------------------
  function enqueue(args) {
    const frames = Array.isArray(args.frames) ? args.frames : [];
    const id = args.batch_id;
    if (!frames.length || id == null || S.seen.includes(id)) return;
    S.seen.push(id);
    if (S.seen.length > SEEN_MAX) S.seen.shift();

    const now = performance.now(), flush = !!args.flush;
    // A batch before this one and no pause between: a paused chart's frame (flush) ends a playback, and the
    // gap from it to the next batch is the pause, not the pace of training.
    const gap = now - S.lastBatchAt, learn = !flush && S.lastBatchAt && gap < MAX_GAP;
    // Slow average: rerun gaps jitter (a burst of two renders must not halve the estimate).
    if (learn) S.interval = clamp(0.7 * S.interval + 0.3 * gap, MIN_INTERVAL, MAX_GAP);
    S.lastBatchAt = flush ? 0 : now;
    S.frameMs = Number(args.frame_ms) > 0 ? Number(args.frame_ms) : null;
    const batch = frames.filter((f) => f && typeof f === "object");
    if (flush) S.frameGap = 0;  // Play starts with no rate: the previous one paced its first seconds at 14 frames/s
    else if (learn && batch.length) S.frameGap = pgFrameGap(S.frameGap, gap / batch.length);
    stats.frame_gap = Math.round(S.frameGap * 10) / 10;
    stats.received += batch.length;
    if (painterUsable()) serial(() => route(batch, flush));  // after a react still in flight: its image
    else queueHere(batch, flush);
  }

  // Frames a backlog may hold: BACKLOG_INTERVALS of playback, counted in real time (a slow machine can't
  // draw faster than its draw cost).
  function backlogKeep(delay, cost) {
    return Math.max(1, Math.floor((BACKLOG_INTERVALS * S.interval) / Math.max(delay, cost, 16)));
  }

  // Frames for the page's own playback (the painter cannot take them, or it is busy with older ones).
  function queueHere(frames, flush) {
    if (P.queue) painterClear(true);  // one playback at a time, in order
    const now = performance.now();
    if (!S.queue.length) S.nextDue = Math.max(S.nextDue, now);  // playback was idle: start from now
    for (const f of frames) S.queue.push(f);
    if (flush) {  // paused: show the current weights now, skip the backlog
      S.queue = S.queue.slice(-1);
      S.nextDue = now;
    }
    // Spread backlog + new batch over one expected interval, so the backlog never grows.
    S.delay = S.frameMs || clamp(S.interval / S.queue.length, MIN_DELAY, MAX_DELAY);
    // A slow machine can't draw faster than drawCost: count the backlog in real playback time.
    const keep = backlogKeep(S.delay, S.drawCost);
    if (S.queue.length > keep) {  // dropping oldest keeps the newest frame, which must be shown
      stats.dropped += S.queue.length - keep;
      S.queue.splice(0, S.queue.length - keep);
    }
    stats.queue = S.queue.length;
    stats.interval = Math.round(S.interval);
    stats.delay = Math.round(S.delay);
    schedule();
  }

  // Frames are drawn on animation frames, so each one drawn is painted; a timer stands in where the
  // browser sends none (a hidden tab). Due times advance by S.delay from the last due time, not from
  // when the draw happened, so a late draw does not slow playback down.
  function schedule() {
    if (S.timer !== null || S.busy || !S.queue.length) return;
    const fire = () => {
      if (S.timer === null) return;
      cancelAnimationFrame(S.timer.raf);
      clearTimeout(S.timer.to);
      S.timer = null;
      pump(performance.now());
    };
    S.timer = { raf: requestAnimationFrame(fire), to: setTimeout(fire, FALLBACK_MS) };
  }

  function pump(now) {
    if (S.busy || !S.queue.length) return;
    if (now < S.nextDue - Math.min(8, S.delay / 2)) { schedule(); return; }  // not due before the next frame
    const skip = pgSkip(now, S.nextDue, S.delay, S.queue.length, BEHIND);
    if (skip) {
      stats.dropped += skip;
      S.queue.splice(0, skip);
    }
    S.nextDue += (skip + 1) * S.delay;
    const frame = S.queue.shift();
    stats.queue = S.queue.length;
    S.busy = true;
    S.lastDrawAt = now;
    drawFrame(frame).finally(() => {
      S.drawCost = 0.8 * S.drawCost + 0.2 * (performance.now() - S.lastDrawAt);
      S.busy = false;
      schedule();
    });
  }

  // ---- a new session (a reload) starts a new run: say so ------------------------------
  // The tab's sessionStorage outlives a reload; a reconnect keeps the Streamlit session (and its run),
  // so a different session id for the same chart means the previous run was not carried over.
  const noteDiv = document.getElementById("note");
  noteDiv.querySelector("button").addEventListener("click", () => { noteDiv.style.display = "none"; });

  function noteSession(session, chart) {
    if (typeof session !== "string" || !session || S.session === session) return;
    S.session = session;
    const slot = "pgSession:" + (chart || "");
    let before = null;
    try {
      before = window.sessionStorage.getItem(slot);
      window.sessionStorage.setItem(slot, session);
    } catch (e) {
      return;  // no storage (privacy mode): nothing to compare with
    }
    if (before && before !== session) {
      stats.new_session = true;
      noteDiv.querySelector("span").textContent = "This page started a new session (it was reloaded or opened " +
        "again), so training started a new run from epoch 0: the previous run was not carried over.";
      noteDiv.style.display = "block";
    }
  }

  // ---- protocol ------------------------------------------------------------------
  function onRender(args) {
    stats.renders += 1;
    noteSession(args.session, args.chart);
    setHeight(args.height);
    S.clicks = args.clicks === true;
    if (!window.Plotly) {
      showMsg("Chart unavailable: " + (window.pgPlotlyError || "plotly.js did not load"));
      return;
    }
    if (!syncFigure(args)) {  // frames and points wait for their figure
      FEED.set(null);
      return;
    }
    enqueue(args);
    pointsAndMarkers(args.points, args.layout);
    FEED.set(args.feed || null);
  }

  // ---- the live feed: frames and points polled between reruns (feed.js) -----------------------------
  function ask(extra) {
    stats.asks += 1;
    post("streamlit:setComponentValue",
         { value: Object.assign({ need: S.revision, t: Date.now() }, extra || {}), dataType: "json" });
  }

  const FEED = !window.pgFeed ? { set() {}, stats: null } : window.pgFeed({  // no feed.js: no feed was offered
    frames: (frames, id) => enqueue({ frames: frames, batch_id: id }),
    points: (it) => {
      S.fed.push(it);  // kept to re-apply over a figure built before they came
      if (S.fed.length > FED_KEEP) S.fed.shift();
      pointsAndMarkers(it.points, it.layout);
    },
    lost: () => ask(),  // the server's backlog overflowed: the figure holds every epoch
    failed: () => ask({ feed_failed: true }),
  });
  stats.feed = FEED.stats;

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    try {
      onRender(data.args || {});
    } catch (e) {
      showMsg("Chart error: " + (e && e.message || e));  // never let an exception reach the page
    }
  });

  post("streamlit:componentReady", { apiVersion: 1 });
})();

// network_view: the network diagram. Units are canvases painted through a colour lookup table,
// links are SVG lines whose width and colour the server computed from their weights.
// Streamlit component protocol (v1) written by hand: no npm, no build step.
(function () {
  "use strict";

  const SVGNS = "http://www.w3.org/2000/svg";
  const HEAD = 16;          // column names above the units
  const EDIT_ROW = 18;      // the +/- buttons above each hidden layer's name, when the page lets them edit
  const BIG_MAX = 170;      // the large map beside the diagram, px a side at most
  const PAD = 4;

  const $ = (id) => document.getElementById(id);
  const stage = $("stage"), svg = $("links"), big = $("big"), caption = $("caption"), weightLine = $("weight");

  // Read by the browser tests: frames drawn, the epoch shown, DOM rebuilds, units and links on the page.
  const stats = window.pgNet = {
    renders: 0, frames_drawn: 0, last_epoch: null, rebuilds: 0, units: 0, links: 0, hovered: null,
    loaded_at: Date.now(),
  };

  const S = { revision: undefined, key: null, frame: null, lut: null, lutKey: null, hover: null,
              node: 28, gap: 6, height: 0, width: 0, canvases: [], lines: [], hits: [], edit: null };

  // ---- editing: +/- a hidden layer or a unit, as in the TF Playground ------------------------
  // The click goes back to the page as the component's value; the page changes its layer widgets.
  function send(op, layer, delta) {
    stats.edits = (stats.edits || 0) + 1;
    post("streamlit:setComponentValue", { value: { op: op, layer: layer, delta: delta, t: Date.now() },
                                          dataType: "json" });
  }

  function editButton(text, title, disabled, onClick) {
    const b = document.createElement("button");
    b.className = "pg-edit";
    b.textContent = text;
    b.title = title;
    b.disabled = !!disabled;
    b.addEventListener("click", (e) => { e.stopPropagation(); onClick(); });
    return b;
  }

  function layerButtons(frame) {
    const box = $("layers");
    box.replaceChildren();
    if (!S.edit) return;
    const n = frame.columns.length - 2, max = S.edit.max_layers;
    box.append(editButton("−", "Remove the last hidden layer", n <= 0, () => send("layers", n - 1, -1)),
               editButton("+", "Add a hidden layer (as wide as the last)", n >= max, () => send("layers", n, 1)),
               Object.assign(document.createElement("span"), { textContent: `${n} hidden layer${n === 1 ? "" : "s"}` }));
  }

  function unitButtons(frame, g) {
    if (!S.edit) return;
    for (let c = 1; c < frame.columns.length - 1; c++) {
      const col = frame.columns[c], box = document.createElement("div");
      box.className = "pg-head pg-units";
      box.style.left = g.xs[c] + S.node / 2 + "px";
      box.append(editButton("−", `One unit fewer in ${col.name}`, col.total <= 1, () => send("units", c - 1, -1)),
                 editButton("+", `One unit more in ${col.name}`, col.total >= S.edit.max_units,
                            () => send("units", c - 1, 1)));
      stage.appendChild(box);
    }
  }

  function post(type, extra) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, extra), "*");
  }

  function showMsg(text) {
    $("msg").textContent = String(text).slice(0, 300);
    $("msg").style.display = "block";
  }

  function setHeight(h) {
    h = Number(h) || 300;
    if (h === S.height) return;
    S.height = h;
    const side = Math.min(BIG_MAX, Math.max(60, h - 60));  // the large map, sized before the stage is measured
    big.style.width = big.style.height = side + "px";
    $("side").style.width = side + "px";
    fit();
  }

  // The server's height fits the units; notes that wrap in a narrow column need more: ask for what the content takes.
  function fit() {
    const want = Math.max(S.height, Math.ceil($("wrap").getBoundingClientRect().height));
    if (want === S.posted) return;
    S.posted = want;
    post("streamlit:setFrameHeight", { height: want });
  }

  // ---- colours ----------------------------------------------------------------------------
  function rgb(hex) {
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  // 256 colours over [-1, 1]: palette[0] at -1, palette[1] at 0, palette[2] at +1.
  function buildLut(palette) {
    const key = JSON.stringify(palette);
    if (key === S.lutKey) return;
    const stops = palette.map(rgb), lut = new Uint8ClampedArray(256 * 3);
    for (let i = 0; i < 256; i++) {
      const t = i / 127.5 - 1, a = t < 0 ? stops[0] : stops[1], b = t < 0 ? stops[1] : stops[2];
      const f = t < 0 ? t + 1 : t;
      for (let j = 0; j < 3; j++) lut[i * 3 + j] = Math.round(a[j] + f * (b[j] - a[j]));
    }
    S.lut = lut;
    S.lutKey = key;
  }

  // Decode a quantized grid {b64, shape, lo, hi} onto a canvas; grid row 0 is the lowest y (bottom row).
  function paint(canvas, enc) {
    const h = enc.shape[0], w = enc.shape[1], bin = atob(enc.b64);
    if (!(h > 0 && w > 0) || bin.length !== h * w) throw new Error("unit map size mismatch");
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    const lo = Number(enc.lo), hi = Number(enc.hi), m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    const idx = new Uint8Array(256);  // quantized level -> lookup-table entry
    for (let q = 0; q < 256; q++) {
      const v = lo + (q * (hi - lo)) / 255;
      idx[q] = Math.round(Math.min(1, Math.max(-1, v / m)) * 127.5 + 127.5);
    }
    const ctx = canvas.getContext("2d"), img = ctx.createImageData(w, h), px = img.data, L = S.lut;
    for (let r = 0; r < h; r++) {
      const src = r * w, dst = (h - 1 - r) * w;
      for (let c = 0; c < w; c++) {
        const k = idx[bin.charCodeAt(src + c)] * 3, o = (dst + c) * 4;
        px[o] = L[k]; px[o + 1] = L[k + 1]; px[o + 2] = L[k + 2]; px[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }

  // ---- layout -----------------------------------------------------------------------------
  function structureKey(frame) {
    const cols = frame.columns.map((c) => c.name + ":" + c.total + ":" + c.units.map((u) => u.i).join(","));
    return cols.join("|") + "|" + stage.clientWidth + "|" + S.height + "|" + JSON.stringify(S.edit);
  }

  function geometry(frame) {
    const cols = frame.columns, tallest = Math.max(...cols.map((c) => c.units.length));
    const width = Math.max(stage.clientWidth, 120), step = S.node + S.gap;
    const span = Math.max(width - 2 * PAD - S.node, 0);
    const xs = cols.map((_, k) => PAD + (cols.length > 1 ? (k * span) / (cols.length - 1) : span / 2));
    const head = HEAD + (S.edit ? EDIT_ROW : 0);
    const ys = cols.map((c) => c.units.map((_, j) => head + ((tallest - c.units.length) * step) / 2 + j * step));
    return { xs: xs, ys: ys, width: width, height: head + tallest * step };
  }

  function el(name, attrs) {
    const e = document.createElementNS(SVGNS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  function rebuild(frame) {
    stage.querySelectorAll(".pg-unit, .pg-head").forEach((e) => e.remove());
    svg.replaceChildren();
    const g = geometry(frame);
    stage.style.height = g.height + "px";
    svg.setAttribute("width", g.width);
    svg.setAttribute("height", g.height);
    S.canvases = frame.columns.map((col, c) => {
      const head = document.createElement("div");
      head.className = "pg-head";
      head.style.top = (S.edit ? EDIT_ROW : 0) + "px";
      head.textContent = col.units.length < col.total ? `${col.name} (${col.units.length}/${col.total})` : col.name;
      stage.appendChild(head);
      // Centred over its column, but kept inside the stage: the first column's "features" read "eatures".
      const half = head.offsetWidth / 2, mid = g.xs[c] + S.node / 2;
      head.style.left = Math.min(Math.max(mid, half), g.width - half) + "px";
      return col.units.map((u, j) => {
        const cv = document.createElement("canvas");
        cv.className = "pg-unit";
        cv.dataset.col = String(c);
        cv.dataset.unit = String(u.i);
        cv.style.cssText = `left:${g.xs[c]}px;top:${g.ys[c][j]}px;width:${S.node}px;height:${S.node}px`;
        cv.addEventListener("mouseenter", () => hoverUnit(c, j));
        cv.addEventListener("mouseleave", () => hoverUnit(null));
        stage.appendChild(cv);
        return cv;
      });
    });
    S.lines = [];
    S.hits = [];
    const hits = [];
    frame.links.forEach((pair, c) => {
      S.lines.push(pair.map((l) => {
        const at = { x1: g.xs[c] + S.node, y1: g.ys[c][l[0]] + S.node / 2,
                     x2: g.xs[c + 1], y2: g.ys[c + 1][l[1]] + S.node / 2 };
        const line = el("line", Object.assign({ class: "pg-link" }, at));
        const hit = el("line", Object.assign({ class: "pg-hit" }, at));
        hit.appendChild(el("title", {}));
        hit.addEventListener("mouseenter", () => hoverLink(c, pair.indexOf(l)));
        hit.addEventListener("mouseleave", () => { weightLine.textContent = ""; });
        svg.appendChild(line);
        hits.push(hit);
        S.hits.push({ c: c, el: hit });
        return line;
      }));
    });
    hits.forEach((h) => svg.appendChild(h));  // above every visible line, so each stays hoverable
    unitButtons(frame, g);
    layerButtons(frame);
    stats.rebuilds += 1;
    stats.units = S.canvases.reduce((n, col) => n + col.length, 0);
    stats.links = S.lines.reduce((n, pair) => n + pair.length, 0);
  }

  // ---- drawing ----------------------------------------------------------------------------
  function unitName(frame, c, j) {
    const col = frame.columns[c], u = col.units[j];
    return `${col.name} · ${u.label}`;
  }

  function update(frame) {
    frame.columns.forEach((col, c) => col.units.forEach((u, j) => {
      const cv = S.canvases[c][j];
      paint(cv, u.map);
      const bias = u.bias === undefined ? "" : `, bias ${fmt(u.bias)}`;
      cv.title = `${unitName(frame, c, j)}: values ${fmt(-u.span)} to ${fmt(u.span)}${bias}`;
    }));
    frame.links.forEach((pair, c) => pair.forEach((l, k) => {
      const line = S.lines[c][k];
      line.setAttribute("stroke-width", l[3]);
      line.setAttribute("stroke", l[4]);
      line.dataset.w = String(l[2]);
    }));
    let h = 0;
    frame.links.forEach((pair, c) => pair.forEach((l) => {
      S.hits[h++].el.firstChild.textContent = linkText(frame, c, l);
    }));
    $("title").textContent = "Network · " + (frame.title || "");
    const lines = [...(frame.notes || []), "Links: width by |weight|, orange negative, blue positive. " +
                   "Units: orange low, blue high, each on its own range; hover one to see it large."];
    $("notes").replaceChildren(...lines.map((text) => Object.assign(document.createElement("div"), { textContent: text })));
    drawBig(frame);
    fit();
  }

  function fmt(v) {
    return v === null || v === undefined ? "n/a" : Number(v).toPrecision(3);
  }

  function linkText(frame, c, l) {
    const a = frame.columns[c].units[l[0]], b = frame.columns[c + 1].units[l[1]];
    return `weight ${frame.columns[c].name} ${a.label} → ${frame.columns[c + 1].name} ${b.label}: ${fmt(l[2])}`;
  }

  // The large map: the hovered unit, else the first output.
  function drawBig(frame) {
    const cols = frame.columns, at = S.hover || [cols.length - 1, 0];
    const col = cols[at[0]], u = col && col.units[at[1]];
    if (!u) return;
    paint(big, u.map);
    caption.textContent = `${unitName(frame, at[0], at[1])} (${fmt(-u.span)} to ${fmt(u.span)})`;
    stats.hovered = S.hover ? u.label : null;
  }

  function hoverUnit(c, j) {
    S.canvases.flat().forEach((cv) => cv.classList.remove("pg-hover"));
    S.hover = c === null ? null : [c, j];
    if (S.hover) S.canvases[c][j].classList.add("pg-hover");
    if (S.frame) drawBig(S.frame);
  }

  function hoverLink(c, k) {
    if (S.frame) weightLine.textContent = linkText(S.frame, c, S.frame.links[c][k]);
  }

  // Every link must join two drawn units of neighbouring columns, before the page is touched.
  function check(frame) {
    const ok = frame && Array.isArray(frame.columns) && Array.isArray(frame.links) && Array.isArray(frame.palette)
      && frame.columns.length >= 2 && frame.links.length === frame.columns.length - 1
      && frame.columns.every((c) => Array.isArray(c.units) && c.units.length > 0)
      && frame.links.every((pair, c) => Array.isArray(pair) && pair.every((l) => Array.isArray(l) && l.length === 5
        && frame.columns[c].units[l[0]] !== undefined && frame.columns[c + 1].units[l[1]] !== undefined));
    if (!ok) throw new Error("malformed network frame");
  }

  function draw(frame, count) {
    check(frame);
    buildLut(frame.palette);
    const key = structureKey(frame);
    if (key !== S.key) {
      if (S.hover && !(frame.columns[S.hover[0]] && frame.columns[S.hover[0]].units[S.hover[1]])) S.hover = null;
      S.key = null;  // until the new diagram is whole
      rebuild(frame);
      S.key = key;
    }
    S.frame = frame;
    update(frame);
    if (!count) return;
    $("msg").style.display = "none";  // a good frame clears an earlier bad one's message
    stats.frames_drawn += 1;
    stats.last_epoch = frame.epoch;
    document.body.dataset.lastEpoch = String(frame.epoch);
  }

  // ---- protocol ---------------------------------------------------------------------------
  function onRender(args) {
    stats.renders += 1;
    S.node = Number(args.node) || S.node;
    S.gap = Number(args.gap) >= 0 ? Number(args.gap) : S.gap;
    S.edit = args.edit || null;  // {max_layers, max_units}, or null where the page's layers are not editable
    setHeight(args.height);
    const rev = String(args.revision);
    if (rev !== S.revision) {  // a new run: its first frame rebuilds the diagram
      S.revision = rev;
      S.key = null;
      S.hover = null;
    }
    if (args.frame) draw(args.frame, true);
    FEED.set(args.feed || null);
  }

  // Newer frames between ticks come from the live feed (feed.js, served by app.py), the newest of each poll.
  const FEED = !window.pgFeed ? { set() {} } : window.pgFeed({
    frames: (frames) => guarded(() => draw(frames[frames.length - 1], true))(),
    points: () => {},
    lost: () => {},
    failed: () => {},  // the live chart beside it reports an unreachable feed for the whole run
  });

  // fn, but an exception it throws is shown in the view: never let one reach the page.
  function guarded(fn) {
    return (...args) => {
      try {
        return fn(...args);
      } catch (e) {
        showMsg("Network view error: " + (e && e.message || e));
      }
    };
  }

  const render = guarded(onRender);
  const redraw = guarded(() => draw(S.frame, false));

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (data && data.type === "streamlit:render") render(data.args || {});
  });

  window.addEventListener("resize", () => {
    if (S.frame) redraw();
  });

  post("streamlit:componentReady", { apiVersion: 1 });
})();

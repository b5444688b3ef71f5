// feed.js: one chart's poll of the live feed (playground/live/feed.py): its frames and loss points between
// Streamlit's reruns, so a tick need not re-render the whole page for them. app.py serves it at /_pg/feed.js;
// the live chart and the network view load it before their own scripts.
(function () {
  "use strict";
  const FAILS = 3;  // polls failed in a row: the feed is unreachable here, the ticks carry the data again

  // on: {frames(frames, id), points(item), lost(), failed(), item(item) (optional: every item, e.g. a watched
  // value)}; returns {set(feed), stats}.
  window.pgFeed = function (on) {
    const stats = { polls: 0, items: 0, fails: 0, late: 0 };
    let feed = null, key = null, gen = 0, fails = 0;

    function apply(items, g) {
      for (const it of Array.isArray(items) ? items : []) {
        stats.items += 1;
        if (on.item && g === gen) on.item(it);
        if (it.lost && on.lost) on.lost();
        // Frames collected before a Pause arrive after its flush frame: only the current weights may show.
        if (Array.isArray(it.frames) && it.frames.length) {
          if (g === gen) on.frames(it.frames, "feed." + key + "." + it.seq);
          else stats.late += 1;
        }
        if (it.points || it.layout) on.points(it);  // points are never dropped: the chart ignores ones it has
      }
    }

    function poll(g) {
      if (!feed || g !== gen) return;
      const f = feed, url = f.url + "?t=" + encodeURIComponent(f.t) + "&c=" + encodeURIComponent(f.c);
      const started = performance.now(), every = Number(f.ms) > 0 ? Number(f.ms) : 200;
      stats.polls += 1;
      fetch(url, { cache: "no-store", credentials: "same-origin" })
        .then((r) => (r.status === 404 ? null : r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
        .then((items) => {
          fails = 0;
          if (items === null && g === gen) feed = null;  // the run is gone (a new one replaced it)
          else apply(items, g);
        }, () => {
          fails += 1;
          stats.fails += 1;
          if (fails === FAILS && g === gen) on.failed();
        })
        .finally(() => {
          // On a steady beat, not `every` after each answer: even batches let playback pace them evenly.
          if (feed && g === gen && fails < FAILS) setTimeout(() => poll(g), Math.max(0, every - (performance.now() - started)));
        });
    }

    return {
      stats,
      // The feed argument of each render: polling starts, goes on, or stops (null: paused) with it.
      set(next) {
        const k = next ? next.t + "|" + next.c : null;
        if (k === key) return;
        key = k;
        feed = next || null;
        gen += 1;
        fails = 0;
        if (feed) poll(gen);
      },
    };
  };
})();

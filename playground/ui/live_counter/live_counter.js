// The epoch counter: the tick's text, with the epoch kept live by polling the feed (feed.js) while playing.
// Paused (no feed), it shows exactly the epoch the script run gave: the one the charts' last frame shows.
export default function (component) {
  const { data, parentElement } = component;
  const box = parentElement.querySelector(".pg-counter");
  if (!box) return;
  const S = box.pgCounter || (box.pgCounter = build(box));
  S.data = data;
  if (!data.feed) S.live = null;
  S.want(data.feed || null);
  render(S);
}

function build(box) {
  box.innerHTML = '<span id="epoch-counter" data-epoch=""></span><strong></strong><span class="pg-rest"></span>'
    + '<span class="pg-spark"></span><span class="pg-detail"></span>';
  const S = { live: null, data: null, feed: null, wanted: null, spark: null };
  S.els = ["#epoch-counter", "strong", ".pg-rest", ".pg-spark", ".pg-detail"].map((q) => box.querySelector(q));
  S.want = (feed) => {
    S.wanted = feed;
    if (S.feed) return S.feed.set(feed);
    if (!feed) return;
    loadFeed(feed.url + ".js", () => {
      S.feed = window.pgFeed({
        item(it) { if (Number.isFinite(it.epoch) && S.wanted) { S.live = Math.max(S.live ?? -1, it.epoch); render(S); } },
        failed() {},  // the ticks still bring the epoch
      });
      S.feed.set(S.wanted);
    });
  };
  return S;
}

function loadFeed(src, done) {
  if (window.pgFeed) return done();
  let s = document.getElementById("pg-feed-js");
  if (!s) {
    s = document.createElement("script");
    s.id = "pg-feed-js";
    s.src = src;
    document.head.appendChild(s);
  }
  s.addEventListener("load", done, { once: true });
}

function render(S) {
  const d = S.data, [span, strong, rest, spark, detail] = S.els;
  const epoch = S.live !== null ? Math.max(S.live, d.epoch) : d.epoch;  // never behind the tick while playing
  span.dataset.epoch = String(epoch);
  strong.textContent = d.unit + " " + epoch;
  rest.textContent = " / " + d.epochs + " · ";
  if (S.spark !== d.spark) { spark.innerHTML = d.spark ? d.spark + " · " : ""; S.spark = d.spark; }
  detail.textContent = d.detail;
}

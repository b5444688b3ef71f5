"""The live feed: every chart's share of each collect reaches it once, over app.py's route, between reruns."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import time

from playground.config import RunConfig
from playground.engine.train import Trainer
from playground.figures.grid import Boundary
from playground.live import feed as F
from playground.live import worker as W
from playground.live.feed import Feed, Got
from playground.live.loop import lane_frames, loss_points, point_traces
from playground.live.slots import TrainingSlots


class Source:
    """A collect that hands out numbered epochs, one batch per call."""

    def __init__(self):
        self.calls, self.lost = 0, False

    def __call__(self) -> Got:
        self.calls += 1
        epoch = self.calls
        return Got(frames=[[{"epoch": epoch}]], points=[[(epoch, 0.5, math.nan)]], lost=self.lost)


def frames_share(g: Got) -> dict | None:
    return {"frames": g.frames[0]} if g.frames and g.frames[0] else None


def points_share(g: Got) -> dict | None:
    return {"points": point_traces(g.points, validation=True)}


def test_one_poll_collects_once_and_every_registered_chart_gets_its_share():
    source = Source()
    feed = Feed(source)
    feed.register("boundary", frames_share)
    feed.register("loss", points_share)
    first = feed.poll("boundary")
    assert source.calls == 1 and [i["frames"][0]["epoch"] for i in first] == [1]
    loss = feed.poll("loss")  # what the boundary's poll collected waited for it: no second collect
    assert source.calls == 1 and loss[0]["points"]["x"] == [[1], [1]] and loss[0]["seq"] == first[0]["seq"]
    assert feed.poll("loss")[0]["points"]["x"] == [[2], [2]] and source.calls == 2
    assert [i["frames"][0]["epoch"] for i in feed.poll("boundary")] == [2]  # epoch 2 waited for it too


def test_a_chart_the_last_run_did_not_draw_is_fed_no_more_and_unknown_charts_get_nothing():
    source = Source()
    feed = Feed(source)
    feed.register("boundary", frames_share)
    feed.register("internals", points_share)
    feed.begin()
    feed.register("boundary", frames_share)
    feed.end()  # the internals chart was toggled off in this run
    assert feed.poll("internals") == [] and feed.poll("nobody") == []
    feed.begin()
    feed.end()  # paused: no chart is fed
    assert feed.poll("boundary") == [] and source.calls == 0  # and nothing was collected for nobody


def test_a_poll_of_a_registered_chart_tells_the_run_its_page_is_ready():
    asked = []
    feed = Feed(Source(), on_poll=lambda: asked.append(1))
    assert feed.poll("boundary") == [] and not asked  # a chart the run did not draw (paused) says nothing
    feed.register("boundary", frames_share)
    feed.poll("boundary")
    assert asked == [1]


def test_a_watched_value_is_read_at_each_poll_without_collecting_or_starting_the_run():
    source, asked, epoch = Source(), [], [7]
    feed = Feed(source, on_poll=lambda: asked.append(1))
    feed.register("boundary", frames_share)
    feed.watch("epoch_counter", lambda: {"epoch": epoch[0]})
    assert [i["epoch"] for i in feed.poll("epoch_counter")] == [7]
    epoch[0] = 9
    assert [i["epoch"] for i in feed.poll("epoch_counter")] == [9]
    # The charts' batches stay whole (no collect for the counter), and training still waits for a chart's poll.
    assert source.calls == 0 and not asked
    assert [i["frames"][0]["epoch"] for i in feed.poll("boundary")] == [1] and asked == [1]
    feed.begin()
    feed.register("boundary", frames_share)
    feed.end()  # paused: the counter is not watched
    assert feed.poll("epoch_counter") == []


def test_lost_epochs_and_a_chart_that_stopped_asking_make_it_ask_for_its_figure():
    source = Source()
    feed = Feed(source)
    feed.register("boundary", frames_share)
    feed.register("loss", points_share)
    source.lost = True
    assert feed.poll("boundary")[0]["lost"] and feed.poll("loss")[0]["lost"]
    source.lost = False
    for _ in range(F.MAX_ITEMS + 5):  # the loss chart's browser stopped asking (an iframe gone)
        feed.poll("boundary")
    waiting = feed.poll("loss")
    assert len(waiting) == 5 and waiting[0]["lost"]  # the 51 it missed come with a fresh figure, then the rest


def test_the_finite_copy_turns_nan_and_inf_into_gaps():
    assert F.finite({"y": [[1.0, math.nan], (math.inf, 2)], "t": "x"}) == {"y": [[1.0, None], [None, 2]], "t": "x"}


def call(app, query: str, gzip_ok: bool = False) -> tuple[int, dict, bytes]:
    """One GET through the ASGI app: (status, headers, body)."""
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http", "path": F.PATH,
             "raw_path": F.PATH.encode(), "root_path": "", "query_string": query.encode(),
             "headers": [(b"accept-encoding", b"gzip")] if gzip_ok else [], "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_the_route_answers_a_runs_token_with_json_and_a_gone_run_with_404(monkeypatch):
    monkeypatch.setattr(F, "_served", False)
    (mount,) = F.routes()
    assert F.served()
    feed = Feed(Source())
    feed.register("loss", points_share)
    status, headers, body = call(mount, f"t={feed.token}&c=loss")
    items = json.loads(body)  # strict JSON: the NaN validation loss is null
    assert status == 200 and items[0]["points"]["y"] == [[0.5], [None]] and headers["cache-control"] == "no-store"
    status, _, body = call(mount, "t=not-a-run&c=loss")
    assert status == 404 and json.loads(body) == {"gone": True}
    feed.register("boundary", lambda g: {"frames": [{"title": "x" * 5000}]})
    status, headers, body = call(mount, f"t={feed.token}&c=boundary", gzip_ok=True)
    assert headers.get("content-encoding") == "gzip" and json.loads(gzip.decompress(body))[0]["frames"]


def test_a_playing_worker_polled_through_the_feed_gives_every_epoch_once():
    trainer = Trainer(RunConfig(n_points=100, epochs=40))
    boundary = Boundary(trainer.data)
    worker = W.Worker(trainer, lambda r: lane_frames(r, boundary), loss_points, slots=TrainingSlots(4), sid="me",
                      max_steps_per_s=1e9)
    feed = Feed(lambda: Got(*worker.collect()))
    feed.register("boundary", frames_share)
    feed.register("loss", points_share)
    worker.speed = math.inf
    worker.play()
    epochs, frames = [], []
    deadline = time.monotonic() + 60
    while (worker.playing or not trainer.done) and time.monotonic() < deadline:
        epochs += [x for i in feed.poll("loss") for x in i["points"]["x"][0]]
        frames += [f["epoch"] for i in feed.poll("boundary") for f in i["frames"]]
        time.sleep(0.01)
    epochs += [x for i in feed.poll("loss") for x in i["points"]["x"][0]]
    frames += [f["epoch"] for i in feed.poll("boundary") for f in i["frames"]]
    assert epochs == list(range(1, 41))  # each epoch's loss point once, in order
    assert frames[-1] == 40 and frames == sorted(set(frames))

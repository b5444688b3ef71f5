"""The page's side of the live feed: playing, every live chart polls it; paused or unreachable, the ticks carry all."""

from __future__ import annotations

import json
import time

import pytest
from apptest import launch, ui

from playground.live import feed, worker

QUERY = {"patience": "0", "epochs": "10000"}


def components(at) -> dict[str, dict]:
    """Each live component's arguments, by its key."""
    return {(a := json.loads(e.proto.json_args))["key"]: a for e in at.get("component_instance")}


@pytest.fixture
def served(monkeypatch):
    monkeypatch.setattr(feed, "_served", True)  # as under app.py, which mounts the route


def test_playing_every_live_chart_polls_one_feed_and_the_tick_carries_no_epochs(served, monkeypatch):
    monkeypatch.setattr(worker, "PAGE_WAIT_S", 60.0)  # a slow machine's script run must not outlast the wait
    at = launch(QUERY, check=True)
    at.button(key="play").click().run()
    run = ui(at).run
    try:
        args = components(at)
        assert set(args) == {"boundary_chart", "loss_chart", "network_view"}
        assert {a["feed"]["t"] for a in args.values()} == {run.feed.token} and feed.lookup(run.feed.token) is run.feed
        assert not args["loss_chart"]["points"] and not args["boundary_chart"]["frames"]
        time.sleep(0.3)
        assert run.runner.current_epoch == 0  # training waits for the page: epochs made now would arrive at once
        first = run.feed.poll("loss_chart")  # the page's first poll
        time.sleep(0.5)
        items = first + run.feed.poll("loss_chart")
        epochs = [x for i in items if "points" in i for x in i["points"]["x"][0]]
        assert epochs and epochs == list(range(1, 1 + len(epochs)))
        assert run.feed.poll("boundary_chart")[-1]["frames"]  # the same collect's frames waited for it
    finally:
        at.button(key="play").click().run()  # Pause
    args = components(at)
    assert all("feed" not in a for a in args.values())  # paused: nothing polls, the page has the current weights
    assert args["boundary_chart"]["frames"] and run.feed.poll("loss_chart") == []


def test_without_the_route_or_once_a_browser_cannot_reach_it_no_chart_is_offered_the_feed(served, monkeypatch):
    at = launch(QUERY, check=True)
    at.session_state["loss_chart"] = {"need": str(ui(at).run.revision), "t": 1, "feed_failed": True}
    at.button(key="play").click().run()
    try:
        assert ui(at).run.feed_failed and all("feed" not in a for a in components(at).values())
    finally:
        at.button(key="play").click().run()
    monkeypatch.setattr(feed, "_served", False)  # `streamlit run page.py`: no route
    fresh = launch(QUERY, check=True)
    fresh.button(key="play").click().run()
    try:
        assert all("feed" not in a for a in components(fresh).values())
    finally:
        fresh.button(key="play").click().run()

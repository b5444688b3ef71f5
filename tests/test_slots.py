"""TrainingSlots: the server-wide cap on sessions training at once, with an ordered queue."""

import threading

from playground.live.slots import TrainingSlots


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_cap_queue_order_and_release():
    slots = TrainingSlots(2, clock=Clock())
    assert slots.request("a") == 0 and slots.request("b") == 0
    assert slots.request("c") == 1 and slots.request("d") == 2  # queued: 0 and 1 ahead
    assert slots.request("d") == 2  # asking again keeps its place
    slots.release("a")
    assert slots.request("d") == 2  # "c" is ahead, so "d" still waits
    assert slots.request("c") == 0 and slots.active == 2 and slots.waiting == 1
    slots.release("b")
    assert slots.request("d") == 0


def test_vanished_holders_and_waiters_expire():
    clock = Clock()
    slots = TrainingSlots(1, lease_s=5, clock=clock)
    assert slots.request("gone") == 0
    assert slots.request("w") == 1
    clock.now = 4.0
    assert slots.request("w") == 1  # the holder's lease has not run out yet
    clock.now = 6.0
    assert slots.request("w") == 0  # "gone" stopped ticking: its slot is reclaimed
    assert slots.active == 1


def test_release_of_a_non_holder_is_harmless():
    slots = TrainingSlots(1, clock=Clock())
    slots.release("nobody")
    assert slots.request("a") == 0
    slots.release("a")
    slots.release("a")  # a double release must not raise (BoundedSemaphore would)
    assert slots.request("b") == 0


def test_threads_never_exceed_capacity():
    slots = TrainingSlots(3)
    granted, lock = [], threading.Lock()

    def visitor(i):
        if slots.request(f"s{i}") == 0:
            with lock:
                granted.append(i)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(granted) == 3 and slots.active == 3 and slots.waiting == 17

"""services/collector.py: the collector is off inside a pause and back as it was after the last overlapping one."""

import gc
import threading

from mediation.services import collector


def test_a_pause_turns_the_collector_off_and_back_on_even_after_an_error():
    assert gc.isenabled()
    try:
        with collector.paused():
            assert not gc.isenabled()
            raise ValueError("the block failed")
    except ValueError:
        pass
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outer_one():
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads_end_with_the_last_one():
    inside, release, seen = threading.Event(), threading.Event(), []

    def other():
        with collector.paused():
            inside.set()
            release.wait(5)
        seen.append(gc.isenabled())

    thread = threading.Thread(target=other)
    with collector.paused():
        thread.start()
        assert inside.wait(5)
    assert not gc.isenabled()  # the other thread's pause goes on after this one ended
    release.set()
    thread.join(5)
    assert seen == [True] and gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_as_a_decorator_each_call_pauses():
    @collector.paused()
    def work():
        return gc.isenabled()

    assert work() is False and work() is False and gc.isenabled()

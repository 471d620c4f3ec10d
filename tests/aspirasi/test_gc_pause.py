"""The collector pause of the shortlist (aspirasi/gc_pause.py): off inside, back on after, whatever happens."""

import gc
import threading

import pytest

from aspirasi.gc_pause import collector_paused


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_collector_is_off_inside_and_on_after():
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_comes_back_after_an_error():
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018 - the error is the point
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_overlapping_pauses_end_with_the_last():
    inside, release = threading.Event(), threading.Event()

    def other_request():
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_request)
    with collector_paused():
        thread.start()
        assert inside.wait(5)
    assert not gc.isenabled(), "the other thread is still building its answer"
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_nested_pauses_end_with_the_outer():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()

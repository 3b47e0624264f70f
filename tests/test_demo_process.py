"""The demo process: demos run in a child the serving process can kill, one at a time behind a bounded
queue, so a demo past its deadline or a crashed model costs one answer, not the web worker."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from service.demo.worker import KILL_GRACE_S, DemoWorker
from service.errors import ApiError


def _nap(_cache: object, seconds: float, value: str) -> str:
    """A job for the demo process that takes ``seconds`` (module level, so it pickles)."""
    time.sleep(seconds)
    return value


def _pid(_cache: object) -> int:
    return os.getpid()


@pytest.fixture
def worker() -> Iterator[DemoWorker]:
    worker = DemoWorker(queue_size=1, cache_models=1)
    assert worker.submit(partial(_nap, seconds=0, value="warm"), 60) == "warm"  # the process is up
    yield worker
    worker.close()


def test_demos_run_in_a_process_of_their_own(worker: DemoWorker) -> None:
    pid = worker.submit(_pid, 10)
    assert pid != os.getpid() and pid == worker.process_pid()


def test_a_full_queue_answers_503_with_retry_after(worker: DemoWorker) -> None:
    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(worker.submit(partial(_nap, seconds=2, value="done"), 10)))
    first.start()
    _wait_until(lambda: worker._queue.qsize() == 0)  # the first job is running
    second = threading.Thread(
        target=lambda: results.append(worker.submit(partial(_nap, seconds=0, value="queued"), 10))
    )
    second.start()
    _wait_until(lambda: worker._queue.qsize() == 1)
    with pytest.raises(ApiError) as info:
        worker.submit(partial(_nap, seconds=0, value="refused"), 10)
    assert info.value.status == 503 and info.value.code == "demo_busy"
    assert info.value.headers["Retry-After"] == "2"
    first.join(10)
    second.join(10)
    assert sorted(results) == ["done", "queued"]


def test_a_demo_that_waits_past_its_deadline_answers_503(worker: DemoWorker) -> None:
    blocker = threading.Thread(target=lambda: worker.submit(partial(_nap, seconds=3, value="slow"), 10))
    blocker.start()
    _wait_until(lambda: worker._queue.qsize() == 0)
    with pytest.raises(ApiError) as info:
        worker.submit(partial(_nap, seconds=0, value="late"), 0.1)
    assert info.value.status == 503 and info.value.code == "demo_timeout" and "Retry-After" in info.value.headers
    blocker.join(10)
    assert worker.submit(partial(_nap, seconds=0, value="next"), 5) == "next"  # the late job was dropped
    assert worker.restarts == 0


def test_a_demo_that_runs_past_its_deadline_is_stopped_with_its_process(worker: DemoWorker) -> None:
    before = worker.process_pid()
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        worker.submit(partial(_nap, seconds=60, value="never"), 1)
    assert info.value.status == 503 and info.value.code == "demo_timeout"
    assert time.monotonic() - started < 1 + KILL_GRACE_S + 1
    assert worker.restarts == 1 and worker.process_pid() is None
    assert not Path(f"/proc/{before}").exists() or "zombie" in Path(f"/proc/{before}/status").read_text()
    assert worker.submit(_pid, 60) not in (before, None)  # a new process takes the next demo


def test_a_demo_process_killed_mid_demo_is_a_503_and_the_next_demo_runs(worker: DemoWorker) -> None:
    victim = worker.process_pid()
    assert victim is not None
    failure: list[ApiError] = []

    def slow() -> None:
        try:
            worker.submit(partial(_nap, seconds=30, value="never"), 60)
        except ApiError as exc:
            failure.append(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    _wait_until(lambda: worker._queue.qsize() == 0)
    time.sleep(0.2)
    os.kill(victim, signal.SIGKILL)
    thread.join(10)
    assert failure and failure[0].status == 503 and failure[0].code == "demo_failed"
    assert worker.submit(_pid, 60) != victim


def _wait_until(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)

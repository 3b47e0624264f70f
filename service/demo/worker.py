"""The serving process's side of the demo process: a bounded queue, one job at a time, a real deadline.

Demos run in a child process (:mod:`service.demo.process`), so a model that
crashes, eats memory or runs past its time takes down only that child: the
web worker goes on answering SPARQL and /ask. A pump thread here feeds the
child one job at a time. Requests wait in a queue of ``demo_queue`` places;
when it stays full for ``ADMIT_WAIT_S`` the next one gets 503 with
``Retry-After`` instead of piling up. Each job has a deadline
(``demo_timeout_s``, queue wait included): a job still queued at its deadline
is dropped, and a job still running at its deadline has its child killed
(the only way to stop a forward pass) and a new child starts with the next
demo. Generation is also given the time left as ``max_time``, so a normal
demo ends by itself first.

The child starts with the first demo of a process (``subprocess``, not fork:
the serving process itself never runs torch).
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from service.errors import ApiError
from service.pipes import receive, send

log = logging.getLogger("modelkg.demo")
T = TypeVar("T")

#: Seconds a client is told to wait before retrying a refused demo.
RETRY_AFTER_S = 2
#: Seconds a request waits for a place in a full queue before 503: warm demos take milliseconds, so a
#: burst drains in this time, while a queue stuck behind a slow demo still refuses promptly.
ADMIT_WAIT_S = 0.5
#: Seconds past a job's deadline before its process is killed: generation stops itself at the deadline.
KILL_GRACE_S = 1.0


@dataclass
class _Job:
    fn: Callable[[Any], Any]
    future: Future
    deadline: float


def _busy(message: str, code: str) -> ApiError:
    return ApiError(503, message, code=code, headers={"Retry-After": str(RETRY_AFTER_S)})


class DemoWorker:
    """The demo process of this serving process, the queue in front of it, and what it has loaded."""

    def __init__(self, queue_size: int = 4, cache_models: int = 4) -> None:
        self.queue_size = max(1, int(queue_size))
        self.cache_models = max(0, int(cache_models))
        self.loads = 0  # models the current process has loaded or built, as it last reported
        self.restarts = 0  # processes killed at a deadline or found dead
        self.pid = os.getpid()
        self._keys: list[Hashable] = []
        self._process: subprocess.Popen | None = None
        self._queue: queue.Queue[_Job] = queue.Queue(maxsize=self.queue_size)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- the caller's side -------------------------------------------------

    def submit(self, fn: Callable[[Any], T], timeout_s: float) -> T:
        """Run ``fn(cache)`` in the demo process and return its result; ApiError 503 when the queue is
        full, the deadline passes or the process dies, and whatever ApiError ``fn`` raises.

        ``fn`` must pickle (a module-level function or a ``functools.partial`` of one); it gets the
        process's :class:`service.demo.process.ModelCache`.
        """
        self._ensure_thread()
        job = _Job(fn, Future(), time.monotonic() + timeout_s)
        try:
            self._queue.put(job, timeout=min(ADMIT_WAIT_S, timeout_s))
        except queue.Full:
            raise _busy(
                f"The demo worker is busy ({self.queue_size} demos waiting; MODELKG_DEMO_QUEUE). Retry shortly.",
                "demo_busy",
            ) from None
        try:
            return job.future.result(timeout=timeout_s + KILL_GRACE_S + 1.0)
        except FutureTimeout:
            job.future.cancel()
            raise _busy(
                f"The demo did not finish in {timeout_s:g} s (MODELKG_DEMO_TIMEOUT_S). Retry shortly.", "demo_timeout"
            ) from None

    def cached_keys(self) -> list[Hashable]:
        """Keys of the models the demo process holds, least recently used first."""
        return list(self._keys)

    def process_pid(self) -> int | None:
        """The demo process's pid while it runs."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def close(self) -> None:
        """Stop the demo process (a new one starts with the next demo)."""
        self._kill()

    # -- the pump thread ---------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="modelkg-demo", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if not job.future.set_running_or_notify_cancel():
                continue
            if time.monotonic() >= job.deadline:
                job.future.set_exception(
                    _busy(
                        "The demo waited in the queue past its deadline (MODELKG_DEMO_TIMEOUT_S). Retry shortly.",
                        "demo_timeout",
                    )
                )
                continue
            try:
                job.future.set_result(self._call(job))
            except ApiError as exc:
                job.future.set_exception(exc)
            except Exception as exc:  # the pump must survive anything, or every later demo would hang
                log.exception("demo job could not be sent")
                job.future.set_exception(
                    ApiError(500, f"The demo failed ({type(exc).__name__}); the service logged it.", code="demo_failed")
                )

    def _call(self, job: _Job) -> Any:
        process = self._ensure_process()
        try:
            send(process.stdin, ("run", job.fn))
        except (BrokenPipeError, OSError):
            self._lost()
            raise _busy("The demo process had stopped; a new one starts with the next demo.", "demo_failed") from None
        wait = max(0.0, job.deadline - time.monotonic()) + KILL_GRACE_S
        ready, _, _ = select.select([process.stdout], [], [], wait)
        if not ready:
            self._lost()
            raise _busy(
                "The demo ran past its deadline (MODELKG_DEMO_TIMEOUT_S) and was stopped. Retry shortly.",
                "demo_timeout",
            )
        try:
            kind, payload, self.loads, self._keys = receive(process.stdout)
        except (EOFError, OSError):
            self._lost()
            raise _busy(
                "The demo process stopped before answering (out of memory, or killed); "
                "a new one starts with the next demo.",
                "demo_failed",
            ) from None
        if kind == "ok":
            return payload
        status, message, code, headers = payload
        raise ApiError(status, message, code=code, headers=headers)

    def _ensure_process(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        if self._process is not None:  # it died between jobs: note it and start another
            self._lost()
        env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "service.demo.process", str(self.cache_models)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self.loads, self._keys = 0, []
        return self._process

    def _lost(self) -> None:
        self.restarts += 1
        self._kill()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        self.loads, self._keys = 0, []


_lock = threading.Lock()


def worker_for(app: Any) -> DemoWorker:
    """The app's demo worker in this process (a new one after a fork)."""
    with _lock:
        worker = app.extensions.get("modelkg_demo_worker")
        if worker is None or worker.pid != os.getpid():
            settings = app.config["MODELKG_SETTINGS"]
            worker = DemoWorker(settings["demo_queue"], settings["demo_cache_models"])
            app.extensions["modelkg_demo_worker"] = worker
        return worker

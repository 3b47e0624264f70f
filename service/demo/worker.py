"""One inference thread per process, a bounded queue in front of it, and an LRU of loaded models.

Tokenizers and torch modules are not safe to share between threads, so every
demo in a process runs on one thread, one after the other. Requests wait in a
queue of ``demo_queue`` places; when it stays full for ``ADMIT_WAIT_S`` the
next one gets 503 with ``Retry-After`` instead of piling up. Each job has a deadline
(``demo_timeout_s``, queue wait included): a job still queued at its deadline
is dropped, and generation is given the time left as ``max_time``.

The thread and torch start on the first demo of a process, never at import
or in a gunicorn master (a process that has run torch hangs in a forked
child); torch is limited to one thread, so demos do not starve the web
threads of the same worker.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from service.errors import ApiError

log = logging.getLogger("modelkg.demo")
T = TypeVar("T")

#: Seconds a client is told to wait before retrying a refused demo.
RETRY_AFTER_S = 2
#: Seconds a request waits for a place in a full queue before 503: warm demos take milliseconds, so a
#: burst drains in this time, while a queue stuck behind a slow demo still refuses promptly.
ADMIT_WAIT_S = 0.5


@dataclass
class _Job:
    fn: Callable[[DemoWorker], Any]
    future: Future
    deadline: float


class DemoWorker:
    """The demo thread of this process, its queue and its cache of loaded models."""

    def __init__(self, queue_size: int = 4, cache_models: int = 4) -> None:
        self.queue_size = max(1, int(queue_size))
        self.cache_models = max(0, int(cache_models))
        self.loads = 0  # models loaded or built by this worker, for tests and /health-like reports
        self.pid = os.getpid()
        self._queue: queue.Queue[_Job] = queue.Queue(maxsize=self.queue_size)
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- the caller's side -------------------------------------------------

    def submit(self, fn: Callable[[DemoWorker], T], timeout_s: float) -> T:
        """Run ``fn(worker)`` on the demo thread and return its result; ApiError 503 when the queue is
        full or the deadline passes, and whatever ApiError ``fn`` raises."""
        self._ensure_thread()
        job = _Job(fn, Future(), time.monotonic() + timeout_s)
        try:
            self._queue.put(job, timeout=min(ADMIT_WAIT_S, timeout_s))
        except queue.Full:
            raise ApiError(
                503,
                f"The demo worker is busy ({self.queue_size} demos waiting; MODELKG_DEMO_QUEUE). Retry shortly.",
                code="demo_busy",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ) from None
        try:
            return job.future.result(timeout=timeout_s + 1.0)
        except FutureTimeout:
            job.future.cancel()
            raise ApiError(
                503,
                f"The demo did not finish in {timeout_s:g} s (MODELKG_DEMO_TIMEOUT_S). Retry shortly.",
                code="demo_timeout",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ) from None

    def cached_keys(self) -> list[Hashable]:
        """Keys of the loaded models, least recently used first."""
        return list(self._cache)

    # -- the demo thread's side --------------------------------------------

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The loaded model under ``key``, loading it (and dropping the least recently used) if needed.

        Called only on the demo thread.
        """
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = load()
        self.loads += 1
        if self.cache_models:
            self._cache[key] = value
            while len(self._cache) > self.cache_models:
                self._cache.popitem(last=False)
        return value

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="modelkg-demo", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        _init_torch()
        while True:
            job = self._queue.get()
            if not job.future.set_running_or_notify_cancel():
                continue
            if time.monotonic() >= job.deadline:
                job.future.set_exception(
                    ApiError(
                        503,
                        "The demo waited in the queue past its deadline (MODELKG_DEMO_TIMEOUT_S). Retry shortly.",
                        code="demo_timeout",
                        headers={"Retry-After": str(RETRY_AFTER_S)},
                    )
                )
                continue
            try:
                job.future.set_result(job.fn(self))
            except ApiError as exc:
                job.future.set_exception(exc)
            except Exception as exc:  # the thread must survive any model's failure
                log.exception("demo failed")
                job.future.set_exception(
                    ApiError(500, f"The demo failed ({type(exc).__name__}); the service logged it.", code="demo_failed")
                )


def _init_torch() -> None:
    """Import torch and transformers on the demo thread: one torch thread, quiet transformers logging."""
    import torch
    import transformers

    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()


_lock = threading.Lock()


def worker_for(app) -> DemoWorker:
    """The app's demo worker in this process (a new one after a fork)."""
    with _lock:
        worker = app.extensions.get("modelkg_demo_worker")
        if worker is None or worker.pid != os.getpid():
            settings = app.config["MODELKG_SETTINGS"]
            worker = DemoWorker(settings["demo_queue"], settings["demo_cache_models"])
            app.extensions["modelkg_demo_worker"] = worker
        return worker

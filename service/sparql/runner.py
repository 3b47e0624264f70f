"""Evaluate queries in killable worker processes, under a deadline and a concurrency cap.

Each serving process keeps ``slots`` worker processes (started on first use,
never before a fork). A query takes an idle worker, waiting briefly for one
(``slot_wait_s``), or is answered 503; past the deadline its worker is killed (the only way to stop a query
that holds the interpreter) and replaced lazily, and the client gets 503
with ``Retry-After``. A worker loads the served graph version before it
evaluates anything, so every query sees exactly one version.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import subprocess
import sys
import threading
from dataclasses import dataclass

import pyoxigraph as ox

from service.pipes import receive, send
from service.sparql.guard import QueryRefused

LOAD_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Outcome:
    body: bytes
    count: int
    truncated: bool


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self.process: subprocess.Popen | None = None
        self.version: str | None = None

    def ensure(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            env = dict(os.environ, PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.sparql.worker", str(self.memory_mb)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
            self.version = None
        return self.process

    def call(self, message: dict, timeout_s: float) -> tuple:
        process = self.ensure()
        try:
            send(process.stdin, message)
        except (BrokenPipeError, OSError):
            self.kill()
            raise EOFError from None
        ready, _, _ = select.select([process.stdout], [], [], timeout_s)
        if not ready:
            self.kill()
            raise TimeoutError
        try:
            return receive(process.stdout)
        except (EOFError, OSError):
            self.kill()
            raise EOFError from None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                with contextlib.suppress(OSError):
                    stream.close()
        self.process = None
        self.version = None


class QueryRunner:
    """The pool of worker processes of one serving process."""

    def __init__(self, *, slots: int, timeout_s: float, memory_mb: int = 1024, slot_wait_s: float = 0.5) -> None:
        self.timeout_s = timeout_s
        self.slot_wait_s = slot_wait_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for _ in range(max(1, slots)):
            self._idle.put(_Worker(memory_mb))
        self.killed = 0
        self._loading = 0  # workers being started and loaded: while any is, a query waits for a slot, not 503
        self._lock = threading.Lock()

    def run(
        self,
        version: str,
        graph: ox.Store,
        query: str,
        fmt: str,
        *,
        max_rows: int,
        max_bytes: int,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Outcome:
        try:
            worker = self._idle.get(timeout=self.slot_wait_s)
        except queue.Empty:
            worker = None
        if worker is None and self._loading:
            # A slot is held by a worker being started and loaded, not by a query: that ends soon.
            with contextlib.suppress(queue.Empty):
                worker = self._idle.get(timeout=LOAD_TIMEOUT_S)
        if worker is None:
            raise QueryRefused(503, "busy", "All query slots are busy; retry in a moment.")
        try:
            if worker.version != version:
                self._load(worker, version, graph)
            try:
                reply = worker.call(
                    {
                        "op": "query",
                        "query": query,
                        "format": fmt,
                        "max_rows": max_rows,
                        "max_bytes": max_bytes,
                        "default_graphs": list(default_graphs),
                        "named_graphs": list(named_graphs),
                    },
                    self.timeout_s,
                )
            except TimeoutError:
                with self._lock:
                    self.killed += 1
                raise QueryRefused(
                    503, "timeout", f"The query ran past the {self.timeout_s:g} s deadline and was stopped."
                ) from None
            except EOFError:
                raise QueryRefused(
                    503, "worker_failed", "The query stopped its worker (too much memory?); it was not completed."
                ) from None
        finally:
            self._idle.put(worker)
        if reply[0] == "error":
            status = 503 if reply[1] == "too_much_memory" else 400
            raise QueryRefused(status, reply[1], reply[2])
        return Outcome(reply[1], reply[2], reply[3])

    def warm(self, version: str, graph: ox.Store) -> None:
        """Start every worker and load ``version`` into it, in the background, so the first
        queries of a new process do not wait for process start-up and graph loading."""

        def run() -> None:
            for _ in range(self._idle.qsize()):
                try:
                    worker = self._idle.get(timeout=self.timeout_s)
                except queue.Empty:
                    return
                try:
                    if worker.version != version:
                        self._load(worker, version, graph)
                except QueryRefused:
                    pass
                finally:
                    self._idle.put(worker)

        threading.Thread(target=run, name="query-workers-warm", daemon=True).start()

    def _load(self, worker: _Worker, version: str, graph: ox.Store) -> None:
        with self._lock:
            self._loading += 1
        try:
            nquads = graph.dump(format=ox.RdfFormat.N_QUADS)
            reply = worker.call({"op": "load", "nquads": nquads}, LOAD_TIMEOUT_S)
        except (TimeoutError, EOFError):
            raise QueryRefused(503, "unavailable", "The query worker could not load the graph.") from None
        finally:
            with self._lock:
                self._loading -= 1
        if reply[0] != "ok":
            raise QueryRefused(503, "unavailable", "The query worker could not load the graph.")
        worker.version = version

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return

"""The graph as this process serves it: an in-memory pyoxigraph copy of the store, kept current.

Each worker process holds its own copy (the graph is small: about 11,000
triples, loaded in tens of milliseconds). At most every
``graph_check_interval_s`` a background thread asks the store for the graph
version and reloads when an ingest has changed it, so a new ingest shows
without a restart; the version and the triples are read in one transaction,
so a reader never sees half of an ingest. Requests never wait on the store
after the first load: if the store is locked, slow or gone, the loaded copy
keeps serving and ``status`` says what the store is doing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from graph.store import Store, StoreError


@dataclass(frozen=True)
class Snapshot:
    """One loaded version of the graph."""

    version: str
    store: ox.Store
    loaded_at: float


class GraphState:
    """A store URL and the latest snapshot loaded from it."""

    def __init__(self, url: str, *, check_interval_s: float = 2.0) -> None:
        self.url = url
        self.check_interval_s = check_interval_s
        self._store = Store(url)
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        self._checking_since: float | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Snapshot], None]] = []
        self.store_error: str | None = None

    def current(self) -> Snapshot:
        """The newest loaded snapshot. The first call loads it (raising StoreError if it
        cannot); later calls start a background check when one is due and never wait for it."""
        snapshot = self._snapshot
        if snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    self._check()
                    if self._snapshot is None:
                        raise StoreError(self.store_error or "no graph loaded")
            return self._snapshot
        if time.monotonic() - self._checked_at >= self.check_interval_s and self._checking_since is None:
            with self._lock:
                if self._checking_since is None and time.monotonic() - self._checked_at >= self.check_interval_s:
                    self._checking_since = time.monotonic()
                    threading.Thread(target=self._check_in_background, name="graph-check", daemon=True).start()
        return snapshot

    def on_reload(self, listener: Callable[[Snapshot], None]) -> None:
        """Call ``listener(snapshot)`` after each new version is loaded (e.g. to drop caches)."""
        self._listeners.append(listener)

    def _check_in_background(self) -> None:
        try:
            self._check()
        finally:
            self._checking_since = None

    def _check(self) -> None:
        try:
            version = self._store.version()
            if self._snapshot is None or version != self._snapshot.version:
                version, text = self._store.snapshot()
                loaded = ox.Store()
                loaded.bulk_load(text.encode(), format=ox.RdfFormat.N_QUADS)
                self._snapshot = Snapshot(version, loaded, time.time())
                for listener in self._listeners:
                    listener(self._snapshot)
            self.store_error = None
        except StoreError as exc:
            self.store_error = str(exc)
        except Exception as exc:  # a driver error the store did not translate: report, keep serving
            self.store_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        finally:
            self._checked_at = time.monotonic()

    def status(self) -> dict[str, object]:
        """Liveness facts for /health: the served version and what the store last said."""
        snapshot = self._snapshot
        checking = self._checking_since
        # A check running past twice the interval (at least a second) means the store is not answering.
        if checking is not None and time.monotonic() - checking > max(1.0, 2 * self.check_interval_s):
            store, error = "unresponsive", f"the store has not answered for {time.monotonic() - checking:.0f} s"
        elif self.store_error is None:
            store, error = "ok", None
        else:
            store, error = "unavailable", self.store_error
        return {
            "graph_version": snapshot.version if snapshot else None,
            "loaded_at": snapshot.loaded_at if snapshot else None,
            "store": store,
            "store_error": error,
        }

    def dispose(self) -> None:
        self._store.dispose()


def for_app(app) -> GraphState:
    """The app's GraphState, made on first use in this process (so never before a fork)."""
    state = app.extensions.get("modelkg_graph")
    if state is None:
        from service.settings import load_settings

        settings = app.config.get("MODELKG_SETTINGS") or load_settings()
        state = GraphState(
            app.config.get("DATABASE_URL") or settings["database_url"],
            check_interval_s=float(settings.get("graph_check_interval_s", 2.0)),
        )
        state = app.extensions.setdefault("modelkg_graph", state)
    return state

"""The graph as this process serves it: an in-memory pyoxigraph copy of the store, kept current.

Each worker process holds its own copy (the graph is small: about 11,000
triples, loaded in tens of milliseconds). At most every
``graph_check_interval_s`` it asks the store for the graph version and
reloads when an ingest has changed it, so a new ingest shows without a
restart; the version and the triples are read in one transaction, so a
reader never sees half of an ingest. If the store becomes unreachable the
loaded copy keeps serving and ``status`` says so.
"""

from __future__ import annotations

import threading
import time
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
        self._lock = threading.Lock()
        self.store_error: str | None = None

    def current(self) -> Snapshot:
        """The newest snapshot, reloading if the store's version changed; raises StoreError
        only when nothing has ever been loaded."""
        now = time.monotonic()
        snapshot = self._snapshot
        if snapshot is not None and now - self._checked_at < self.check_interval_s:
            return snapshot
        with self._lock:
            if self._snapshot is not None and time.monotonic() - self._checked_at < self.check_interval_s:
                return self._snapshot
            try:
                version = self._store.version()
                if self._snapshot is None or version != self._snapshot.version:
                    version, text = self._store.snapshot()
                    oxi = ox.Store()
                    oxi.bulk_load(text.encode(), format=ox.RdfFormat.N_QUADS)
                    self._snapshot = Snapshot(version, oxi, time.time())
                self.store_error = None
            except StoreError as exc:
                self.store_error = str(exc)
                if self._snapshot is None:
                    raise
            finally:
                self._checked_at = time.monotonic()
            return self._snapshot

    def status(self) -> dict[str, object]:
        """Liveness facts for /health: the served version and whether the store answers."""
        snapshot = self._snapshot
        return {
            "graph_version": snapshot.version if snapshot else None,
            "loaded_at": snapshot.loaded_at if snapshot else None,
            "store": "ok" if self.store_error is None else "unavailable",
            "store_error": self.store_error,
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
        app.extensions["modelkg_graph"] = state
    return state

"""Shared fixtures: stores on SQLite (always) and PostgreSQL (when MODELKG_DATABASE_URL is one)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from graph.store import Store
from ingest.build import Sources, ingest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
MINI = DATA / "mini"


def postgres_admin_url() -> str | None:
    """The PostgreSQL URL the environment names, if it names one."""
    url = os.environ.get("MODELKG_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


BACKENDS = ["sqlite"] + (["postgresql"] if postgres_admin_url() else [])


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection to a host that is not this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("127."):
            raise AssertionError(f"a test tried to reach {address!r}: only loopback is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    admin = postgres_admin_url()
    if admin is None:
        yield None
        return
    name = f"modelkg_test_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        engine.dispose()


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in ("quads", "graphs", "meta", "embeddings", "alembic_version"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_database: str | None) -> Iterator[str]:
    """An empty store URL on each backend under test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kg.db'}"
        return
    assert postgres_database is not None
    _reset_postgres(postgres_database)
    yield postgres_database
    _reset_postgres(postgres_database)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url, lock_wait_s=20)
    yield s
    s.dispose()


@pytest.fixture
def mini_sources() -> Sources:
    """The small test taxonomy and facts, without the transformers registry (fast)."""
    return Sources(
        taxonomy=MINI / "taxonomy.md", concepts=MINI / "concepts.yaml", models_dir=MINI / "models", transformers=False
    )


@pytest.fixture(scope="session")
def seed_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding the full shipped graph (all three sources), built once per session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('seed') / 'kg.db'}"
    store = Store(url)
    ingest(store, Sources())
    store.dispose()
    return url


@pytest.fixture(scope="session")
def seed_store(seed_db_url: str) -> Store:
    return Store(seed_db_url)

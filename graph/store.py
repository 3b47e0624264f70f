"""The SQL store: named graphs of triples in SQLite (default) or PostgreSQL.

Writes replace whole named graphs inside one transaction, so a reader sees
either the old graph or the new one, and a process killed mid-write leaves
the old one. Reads load everything into an in-memory engine (rdflib or
pyoxigraph): the graph is small, and SPARQL runs there, not in SQL.

>>> import tempfile, os
>>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "kg.db")
>>> store = Store(url)
>>> from rdflib import URIRef, Literal
>>> g = URIRef("https://w3id.org/modelkg/graph/example")
>>> s = URIRef("https://w3id.org/modelkg/model/bert")
>>> triples = [(s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("BERT", lang="en"))]
>>> store.replace_graphs([GraphWrite(g, "example", "1", triples)]).triples
1
>>> len(store.load_dataset())
1
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from rdflib import Dataset, URIRef
from rdflib.term import Node
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from graph import schema
from graph.embeddings import MODEL_NAME, EntityText
from graph.terms import nquads, term_to_nt

DEFAULT_URL = "sqlite:///var/modelkg.db"
#: Seconds to wait for a PostgreSQL server to accept a connection.
CONNECT_TIMEOUT_S = 5
MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_WAIT_S = 60
BATCH = 2000

Triple = tuple[Node, Node, Node]


class StoreError(Exception):
    """Base class for store failures; the message says what to do."""


class StoreEmpty(StoreError):
    """The store holds no graph yet."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened."""


class StoreBusy(StoreError):
    """Another ingest holds the write lock for longer than we wait."""


@dataclass(frozen=True)
class GraphWrite:
    """One named graph to write: its IRI, where it came from, and its triples."""

    iri: URIRef
    source: str
    source_version: str
    triples: Sequence[Triple]


@dataclass(frozen=True)
class GraphInfo:
    """What the store records about one named graph."""

    iri: str
    source: str
    source_version: str
    triple_count: int
    digest: str
    ingested_at: str


@dataclass(frozen=True)
class WriteResult:
    """What a write changed: the new store version and the triples written."""

    version: str
    triples: int
    graphs: tuple[GraphInfo, ...]
    seconds: float


def redact(url: str) -> str:
    """The URL with any password hidden, for messages.

    >>> redact("postgresql://kg:secret@db/kg")
    'postgresql://kg:***@db/kg'
    """
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _digest(rows: Iterable[str]) -> str:
    h = hashlib.sha256()
    for row in sorted(rows):
        h.update(row.encode())
        h.update(b"\n")
    return h.hexdigest()


def encode_triples(triples: Iterable[Triple]) -> tuple[list[tuple[str, str, str]], str]:
    """Distinct triples as sorted N-Triples rows, and the digest that names their content."""
    rows = sorted({(term_to_nt(s), term_to_nt(p), term_to_nt(o)) for s, p, o in triples})
    return rows, _digest(" ".join(r) for r in rows)


class Store:
    """A modelkg graph store at a SQLAlchemy URL."""

    def __init__(self, url: str = DEFAULT_URL, *, lock_wait_s: float = LOCK_WAIT_S) -> None:
        self.url = url
        self.lock_wait_s = lock_wait_s
        self._engine: Engine | None = None

    # ------------------------------------------------------------ plumbing

    @property
    def is_sqlite(self) -> bool:
        return sa.engine.make_url(self.url).get_backend_name() == "sqlite"

    def _sqlite_path(self) -> Path | None:
        database = sa.engine.make_url(self.url).database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            # A server that is down must fail fast (start-up, /health), not hang on connect.
            return sa.create_engine(self.url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
        engine = sa.create_engine(self.url, connect_args={"timeout": self.lock_wait_s})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record) -> None:
            # Take transactions into our own hands (pysqlite's implicit BEGIN
            # is deferred, which lets two writers deadlock), and use WAL so
            # readers are never blocked by an ingest.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # Writers take the write lock up front (waiting up to the timeout);
            # readers start a plain snapshot and never wait for a writer.
            write = conn.get_execution_options().get("modelkg_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def dispose(self) -> None:
        """Close pooled connections (before a fork, or at exit)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A connection in a write transaction: committed on success, rolled back on any error."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(modelkg_write=True)
            with conn.begin():
                yield conn

    def _fail(self, exc: Exception) -> StoreError:
        text = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
        if "locked" in text or "lock timeout" in text or "canceling statement due to lock" in text:
            return StoreBusy(
                f"another ingest is writing to {redact(self.url)} and held the lock for over "
                f"{self.lock_wait_s:g} s; try again when it finishes"
            )
        return StoreUnavailable(f"cannot use the store at {redact(self.url)}: {text}")

    def has_graph(self) -> bool:
        """True when the store exists and holds an ingested graph."""
        path = self._sqlite_path()
        if path is not None and not path.exists():
            return False
        try:
            with self.engine.connect() as conn:
                if not sa.inspect(conn).has_table("meta"):
                    return False
                return (
                    conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == "version")).first()
                    is not None
                )
        except OperationalError as exc:
            raise self._fail(exc) from exc

    def _require_graph(self) -> None:
        if not self.has_graph():
            raise StoreEmpty(f"no graph in {redact(self.url)}: run `modelkg ingest` first")

    # --------------------------------------------------------------- writes

    def migrate(self, conn: Connection | None = None) -> None:
        """Bring the schema to the newest alembic revision."""
        path = self._sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        try:
            if conn is not None:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            else:
                with self._writing() as own:
                    if not self.is_sqlite:
                        # Two first ingests into an empty PostgreSQL would both create the tables.
                        own.exec_driver_sql("SELECT pg_advisory_xact_lock(7262024)")
                    cfg.attributes["connection"] = own
                    command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise self._fail(exc) from exc

    def _lock_for_write(self, conn: Connection) -> None:
        if self.is_sqlite:
            return  # BEGIN IMMEDIATE already took SQLite's single write lock.
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(self.lock_wait_s * 1000)}ms'")
        conn.exec_driver_sql("LOCK TABLE quads, graphs, meta, embeddings IN SHARE ROW EXCLUSIVE MODE")

    def replace_graphs(
        self,
        writes: Sequence[GraphWrite],
        *,
        on_batch: Callable[[int, int], None] | None = None,
        now: str | None = None,
        embeddings: Sequence[EntityText] | None = None,
    ) -> WriteResult:
        """Replace each named graph in ``writes`` with its triples, all in one transaction.

        A graph whose content is unchanged keeps its recorded ingest time, so
        writing the same data twice leaves the store exactly as it was.
        ``on_batch(done, total)`` is called as rows are written. ``embeddings``
        (entity texts with vectors) replace the stored ones in the same
        transaction; without them the stored ones are dropped, so vectors of
        an older graph are never served with a newer one.
        """
        started = time.perf_counter()
        encoded = []
        for write in writes:
            rows, digest = encode_triples(write.triples)
            encoded.append((write, term_to_nt(write.iri), rows, digest))
        total = sum(len(rows) for _, _, rows, _ in encoded)
        now = now or datetime.now(UTC).isoformat(timespec="seconds")
        self.migrate()
        try:
            with self._writing() as conn:
                self._lock_for_write(conn)
                infos = []
                done = 0
                for write, graph_nt, rows, digest in encoded:
                    previous = (
                        conn.execute(sa.select(schema.graphs).where(schema.graphs.c.iri == str(write.iri)))
                        .mappings()
                        .first()
                    )
                    ingested_at = previous["ingested_at"] if previous and previous["digest"] == digest else now
                    conn.execute(sa.delete(schema.quads).where(schema.quads.c.graph == graph_nt))
                    for start in range(0, len(rows), BATCH):
                        batch = rows[start : start + BATCH]
                        conn.execute(
                            sa.insert(schema.quads),
                            [{"graph": graph_nt, "subject": s, "predicate": p, "object": o} for s, p, o in batch],
                        )
                        done += len(batch)
                        if on_batch is not None:
                            on_batch(done, total)
                    info = GraphInfo(str(write.iri), write.source, write.source_version, len(rows), digest, ingested_at)
                    conn.execute(sa.delete(schema.graphs).where(schema.graphs.c.iri == info.iri))
                    conn.execute(sa.insert(schema.graphs).values(**info.__dict__))
                    infos.append(info)
                self._replace_embeddings(conn, embeddings or ())
                version = _digest(
                    f"{r.iri} {r.digest}" for r in conn.execute(sa.select(schema.graphs.c.iri, schema.graphs.c.digest))
                )[:16]
                conn.execute(sa.delete(schema.meta).where(schema.meta.c.key == "version"))
                conn.execute(sa.insert(schema.meta).values(key="version", value=version))
        except OperationalError as exc:
            raise self._fail(exc) from exc
        return WriteResult(version, total, tuple(infos), time.perf_counter() - started)

    def _replace_embeddings(self, conn: Connection, rows: Sequence[EntityText]) -> None:
        conn.execute(sa.delete(schema.embeddings))
        values = [
            {
                "entity": r.entity,
                "digest": r.digest,
                "model": MODEL_NAME,
                "kind": r.kind,
                "field": r.field,
                "text": r.text,
                "vector": r.vector,
            }
            for r in rows
            if r.vector is not None
        ]
        for start in range(0, len(values), BATCH):
            conn.execute(sa.insert(schema.embeddings), values[start : start + BATCH])

    # ---------------------------------------------------------------- reads

    def embeddings(self) -> tuple[str, list[EntityText]]:
        """``(version, entity texts with vectors)`` read in one transaction; no rows before 0002 or
        when the ingest wrote none."""
        self._require_graph()
        try:
            with self.engine.connect() as conn:
                version = conn.execute(
                    sa.select(schema.meta.c.value).where(schema.meta.c.key == "version")
                ).scalar_one()
                if not sa.inspect(conn).has_table("embeddings"):
                    return version, []
                e = schema.embeddings
                rows = conn.execute(
                    sa.select(e.c.entity, e.c.kind, e.c.field, e.c.text, e.c.vector)
                    .where(e.c.model == MODEL_NAME)
                    .order_by(e.c.entity, e.c.field, e.c.text)
                )
                return version, [EntityText(r.entity, r.kind, r.field, r.text, bytes(r.vector)) for r in rows]
        except OperationalError as exc:
            raise self._fail(exc) from exc

    def embedding_vectors(self) -> dict[str, bytes]:
        """Stored vectors by text digest, for an ingest to reuse; empty when there are none."""
        if not self.has_graph():
            return {}
        return {row.digest: row.vector for row in self.embeddings()[1] if row.vector is not None}

    def version(self) -> str:
        """The store's graph version: a digest of every graph's content."""
        self._require_graph()
        with self.engine.connect() as conn:
            return conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == "version")).scalar_one()

    def graphs(self) -> list[GraphInfo]:
        """Every named graph the store records, by IRI."""
        self._require_graph()
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.graphs).order_by(schema.graphs.c.iri)).mappings()
            return [GraphInfo(**row) for row in rows]

    def rows(self) -> Iterator[tuple[str, str, str, str]]:
        """Every stored quad as ``(graph, subject, predicate, object)`` N-Triples strings."""
        self._require_graph()
        try:
            with self.engine.connect() as conn:
                q = schema.quads
                yield from conn.execute(sa.select(q.c.graph, q.c.subject, q.c.predicate, q.c.object).order_by(q.c.id))
        except OperationalError as exc:
            raise self._fail(exc) from exc

    def snapshot(self) -> tuple[str, str]:
        """``(version, nquads)`` read in one transaction, so the two always agree."""
        self._require_graph()
        try:
            with self.engine.connect() as conn:
                version = conn.execute(
                    sa.select(schema.meta.c.value).where(schema.meta.c.key == "version")
                ).scalar_one()
                q = schema.quads
                rows = conn.execute(sa.select(q.c.graph, q.c.subject, q.c.predicate, q.c.object).order_by(q.c.id))
                return version, nquads(rows)
        except OperationalError as exc:
            raise self._fail(exc) from exc

    def load_dataset(self) -> Dataset:
        """The whole store as an rdflib Dataset, one named graph per source."""
        _, text = self.snapshot()
        dataset = Dataset()
        dataset.parse(data=text, format="nquads")
        return dataset

    def load_oxigraph(self) -> pyoxigraph.Store:
        """The whole store in an in-memory pyoxigraph Store, for fast SPARQL."""
        _, text = self.snapshot()
        store = pyoxigraph.Store()
        store.bulk_load(text.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
        return store

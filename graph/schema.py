"""The SQL tables behind the store, as SQLAlchemy Core metadata.

The alembic migrations in ``graph/migrations`` create exactly these; the
metadata is what the store's queries are written against.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: One row per triple, each term in its N-Triples spelling (see graph.terms).
quads = sa.Table(
    "quads",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("graph", sa.Text, nullable=False, index=True),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("predicate", sa.Text, nullable=False),
    sa.Column("object", sa.Text, nullable=False),
)

#: One row per named graph: where it came from and what it held when written.
graphs = sa.Table(
    "graphs",
    metadata,
    sa.Column("iri", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_version", sa.Text, nullable=False),
    sa.Column("triple_count", sa.Integer, nullable=False),
    sa.Column("digest", sa.Text, nullable=False),
    sa.Column("ingested_at", sa.Text, nullable=False),
)

#: Store-wide values, such as the graph version readers cache against.
meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: One row per (entity, text): the sentence embedding of one of its labels, aliases or descriptions,
#: replaced in the same transaction as the graph, so it always matches the graph version.
embeddings = sa.Table(
    "embeddings",
    metadata,
    sa.Column("entity", sa.Text, primary_key=True),
    sa.Column("digest", sa.String(64), primary_key=True),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("field", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

"""Quads, named-graph records and store metadata.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("graph", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("predicate", sa.Text, nullable=False),
        sa.Column("object", sa.Text, nullable=False),
    )
    op.create_index("ix_quads_graph", "quads", ["graph"])
    op.create_table(
        "graphs",
        sa.Column("iri", sa.Text, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_version", sa.Text, nullable=False),
        sa.Column("triple_count", sa.Integer, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.Text, nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_table("graphs")
    op.drop_index("ix_quads_graph", table_name="quads")
    op.drop_table("quads")

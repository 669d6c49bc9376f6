"""read_fence: per token, the primary's WAL position its reads on a replica must have reached

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # UNLOGGED on PostgreSQL: written after every write, it must not cost a WAL flush (see
    # registry.core.models.ReadFence). SQLite has no replicas and never writes it.
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "read_fence",
        sa.Column("token_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lsn", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_read_fence")),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("read_fence")

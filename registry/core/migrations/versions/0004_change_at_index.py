"""an index on change.at (the `since` filter of `changes` scans without it)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_change_at", "change", ["at"])


def downgrade() -> None:
    op.drop_index("ix_change_at", table_name="change")

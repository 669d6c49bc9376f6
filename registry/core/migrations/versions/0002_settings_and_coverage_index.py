"""place settings (per-subtree values such as the household-contact ratio); an index on
current coverage for org charts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_place_setting_place_id_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_setting")),
        sa.UniqueConstraint("place_id", "key", name=op.f("uq_place_setting_place_id_key")),
    )
    op.create_index(
        "ix_coverage_current",
        "coverage",
        ["organisation_id", "place_id"],
        postgresql_where=sa.text('"end" IS NULL'),
        sqlite_where=sa.text('"end" IS NULL'),
    )


def downgrade() -> None:
    op.drop_index("ix_coverage_current", table_name="coverage")
    op.drop_table("place_setting")

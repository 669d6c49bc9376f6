"""Member standing: lost contact, suspended membership, leaving the Party and death as dated
events that keep history; a transfer cancelled before it is received

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Existing members have no standing recorded (in good standing: `departed_on` null) and existing
transfers none cancelled.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("member", sa.Column("departed_on", sa.Date(), nullable=True))
    op.add_column("transfer", sa.Column("cancelled_on", sa.Date(), nullable=True))
    op.create_table(
        "member_standing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("way", sa.String(length=16), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"],
                                name=op.f("fk_member_standing_member_id_member")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["organisation.id"],
                                name=op.f("fk_member_standing_decided_by_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_standing")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_member_standing_member_id"), "member_standing", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_member_standing_member_id"), table_name="member_standing")
    op.drop_table("member_standing")
    with op.batch_alter_table("transfer") as batch:
        batch.drop_column("cancelled_on")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("departed_on")

"""Member standing: lost contact, suspended membership, leaving the Party and death as dated
events that keep history; a transfer cancelled before it is received; in service (在职党员) as
a recorded status with its 报到 date; a member away from home (流动党员); the history of
each member's Party group

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

Existing members have no standing recorded (in good standing: `departed_on` null) and existing
transfers none cancelled. Existing members whose formal tie is at a workplace are carried
forward as in service; the day each reported (报到) to the community was never recorded, so
`reported_on` stays null (unknown) until an organiser enters it. Each member in a group now
starts its group history with that placement, undated (start null: when they were placed was
never recorded).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable column referring to `target`.id with its named foreign key (inline in ADD
    COLUMN on SQLite, as in 0008: a batch rebuild of `member` is refused by the keys pointing
    at it)."""
    key = op.f(f"fk_{table}_{column}_{target}")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {key} REFERENCES {target} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(key, table, target, [column], ["id"])


def upgrade() -> None:
    op.add_column("member", sa.Column("departed_on", sa.Date(), nullable=True))
    op.add_column(
        "member",
        sa.Column("in_service", sa.Boolean(), nullable=False, server_default=sa.text("false")),
    )
    op.add_column("member", sa.Column("reported_on", sa.Date(), nullable=True))
    op.execute("UPDATE member SET in_service = (workplace IS NOT NULL)")
    op.add_column("member", sa.Column("away_since", sa.Date(), nullable=True))
    op.add_column("member", sa.Column("away_place", sa.String(length=200), nullable=True))
    _add_reference("member", "away_attends_id", "organisation")
    op.add_column("member", sa.Column("away_attends", sa.String(length=200), nullable=True))
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
    op.create_table(
        "group_placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"],
                                name=op.f("fk_group_placement_member_id_member")),
        sa.ForeignKeyConstraint(["group_id"], ["organisation.id"],
                                name=op.f("fk_group_placement_group_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_placement")),
    )  # fmt: skip
    for column in ("member_id", "group_id"):
        op.create_index(
            op.f(f"ix_group_placement_{column}"), "group_placement", [column], unique=False
        )
    op.execute(
        "INSERT INTO group_placement (member_id, group_id) "
        "SELECT id, group_id FROM member WHERE group_id IS NOT NULL"
    )


def downgrade() -> None:
    for column in ("member_id", "group_id"):
        op.drop_index(op.f(f"ix_group_placement_{column}"), table_name="group_placement")
    op.drop_table("group_placement")
    op.drop_index(op.f("ix_member_standing_member_id"), table_name="member_standing")
    op.drop_table("member_standing")
    with op.batch_alter_table("transfer") as batch:
        batch.drop_column("cancelled_on")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("away_attends")
        batch.drop_constraint(batch.f("fk_member_away_attends_id_organisation"), type_="foreignkey")
        batch.drop_column("away_attends_id")
        batch.drop_column("away_place")
        batch.drop_column("away_since")
        batch.drop_column("reported_on")
        batch.drop_column("in_service")
        batch.drop_column("departed_on")

"""The Party's own rules: groups (党小组), elections, probation extensions, transfers (组织关系)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

Existing members start in no group (null): the rules report then names those whose branch has
groups, for an organiser to place. No election is recorded for existing organisations: their
terms count from the earliest start in their current committee until one is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable column referring to `target`.id, with its named foreign key and index. On
    SQLite the key goes inline in ADD COLUMN: a batch rebuild would drop and recreate the
    table, which the keys pointing at it (member, from half the schema) forbid."""
    key = op.f(f"fk_{table}_{column}_{target}")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT {key} REFERENCES {target} (id)"
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(key, table, target, [column], ["id"])
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    _add_reference("member", "group_id", "organisation")
    op.add_column("member", sa.Column("probation_extended_on", sa.Date(), nullable=True))
    op.add_column("member", sa.Column("probation_extended_months", sa.Integer(), nullable=True))
    op.create_table(
        "election",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name=op.f("fk_election_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["organisation.id"],
            name=op.f("fk_election_approved_by_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_election_organisation_id"), "election", ["organisation_id"], unique=False
    )
    op.create_table(
        "transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("out_on", sa.Date(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"],
                                name=op.f("fk_transfer_member_id_member")),
        sa.ForeignKeyConstraint(["from_id"], ["organisation.id"],
                                name=op.f("fk_transfer_from_id_organisation")),
        sa.ForeignKeyConstraint(["to_id"], ["organisation.id"],
                                name=op.f("fk_transfer_to_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer")),
    )  # fmt: skip
    for column in ("member_id", "from_id", "to_id"):
        op.create_index(op.f(f"ix_transfer_{column}"), "transfer", [column], unique=False)


def downgrade() -> None:
    for column in ("member_id", "from_id", "to_id"):
        op.drop_index(op.f(f"ix_transfer_{column}"), table_name="transfer")
    op.drop_table("transfer")
    op.drop_index(op.f("ix_election_organisation_id"), table_name="election")
    op.drop_table("election")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("probation_extended_months")
        batch.drop_column("probation_extended_on")
        batch.drop_index(batch.f("ix_member_group_id"))
        batch.drop_constraint(batch.f("fk_member_group_id_organisation"), type_="foreignkey")
        batch.drop_column("group_id")

"""tasks, task places, assignments (mobilisation), suggestions (民意) and functional memberships

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["member.id"], name=op.f("fk_task_leader_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_task_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint("code", name=op.f("uq_task_code")),
    )
    op.create_index(op.f("ix_task_organisation_id"), "task", ["organisation_id"], unique=False)

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("override_by_token_id", sa.Integer(), nullable=True),
        sa.Column("override_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["building_id"], ["place.id"], name=op.f("fk_assignment_building_id_place")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_assignment_member_id_member")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_assignment_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    op.create_index(op.f("ix_assignment_member_id"), "assignment", ["member_id"], unique=False)
    op.create_index(op.f("ix_assignment_task_id"), "assignment", ["task_id"], unique=False)

    op.create_table(
        "functional_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_functional_membership_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_functional_membership_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["task.id"], name=op.f("fk_functional_membership_task_id_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_functional_membership")),
    )
    op.create_index(
        op.f("ix_functional_membership_member_id"),
        "functional_membership",
        ["member_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_functional_membership_organisation_id"),
        "functional_membership",
        ["organisation_id"],
        unique=False,
    )

    op.create_table(
        "suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("heard_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["heard_by_id"], ["member.id"], name=op.f("fk_suggestion_heard_by_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_suggestion_place_id_place")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_suggestion_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion")),
        sa.UniqueConstraint("code", name=op.f("uq_suggestion_code")),
    )
    op.create_index(op.f("ix_suggestion_place_id"), "suggestion", ["place_id"], unique=False)
    op.create_index(op.f("ix_suggestion_task_id"), "suggestion", ["task_id"], unique=False)

    op.create_table(
        "task_place",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_task_place_place_id_place")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_task_place_task_id_task")),
        sa.PrimaryKeyConstraint("task_id", "place_id", name=op.f("pk_task_place")),
    )
    op.create_index(op.f("ix_task_place_place_id"), "task_place", ["place_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_task_place_place_id"), table_name="task_place")

    op.drop_table("task_place")
    op.drop_index(op.f("ix_suggestion_task_id"), table_name="suggestion")
    op.drop_index(op.f("ix_suggestion_place_id"), table_name="suggestion")

    op.drop_table("suggestion")
    op.drop_index(
        op.f("ix_functional_membership_organisation_id"), table_name="functional_membership"
    )
    op.drop_index(op.f("ix_functional_membership_member_id"), table_name="functional_membership")

    op.drop_table("functional_membership")
    op.drop_index(op.f("ix_assignment_task_id"), table_name="assignment")
    op.drop_index(op.f("ix_assignment_member_id"), table_name="assignment")

    op.drop_table("assignment")
    op.drop_index(op.f("ix_task_organisation_id"), table_name="task")

    op.drop_table("task")

"""registry core tables

Revision ID: 0001
Revises:
Create Date: 2026-11-29
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
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change")),
    )
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.create_index("ix_change_entity_entity_id", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_request_id"), ["request_id"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "path",
            sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("established", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_approved_by_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_merged_into_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organisation.id"], name=op.f("fk_organisation_parent_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("code", name=op.f("uq_organisation_code")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index("ix_organisation_kind_path", ["kind", "path"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index("ix_organisation_path", ["path"], unique=False)

    op.create_table(
        "place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "path",
            sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["place.id"], name=op.f("fk_place_parent_id_place")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place")),
        sa.UniqueConstraint("code", name=op.f("uq_place_code")),
    )
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.create_index("ix_place_kind_path", ["kind", "path"], unique=False)
        batch_op.create_index(batch_op.f("ix_place_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index("ix_place_path", ["path"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("scope_organisation_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["scope_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_api_token_scope_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_coverage_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["place.id"], name=op.f("fk_coverage_place_id_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage")),
    )
    with op.batch_alter_table("coverage", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coverage_place_id"), ["place_id"], unique=False)

    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("joined", sa.Date(), nullable=True),
        sa.Column("full_on", sa.Date(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("workplace", sa.String(length=200), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("reports_to_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["place.id"], name=op.f("fk_member_household_id_place")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_member_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["reports_to_id"],
            ["organisation.id"],
            name=op.f("fk_member_reports_to_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("code", name=op.f("uq_member_code")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_member_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_member_reports_to_id"), ["reports_to_id"], unique=False
        )

    op.create_table(
        "affiliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("workplace", sa.String(length=200), nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_affiliation_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_affiliation_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliation")),
    )
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affiliation_member_id"), ["member_id"], unique=False)

    op.create_table(
        "member_skill",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_member_skill_member_id_member")
        ),
        sa.PrimaryKeyConstraint("member_id", "skill", name=op.f("pk_member_skill")),
    )
    with op.batch_alter_table("member_skill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_skill_skill"), ["skill"], unique=False)

    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_office_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_office_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
    )
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_office_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_office_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_pairing_member_id_member")
        ),
        sa.ForeignKeyConstraint(["place_id"], ["place.id"], name=op.f("fk_pairing_place_id_place")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing")),
    )
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairing_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairing_place_id"), ["place_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pairing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_place_id"))
        batch_op.drop_index(batch_op.f("ix_pairing_member_id"))

    op.drop_table("pairing")
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_office_member_id"))

    op.drop_table("office")
    with op.batch_alter_table("member_skill", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_skill_skill"))

    op.drop_table("member_skill")
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliation_member_id"))

    op.drop_table("affiliation")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_reports_to_id"))
        batch_op.drop_index(batch_op.f("ix_member_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_member_household_id"))

    op.drop_table("member")
    with op.batch_alter_table("coverage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_place_id"))
        batch_op.drop_index(batch_op.f("ix_coverage_organisation_id"))

    op.drop_table("coverage")
    op.drop_table("api_token")
    with op.batch_alter_table("place", schema=None) as batch_op:
        batch_op.drop_index("ix_place_path")
        batch_op.drop_index(batch_op.f("ix_place_parent_id"))
        batch_op.drop_index("ix_place_kind_path")

    op.drop_table("place")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index("ix_organisation_path")
        batch_op.drop_index(batch_op.f("ix_organisation_parent_id"))
        batch_op.drop_index("ix_organisation_kind_path")

    op.drop_table("organisation")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_request_id"))
        batch_op.drop_index("ix_change_entity_entity_id")

    op.drop_table("change")

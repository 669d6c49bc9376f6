"""org_tally: what the rules judge each organisation by, kept by writes, filled here

The rules report counted, for every organisation of its scope, the members of its subtree, its
current offices, its placements, covered estates and elections: at a city's root 117,000
organisations, 1.35 s of correlated counts on every request. It looked at every member of an
organisation with groups for one in none of them (730,000 at a city's root, to find none), and
at every coverage row for one outside its parent's territory. The writes keep these figures
per organisation now (registry.core.org_tallies), as they keep the building tallies, with
partial indexes on the few organisations that have members out of their groups, probationary
officers or places outside; and the index of probationary members holds the day they joined.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# As registry.core.org_tallies computes them: a figure only for the kinds a rule judges by it.
_COMMITTEE_ROLES = (
    "'secretary', 'deputy_secretary', 'committee_member', 'organisation_member', "
    "'publicity_member', 'discipline_member'"
)
_FILL = f"""
INSERT INTO org_tally (organisation_id, members, full_members, secretaries, committee, leaders,
                       placed, units, elected_on, committee_since, ungrouped,
                       probationary_officers, outside)
SELECT o.id,
       CASE WHEN o.kind IN ('branch', 'general_branch') THEN
         (SELECT count(m.id) FROM member m
           WHERE m.org_path >= o.path
             AND m.org_path < substr(o.path, 1, length(o.path) - 1) || '0'
             AND m.departed_on IS NULL) ELSE 0 END,
       CASE WHEN o.kind IN ('branch', 'general_branch') THEN
         (SELECT count(m.id) FROM member m
           WHERE m.org_path >= o.path
             AND m.org_path < substr(o.path, 1, length(o.path) - 1) || '0'
             AND m.departed_on IS NULL AND m.status = 'full') ELSE 0 END,
       CASE WHEN o.kind IN ('branch', 'general_branch', 'party_committee') THEN
         (SELECT count(f.id) FROM office f
           WHERE f.organisation_id = o.id AND f."end" IS NULL AND f.role = 'secretary')
         ELSE 0 END,
       CASE WHEN o.kind IN ('branch', 'general_branch', 'party_committee') THEN
         (SELECT count(DISTINCT f.member_id) FROM office f
           WHERE f.organisation_id = o.id AND f."end" IS NULL
             AND f.role IN ({_COMMITTEE_ROLES})) ELSE 0 END,
       CASE WHEN o.kind = 'group' THEN
         (SELECT count(f.id) FROM office f
           WHERE f.organisation_id = o.id AND f."end" IS NULL AND f.role = 'group_leader')
         ELSE 0 END,
       CASE WHEN o.kind = 'group' THEN
         (SELECT count(m.id) FROM member m WHERE m.group_id = o.id) ELSE 0 END,
       CASE WHEN o.kind = 'branch' THEN
         (SELECT count(c.id) FROM coverage c JOIN place p ON p.id = c.place_id
           WHERE c.organisation_id = o.id AND c."end" IS NULL AND p.kind = 'estate')
         ELSE 0 END,
       CASE WHEN o.kind IN ('branch', 'general_branch', 'party_committee', 'district_committee')
         THEN (SELECT max(e.held_on) FROM election e
                WHERE e.organisation_id = o.id AND e.kind = 'election') END,
       CASE WHEN o.kind IN ('branch', 'general_branch', 'party_committee', 'district_committee')
         THEN (SELECT min(f.start) FROM office f
                WHERE f.organisation_id = o.id AND f."end" IS NULL
                  AND f.role IN ({_COMMITTEE_ROLES})) END,
       CASE WHEN EXISTS (SELECT 1 FROM organisation g
                          WHERE g.parent_id = o.id AND g.kind = 'group' AND g.status = 'active')
         THEN (SELECT count(m.id) FROM member m
                WHERE m.organisation_id = o.id AND m.departed_on IS NULL
                  AND (m.group_id IS NULL
                       OR NOT EXISTS (SELECT 1 FROM organisation g
                                       WHERE g.id = m.group_id AND g.parent_id = o.id
                                         AND g.kind = 'group' AND g.status = 'active')))
         ELSE 0 END,
       (SELECT count(f.id) FROM office f JOIN member m ON m.id = f.member_id
         WHERE f.organisation_id = o.id AND f."end" IS NULL AND f.role IN ({_COMMITTEE_ROLES})
           AND m.status = 'probationary' AND m.departed_on IS NULL),
       (SELECT count(c.id) FROM coverage c JOIN place p ON p.id = c.place_id
         WHERE c.organisation_id = o.id AND c."end" IS NULL
           AND o.status = 'active' AND o.kind <> 'functional'
           AND EXISTS (SELECT 1 FROM coverage a
                        WHERE a.organisation_id = o.parent_id AND a."end" IS NULL)
           AND NOT EXISTS (SELECT 1 FROM coverage a JOIN place q ON q.id = a.place_id
                            WHERE a.organisation_id = o.parent_id AND a."end" IS NULL
                              AND p.path >= q.path
                              AND p.path < substr(q.path, 1, length(q.path) - 1) || '0'))
  FROM organisation o
"""
_FIGURES = ("ungrouped", "probationary_officers", "outside")
_PROBATIONARY = "status = 'probationary' AND departed_on IS NULL"


def upgrade() -> None:
    op.create_table(
        "org_tally",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("full_members", sa.Integer(), nullable=False),
        sa.Column("secretaries", sa.Integer(), nullable=False),
        sa.Column("committee", sa.Integer(), nullable=False),
        sa.Column("leaders", sa.Integer(), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("elected_on", sa.Date(), nullable=True),
        sa.Column("committee_since", sa.Date(), nullable=True),
        sa.Column("ungrouped", sa.Integer(), nullable=False),
        sa.Column("probationary_officers", sa.Integer(), nullable=False),
        sa.Column("outside", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_org_tally_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_org_tally")),
    )
    op.execute(_FILL)
    for figure in _FIGURES:
        predicate = sa.text(f"{figure} > 0")
        op.create_index(
            f"ix_org_tally_{figure}",
            "org_tally",
            ["organisation_id"],
            postgresql_where=predicate,
            sqlite_where=predicate,
        )
    predicate = sa.text(_PROBATIONARY)
    op.drop_index("ix_member_probationary_org_path", table_name="member")
    op.create_index(
        "ix_member_probationary_org_path_joined",
        "member",
        ["org_path", "joined"],
        postgresql_where=predicate,
        sqlite_where=predicate,
    )


def downgrade() -> None:
    predicate = sa.text(_PROBATIONARY)
    op.drop_index("ix_member_probationary_org_path_joined", table_name="member")
    op.create_index(
        "ix_member_probationary_org_path",
        "member",
        ["org_path"],
        postgresql_where=predicate,
        sqlite_where=predicate,
    )
    op.drop_table("org_tally")

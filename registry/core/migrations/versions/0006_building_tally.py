"""building_tally: per-building households and resident members by status, kept by writes,
filled here from the stored places and members

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Every building (zeros), household and resident member as a row of counts under its
# building, summed per building: a household's building is its parent or, under a unit, its
# grandparent. As registry.core.tallies recomputes them.
_FILL = """
INSERT INTO building_tally (building_id, households, members, full_members,
                            probationary_members, in_service_members)
SELECT building_id, sum(households), sum(members), sum(full_members),
       sum(probationary_members), sum(in_service_members)
  FROM (SELECT id AS building_id, 1 AS is_building, 0 AS households, 0 AS members,
               0 AS full_members, 0 AS probationary_members, 0 AS in_service_members
          FROM place WHERE kind = 'building'
        UNION ALL
        SELECT CASE WHEN up.kind = 'building' THEN up.id ELSE up.parent_id END,
               0, 1, 0, 0, 0, 0
          FROM place home JOIN place up ON up.id = home.parent_id
         WHERE home.kind = 'household'
        UNION ALL
        SELECT CASE WHEN up.kind = 'building' THEN up.id ELSE up.parent_id END,
               0, 0, 1,
               CASE WHEN m.status = 'full' THEN 1 ELSE 0 END,
               CASE WHEN m.status = 'probationary' THEN 1 ELSE 0 END,
               CASE WHEN m.workplace IS NOT NULL THEN 1 ELSE 0 END
          FROM member m
          JOIN place home ON home.id = m.household_id
          JOIN place up ON up.id = home.parent_id) AS counted
 GROUP BY building_id
HAVING max(is_building) = 1
"""


def upgrade() -> None:
    op.create_table(
        "building_tally",
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("full_members", sa.Integer(), nullable=False),
        sa.Column("probationary_members", sa.Integer(), nullable=False),
        sa.Column("in_service_members", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["place.id"],
            name=op.f("fk_building_tally_building_id_place"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("building_id", name=op.f("pk_building_tally")),
    )
    op.execute(_FILL)


def downgrade() -> None:
    op.drop_table("building_tally")

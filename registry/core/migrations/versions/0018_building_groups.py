"""building_tally.groups, staffed_groups: which buildings a group covers, kept by writes

Coverage counted a city's covered buildings by probing, for each of its 125,000 buildings, the
coverage rows and the covering organisation, and its unstaffed buildings by probing again each
group's placed members and leader; at a city's root the two took most of a second. A building's
tally now holds how many active groups cover it and how many of those are staffed (a member
placed in the group and a group leader in office), kept by the same writes
(registry.core.tallies); the figures sum them.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# As registry.core.tallies counts them.
_GROUPS = """
(SELECT count(c.id) FROM coverage c JOIN organisation o ON o.id = c.organisation_id
  WHERE c.place_id = building_tally.building_id AND c."end" IS NULL
    AND o.status = 'active' AND o.kind = 'group' {staffed})
"""
_STAFFED = """
    AND EXISTS (SELECT 1 FROM member m WHERE m.group_id = o.id)
    AND EXISTS (SELECT 1 FROM office f WHERE f.organisation_id = o.id AND f."end" IS NULL
                  AND f.role = 'group_leader')
"""
_FILL = (
    f"UPDATE building_tally SET groups = {_GROUPS.format(staffed='')}, "
    f"staffed_groups = {_GROUPS.format(staffed=_STAFFED)}"
)


def upgrade() -> None:
    for name in ("groups", "staffed_groups"):
        op.add_column(
            "building_tally",
            sa.Column(name, sa.Integer(), nullable=False, server_default="0"),
        )
    op.execute(_FILL)


def downgrade() -> None:
    with op.batch_alter_table("building_tally") as table:
        table.drop_column("staffed_groups")
        table.drop_column("groups")

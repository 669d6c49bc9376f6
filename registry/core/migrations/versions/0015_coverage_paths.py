"""coverage.place_path: each open coverage row carries the path of the place it covers

The organisations of a place scope are those covering a place inside it. Asked through the
place's id, PostgreSQL's one generic plan for every scope walked the whole place table in id
order to meet the coverage rows (1.8 s for one estate of a city). With the path on the row, the
scope's open coverage is one range of an index, whatever the size of the registry.

Kept by the database as the members' paths are (0013, 0014): filled on insert where a writer
leaves it out, looked up when a row's place changes, and followed when a place's path changes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PATH_TYPE = sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql")
_OPEN = sa.text('"end" IS NULL')
_LOOKUP = "(SELECT path FROM place WHERE id = NEW.place_id)"
# What a place whose path changes updates (NEW is the place): 0013's members, now coverage too.
_PLACE_FOLLOWS = (
    "UPDATE member SET home_path = NEW.path WHERE household_id = NEW.id; "
    "UPDATE coverage SET place_path = NEW.path WHERE place_id = NEW.id;"
)
_PLACE_FOLLOWED_BEFORE = "UPDATE member SET home_path = NEW.path WHERE household_id = NEW.id;"


def upgrade() -> None:
    with op.batch_alter_table("coverage") as coverage:
        coverage.add_column(sa.Column("place_path", PATH_TYPE, nullable=True))
    op.execute(f"UPDATE coverage SET place_path = {_LOOKUP.replace('NEW.', 'coverage.')}")
    op.create_index(
        "ix_coverage_open_place_path",
        "coverage",
        ["place_path", "organisation_id"],
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION gridreg_coverage_path() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.place_path := {_LOOKUP}; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER coverage_path_inserted BEFORE INSERT ON coverage FOR EACH ROW "
            "WHEN (NEW.place_path IS NULL) EXECUTE FUNCTION gridreg_coverage_path()"
        )
        op.execute(
            "CREATE TRIGGER coverage_path_updated BEFORE UPDATE OF place_id ON coverage "
            "FOR EACH ROW EXECUTE FUNCTION gridreg_coverage_path()"
        )
        _place_moved_postgresql(_PLACE_FOLLOWS)
    else:
        fill = f"UPDATE coverage SET place_path = {_LOOKUP} WHERE id = NEW.id;"
        op.execute(
            "CREATE TRIGGER coverage_path_inserted AFTER INSERT ON coverage "
            f"WHEN NEW.place_path IS NULL BEGIN {fill} END"
        )
        op.execute(
            f"CREATE TRIGGER coverage_path_updated AFTER UPDATE OF place_id ON coverage "
            f"BEGIN {fill} END"
        )
        _place_moved_sqlite(_PLACE_FOLLOWS)


def _place_moved_postgresql(follows: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION gridreg_place_moved() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {follows} RETURN NULL; END $$"
    )


def _place_moved_sqlite(follows: str) -> None:
    op.execute("DROP TRIGGER place_moved")
    op.execute(
        "CREATE TRIGGER place_moved AFTER UPDATE OF path ON place "
        f"WHEN OLD.path IS NOT NEW.path BEGIN {follows} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _place_moved_postgresql(_PLACE_FOLLOWED_BEFORE)
        op.execute("DROP TRIGGER coverage_path_inserted ON coverage")
        op.execute("DROP TRIGGER coverage_path_updated ON coverage")
        op.execute("DROP FUNCTION gridreg_coverage_path()")
    else:
        _place_moved_sqlite(_PLACE_FOLLOWED_BEFORE)
        op.execute("DROP TRIGGER coverage_path_inserted")
        op.execute("DROP TRIGGER coverage_path_updated")
    op.drop_index("ix_coverage_open_place_path", "coverage")
    with op.batch_alter_table("coverage") as coverage:
        coverage.drop_column("place_path")

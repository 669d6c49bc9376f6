"""member paths: each member carries the paths of their organisation, the organisation they
report to and their home, kept by the database on every write

A scoped caller sees a member whose organisation, reporting organisation or home lies in its
scope. Asked through the member's ids, that meant gathering every household of the territory
(26,000 ids for one sub-district of a district) before the first row; with the paths on the
member, each tie is a range on an indexed column of the member's own row, and a page of a
scope costs what the scope holds.

The paths are the database's to keep, whoever writes: a trigger fills them when a member is
written (an import's COPY included) and another follows an organisation or a place whose path
changes (a move rewrites its subtree's paths row by row).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# (column on member, the member's id column, the table whose path it copies)
TIES = (
    ("org_path", "organisation_id", "organisation"),
    ("reports_path", "reports_to_id", "organisation"),
    ("home_path", "household_id", "place"),
)
# As the trees' own paths: "C" collation, so that PostgreSQL answers a range from the index.
PATH_TYPE = sa.String(length=400).with_variant(sa.String(length=400, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("member") as member:
        for column, _, _ in TIES:
            member.add_column(sa.Column(column, PATH_TYPE, nullable=True))
    for column, tie, table in TIES:
        op.execute(
            f"UPDATE member SET {column} = (SELECT path FROM {table} WHERE {table}.id = "
            f"member.{tie}) WHERE {tie} IS NOT NULL"
        )
        op.create_index(f"ix_member_{column}", "member", [column])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _postgresql_triggers() -> None:
    own = "\n".join(
        f"NEW.{column} := (SELECT path FROM {table} WHERE id = NEW.{tie});"
        for column, tie, table in TIES
    )
    op.execute(
        f"""CREATE FUNCTION gridreg_member_paths() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {own}
            RETURN NEW;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER member_paths BEFORE INSERT OR UPDATE OF organisation_id, "
        "reports_to_id, household_id ON member FOR EACH ROW EXECUTE FUNCTION "
        "gridreg_member_paths()"
    )
    for table in ("organisation", "place"):
        follows = _follows(table)
        op.execute(
            f"""CREATE FUNCTION gridreg_{table}_moved() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {follows}
                RETURN NULL;
            END $$"""
        )
        op.execute(
            f"CREATE TRIGGER {table}_moved AFTER UPDATE OF path ON {table} FOR EACH ROW "
            f"WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION gridreg_{table}_moved()"
        )


def _follows(table: str) -> str:
    """The statements that follow a row of `table` (NEW) to the members tied to it."""
    return " ".join(
        f"UPDATE member SET {column} = NEW.path WHERE {tie} = NEW.id;"
        for column, tie, source in TIES
        if source == table
    )


def _sqlite_triggers() -> None:
    own = ", ".join(
        f"{column} = (SELECT path FROM {table} WHERE id = NEW.{tie})" for column, tie, table in TIES
    )
    op.execute(
        f"CREATE TRIGGER member_paths_inserted AFTER INSERT ON member BEGIN "
        f"UPDATE member SET {own} WHERE id = NEW.id; END"
    )
    op.execute(
        "CREATE TRIGGER member_paths_updated AFTER UPDATE OF organisation_id, reports_to_id, "
        f"household_id ON member BEGIN UPDATE member SET {own} WHERE id = NEW.id; END"
    )
    for table in ("organisation", "place"):
        follows = _follows(table)
        op.execute(
            f"CREATE TRIGGER {table}_moved AFTER UPDATE OF path ON {table} "
            f"WHEN OLD.path IS NOT NEW.path BEGIN {follows} END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER member_paths ON member")
        op.execute("DROP FUNCTION gridreg_member_paths()")
        for table in ("organisation", "place"):
            op.execute(f"DROP TRIGGER {table}_moved ON {table}")
            op.execute(f"DROP FUNCTION gridreg_{table}_moved()")
    else:
        for trigger in ("member_paths_inserted", "member_paths_updated", "organisation_moved",
                        "place_moved"):  # fmt: skip
            op.execute(f"DROP TRIGGER {trigger}")
    for column, _, _ in TIES:
        op.drop_index(f"ix_member_{column}", "member")
    with op.batch_alter_table("member") as member:
        for column, _, _ in TIES:
            member.drop_column(column)

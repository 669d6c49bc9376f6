"""member paths: a writer that knows a new member's paths may write them itself

The trigger of 0013 looked up the three paths of every member inserted, even when the writer
had them: an import of a city's million members spent most of a minute in it. On insert the
database now fills the paths only where a row's paths do not match its ties (a tie without
its path, or a path without its tie); the importer writes the final paths it computes, the
API's writers leave them out. An update of a tie still looks its path up, whoever writes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_TIES = ("organisation_id", "reports_to_id", "household_id")
_PATHS = ("org_path", "reports_path", "home_path")
# A row whose paths do not follow its ties: the database must fill them.
_UNFILLED = " OR ".join(
    f"((NEW.{tie} IS NULL) <> (NEW.{path} IS NULL))"
    for tie, path in zip(_TIES, _PATHS, strict=True)
)
_FILL_SQLITE = ", ".join(
    f"{path} = (SELECT path FROM {table} WHERE id = NEW.{tie})"
    for tie, path, table in zip(
        _TIES, _PATHS, ("organisation", "organisation", "place"), strict=True
    )
)
_UPDATED_BY = f"UPDATE OF {', '.join(_TIES)}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER member_paths ON member")
        op.execute(
            f"CREATE TRIGGER member_paths_inserted BEFORE INSERT ON member FOR EACH ROW "
            f"WHEN ({_UNFILLED}) EXECUTE FUNCTION gridreg_member_paths()"
        )
        op.execute(
            f"CREATE TRIGGER member_paths_updated BEFORE {_UPDATED_BY} ON member FOR EACH ROW "
            "EXECUTE FUNCTION gridreg_member_paths()"
        )
    else:
        op.execute("DROP TRIGGER member_paths_inserted")
        op.execute(
            f"CREATE TRIGGER member_paths_inserted AFTER INSERT ON member WHEN {_UNFILLED} "
            f"BEGIN UPDATE member SET {_FILL_SQLITE} WHERE id = NEW.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER member_paths_inserted ON member")
        op.execute("DROP TRIGGER member_paths_updated ON member")
        op.execute(
            f"CREATE TRIGGER member_paths BEFORE INSERT OR {_UPDATED_BY} ON member FOR EACH ROW "
            "EXECUTE FUNCTION gridreg_member_paths()"
        )
    else:
        op.execute("DROP TRIGGER member_paths_inserted")
        op.execute(
            "CREATE TRIGGER member_paths_inserted AFTER INSERT ON member "
            f"BEGIN UPDATE member SET {_FILL_SQLITE} WHERE id = NEW.id; END"
        )

"""access changes notify: PostgreSQL tells every server process when what a token grants may
have changed, so each may keep the actors of the tokens it has seen (registry.access.tokens)

A statement-level trigger on the tables an actor is read from (tokens, console sessions, and
the organisations, places and coverage its scope and territory come from) sends a notification
on channel `gridreg_access` when their transaction commits. SQLite needs none: a server process
there asks SQLite whether anything was committed since (PRAGMA data_version).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("api_token", "console_session", "organisation", "place", "coverage")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """CREATE FUNCTION gridreg_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('gridreg_access', '');
            RETURN NULL;
        END $$"""
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_access_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION gridreg_access_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_access_changed ON {table}")
    op.execute("DROP FUNCTION gridreg_access_changed()")

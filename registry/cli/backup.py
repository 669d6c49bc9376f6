"""Backup and restore of the SQLite registry file, online and consistent.

`backup` copies the database with SQLite's online backup API: it reads one consistent snapshot
while the server keeps serving (in WAL mode readers and the writer are not blocked), so a
write committed during the copy is either wholly in it or wholly not. `restore` writes a backup
back the same way, under the database's write lock, after checking a private copy of the backup
is sound and holds gridreg's schema exactly as its migrations make it (nothing added, changed
or missing); serving workers see the restored data on their next transaction.

PostgreSQL is backed up with its own tools (see the README): `pg_dump -Fc` and `pg_restore`.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url

from registry.core.migrate import alembic_config, upgrade


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def sqlite_file(database_url: str) -> Path:
    """The file of a SQLite database URL; BackupError for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "gridreg backup/restore handle the SQLite file; for PostgreSQL use "
            "pg_dump -Fc and pg_restore (see the README, Security and operations)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has no file to back up")
    return Path(url.database)


def _copy(source: Path, target: Path, what: str, self_contained: bool = True) -> None:
    """Copy the database `source` onto `target` with SQLite's backup API; `what` names the
    step in the BackupError any SQLite failure becomes. A `self_contained` copy is one file
    (no WAL beside it); the live database keeps the journal mode it has."""
    try:
        reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        try:
            writing = sqlite3.connect(target, timeout=30)
            try:
                # Pages in one step: the copy is one snapshot even if writers commit meanwhile.
                reading.backup(writing, pages=-1)
                if self_contained:
                    writing.execute("PRAGMA journal_mode=DELETE")
            finally:
                writing.close()
        finally:
            reading.close()
    except sqlite3.Error as failed:
        raise BackupError(f"{what} failed: {failed}") from None


def backup(database_url: str, out: Path) -> int:
    """Write a consistent copy of the registry to `out` (which must not exist yet); returns
    its size in bytes."""
    path = sqlite_file(database_url)
    if not path.exists():
        raise BackupError(f"no database at {path}")
    if out.exists():
        raise BackupError(f"{out} exists already; name a new file")
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        _copy(path, out, f"backing up {path}")
    except BackupError:
        out.unlink(missing_ok=True)  # no half-made backup that the next attempt would refuse
        raise
    return out.stat().st_size


# A schema object as sqlite_master holds it: type, name, the table it belongs to, and its
# CREATE statement with whitespace and identifier quotes evened out (None for SQLite's own
# automatic indexes).
SchemaObject = tuple[str, str, str, str | None]
# The statistics ANALYZE leaves behind (imports run it): they steer the planner, nothing else.
STATISTICS = frozenset({"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"})


def _objects(connection: sqlite3.Connection) -> dict[tuple[str, str], SchemaObject]:
    """Every schema object of a SQLite database by (type, name): its tables, indexes, views and
    triggers, SQLite's own included (a name starting with `sqlite_` proves nothing: a file
    edited with `PRAGMA writable_schema` may give a trigger such a name)."""
    rows = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    found = {}
    for kind, name, table, sql in rows:
        if kind == "table" and name in STATISTICS:
            continue
        shown = " ".join(sql.replace('"', "").split()) if sql is not None else None
        if kind == "table" and shown is not None:
            shown = _constraints_in_order(shown)
        found[(kind, name)] = (kind, name, table, shown)
    return found


def _constraints_in_order(create: str) -> str:
    """A CREATE TABLE with its named constraints sorted: a table that a migration rebuilt
    (SQLite cannot alter a column) lists them in an order that varies from run to run, and the
    order means nothing; its columns keep theirs."""
    start, end = create.find("("), create.rfind(")")
    if start < 0 or end < start:
        return create
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in create[start + 1 : end]:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    columns = [item for item in items if not item.startswith("CONSTRAINT ")]
    constraints = sorted(item for item in items if item.startswith("CONSTRAINT "))
    return f"{create[: start + 1]} {', '.join(columns + constraints)} {create[end:]}"


def expected_objects(revision: str) -> dict[tuple[str, str], SchemaObject]:
    """The schema objects gridreg's own migrations create up to `revision`."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "fresh.sqlite3"
        upgrade(f"sqlite+aiosqlite:///{fresh}", revision)
        connection = sqlite3.connect(fresh)
        try:
            return _objects(connection)
        finally:
            connection.close()


def _read(backup_file: Path) -> tuple[str, list[tuple[str]], dict[tuple[str, str], SchemaObject]]:
    """Integrity, schema revision rows and schema objects of a file, opened read-only and
    trusting nothing its schema defines."""
    connection = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA trusted_schema = OFF")
        ok = connection.execute("PRAGMA integrity_check").fetchone()[0]
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        return ok, versions, _objects(connection)
    finally:
        connection.close()


def _known(revision: str) -> bool:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def check(backup_file: Path, name: Path | None = None) -> None:
    """Refuse a file that is not a sound gridreg database holding gridreg's schema alone,
    exactly as its migrations make it: a table, index, view or trigger they do not make (a
    trigger that undoes token revocations, say), one whose definition was changed, or one of
    theirs that is missing, is never restored. Messages call the file `name` if given."""
    name = name or backup_file
    if not backup_file.is_file():
        raise BackupError(f"no backup at {name}")
    try:
        ok, versions, found = _read(backup_file)
    except sqlite3.Error as bad:
        raise BackupError(f"{name} is not a gridreg database: {bad}") from None
    if ok != "ok" or len(versions) != 1:
        raise BackupError(f"{name} is damaged or not a gridreg database ({ok})")
    revision = versions[0][0]
    if not isinstance(revision, str) or not _known(revision):
        raise BackupError(
            f"{name} is at schema revision {revision!r}, which this gridreg does not "
            "know: restore it with the gridreg that made it, or upgrade gridreg first"
        )
    expected = expected_objects(revision)
    foreign = sorted(found.keys() - expected.keys())
    changed = sorted(key for key in found.keys() & expected.keys() if found[key] != expected[key])
    missing = sorted(expected.keys() - found.keys())
    if foreign or changed or missing:
        named = "; ".join(
            f"{what}: " + ", ".join(f"{kind} {called}" for kind, called in keys)
            for what, keys in (("foreign", foreign), ("changed", changed), ("missing", missing))
            if keys
        )
        raise BackupError(
            f"{name} does not hold gridreg's schema alone ({named}): it was altered after "
            "the backup and is not restored"
        )


def restore(database_url: str, backup_file: Path) -> None:
    """Replace the registry's contents with the backup's, in one step. What is checked is a
    private copy of the file, and that copy is what is restored: the file cannot change in
    between."""
    path = sqlite_file(database_url)
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        copy = Path(folder) / "restoring.sqlite3"
        _copy(backup_file, copy, f"reading {backup_file}")
        check(copy, name=backup_file)
        _copy(copy, path, f"restoring {path}", self_contained=False)
